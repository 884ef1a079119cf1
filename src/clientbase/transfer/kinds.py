"""What can be imported, column by column: contacts, customers and locations.

Each kind turns the cells of one row into the body the API would receive (API field names, ids of
the referenced objects), finds the stored object the row stands for (the `match` keys in order),
and then hands the body to the kind's API serializer and service: the import has no rules of its
own. Exports write the same columns, so an exported file imports back unchanged."""

from __future__ import annotations

import abc
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from clientbase import access
from clientbase.contacts import services as contact_services
from clientbase.contacts.api import ContactSerializer
from clientbase.contacts.models import NOTIFY_CATEGORIES, PORTAL_PERMISSIONS, ROLES, Contact
from clientbase.customers import services as customer_services
from clientbase.customers.api import CustomerSerializer, LocationSerializer
from clientbase.customers.models import ADDRESS_KEYS, Customer, Location
from clientbase.customers.services import clean_address
from clientbase.emails import normalize_email
from clientbase.errors import ValidationFailed
from clientbase.phones import normalize_phone
from clientbase.text import nfc
from clientbase.transfer.conflicts import DuplicateFinder, Key
from clientbase.transfer.formulas import restore

TRUE_WORDS = {"true", "yes", "y", "1", "x"}
FALSE_WORDS = {"false", "no", "n", "0"}
CUSTOMER_NUMBER = re.compile(r"^C-\d+$")
CACHE_LIMIT = 10_000


class RowError(Exception):
    """What is wrong with one row: [(field, message)]."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(message for _, message in errors))


@dataclass(frozen=True)
class ActingRequest:
    """What the API serializers need of a request: the user, whose scope the related fields use."""

    user: Any


def text(value: str) -> str:
    """A cell as the text it stands for: an exported formula guard removed, in NFC (so a value
    matches the stored one whatever Unicode form the file has it in; `clientbase.text`)."""
    return nfc(restore(value))


def boolean(value: str, field: str) -> bool:
    word = text(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError([(field, f"Write true or false, not “{value}”.")])


def filled(row: Mapping[str, str], column: str) -> bool:
    """The file has the column and this row's cell is not blank. A blank cell in a column of true
    or false, or of a fixed choice (status), gives no value: the default for a new row, the stored
    value for an update."""
    return column in row and bool(text(row[column]).strip())


def word_list(value: str) -> list[str]:
    """`site, billing` -> ["site", "billing"]; an empty cell is an empty list."""
    return [part.strip() for part in text(value).split(",") if part.strip()]


def _first_names(names: list[str], shown: int = 10) -> str:
    """`a, b, c` or, for a long list, `a, b, ... and 39,990 more`."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


def address_columns(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{key}" for key in ADDRESS_KEYS)


def cell(value: Any) -> str:
    """A value as a cell writes it: true/false, lists separated by commas, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    return str(value)


def flat_values(values: Mapping[str, Any]) -> dict[str, str]:
    """API values one level flat, as the columns are: notify.quotes -> notify_quotes."""
    flat: dict[str, str] = {}
    for name, value in values.items():
        if isinstance(value, Mapping):
            flat.update({f"{name}_{key}": cell(item) for key, item in value.items()})
        else:
            flat[name] = cell(value)
    return flat


class Resolver:
    """Customers and locations named in cells, looked up once each within the user's scope."""

    def __init__(self, user: Any):
        self.user = user
        self._customers: dict[str, int | str] = {}
        self._locations: dict[int, tuple[dict[str, int], dict[str, list[int]]]] = {}

    def customer(self, value: str) -> int | None:
        """The id of the customer a cell names (number, else exact name); None for a blank cell."""
        name = text(value).strip()
        if not name:
            return None
        found = self._customers.get(name)
        if found is None:
            found = self._lookup_customer(name)
            if len(self._customers) >= CACHE_LIMIT:
                self._customers.clear()
            self._customers[name] = found
        if isinstance(found, str):
            raise RowError([("customer", found)])
        return found

    def _lookup_customer(self, name: str) -> int | str:
        visible = access.restrict(self.user, Customer.objects.all(), access.VIEW)
        if CUSTOMER_NUMBER.match(name):
            ids = list(visible.filter(number=name).values_list("pk", flat=True)[:1])
            if ids:
                return ids[0]
        ids = list(visible.filter(name=name).values_list("pk", flat=True)[:2])
        if len(ids) == 1:
            return ids[0]
        if ids:
            return f"More than one customer is named “{name}”; give its number (C-000042) instead."
        return f"No customer numbered or named “{name}”."

    def forget_customer_names(self) -> None:
        """After a customer import created customers, names may resolve differently."""
        self._customers.clear()

    def locations(self, value: str, customer_id: int | None) -> list[int]:
        """Ids of the locations a cell names: codes or exact names of the customer's locations,
        separated by commas."""
        parts = word_list(value)
        if not parts:
            return []
        if customer_id is None:
            raise RowError([("locations", "Locations need a customer; fill in the customer column.")])
        codes, names = self._locations_of(customer_id)
        ids: list[int] = []
        for part in parts:
            if part in codes:
                ids.append(codes[part])
            elif len(names.get(part, [])) == 1:
                ids.append(names[part][0])
            elif part in names:
                raise RowError(
                    [
                        (
                            "locations",
                            f"More than one location of this customer is named “{part}”; use its code.",
                        )
                    ]
                )
            else:
                raise RowError(
                    [("locations", f"The customer has no location with the code or name “{part}”.")]
                )
        return list(dict.fromkeys(ids))

    def _locations_of(self, customer_id: int) -> tuple[dict[str, int], dict[str, list[int]]]:
        if customer_id not in self._locations:
            if len(self._locations) >= CACHE_LIMIT:
                self._locations.clear()
            codes: dict[str, int] = {}
            names: dict[str, list[int]] = {}
            visible = access.restrict(
                self.user, Location.objects.filter(customer_id=customer_id), access.VIEW
            )
            for pk, code, name in visible.values_list("pk", "code", "name"):
                if code:
                    codes[code] = pk
                names.setdefault(name, []).append(pk)
            self._locations[customer_id] = (codes, names)
        return self._locations[customer_id]

    def forget_locations(self, customer_id: int) -> None:
        self._locations.pop(customer_id, None)


class Kind(abc.ABC):
    """One importable kind. Subclasses name the columns, match keys, serializer and services."""

    name: ClassVar[str]
    model: ClassVar[type[Model]]
    serializer_class: ClassVar[type[serializers.ModelSerializer]]
    columns: ClassVar[tuple[str, ...]]
    column_help: ClassVar[dict[str, str]]
    match_keys: ClassVar[tuple[str, ...]]
    default_match: ClassVar[tuple[str, ...]]
    instance_kwarg: ClassVar[str]
    create_service: ClassVar[Callable[..., Model]]
    update_service: ClassVar[Callable[..., Model]]

    def __init__(self, user: Any):
        self.user = user
        self.resolver = Resolver(user)
        self.context = {"request": ActingRequest(user)}

    # Columns and matching ------------------------------------------------------------------------

    @classmethod
    def check_columns(cls, header: list[str]) -> None:
        """Unknown or repeated columns refuse the whole file, naming them (the first ten of each)."""
        known = frozenset(cls.columns)
        unknown = [name for name in header if name not in known]
        repeated = sorted(name for name, count in Counter(header).items() if count > 1)
        problems = []
        if unknown:
            problems.append(f"Unknown columns: {_first_names(unknown)}.")
        if repeated:
            problems.append(f"Repeated columns: {_first_names(repeated)}.")
        if problems:
            raise ValidationFailed(
                {
                    "file": [
                        " ".join(problems)
                        + f" The columns of a {cls.name} import are: {', '.join(cls.columns)}."
                    ]
                }
            )

    @classmethod
    def parse_match(cls, value: str | Iterable[str] | None) -> tuple[str, ...]:
        if value is None or value == "":
            return cls.default_match
        keys = tuple(k.strip() for k in (value.split(",") if isinstance(value, str) else value) if k.strip())
        bad = [key for key in keys if key not in cls.match_keys]
        if bad or not keys:
            raise ValidationFailed(
                {
                    "match": [
                        f"{cls.name.capitalize()} match on {', '.join(cls.match_keys)} (in the order given)."
                    ]
                }
            )
        return tuple(dict.fromkeys(keys))

    def visible(self) -> QuerySet:
        return access.restrict(self.user, self.model._default_manager.all(), access.VIEW)

    def find(self, row: Mapping[str, str], keys: tuple[str, ...]) -> Model | None:
        """The stored object the row stands for: the first match key the row has a value for that
        matches exactly one object; None when none matches (the row creates)."""
        for key in keys:
            queryset = self.match_queryset(key, row)
            if queryset is None:
                continue
            found = list(queryset[:2])
            if len(found) > 1:
                raise RowError(
                    [(key, f"More than one stored {self.model._meta.verbose_name} has this {key}.")]
                )
            if found:
                return found[0]
        return None

    def match_queryset(self, key: str, row: Mapping[str, str]) -> QuerySet | None:
        """The objects whose `key` equals the row's; None when the row has no value for it."""
        value = text(row.get(key, "")).strip()
        if not value:
            return None
        return self.visible().filter(**{key: value})

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        """Tell `finder` the values of this row that must not repeat in the file (none here)."""
        return None

    # Rows -------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def body(self, row: Mapping[str, str], instance: Model | None) -> dict[str, Any]:
        """The API body of the row (only the columns the file has)."""

    @abc.abstractmethod
    def differs(self, instance: Model, data: Mapping[str, Any]) -> bool:
        """Would writing `data` (validated) change `instance`? Compared as the service stores it."""

    def side_effects(self, instance: Model | None, data: Mapping[str, Any]) -> list[int]:
        """Other objects of this kind the write will change (their values are kept for a revert)."""
        return []

    def serializer(self, instance: Model | None, body: Mapping[str, Any]) -> serializers.ModelSerializer:
        if instance is None:
            return self.serializer_class(data=body, context=self.context)
        return self.serializer_class(instance, data=body, partial=True, context=self.context)

    def snapshot(self, instance: Model, fields: Iterable[str]) -> dict[str, Any]:
        """The API values of `fields` of `instance`, as a body that restores them (only those
        fields are read: no query for a relation the body does not name)."""
        serializer = self.serializer_class(instance, context=self.context)
        shown = {}
        for name in fields:
            field = serializer.fields.get(name)
            if field is None or field.write_only:
                continue
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
            # As `Serializer.to_representation` does it, one field at a time.
            empty = (value.pk if isinstance(value, PKOnlyObject) else value) is None
            shown[name] = None if empty else field.to_representation(value)
        return shown

    def display(self, obj: Model) -> dict[str, str]:
        """The object in the columns of a file, as cells read (for the preview)."""
        flat = flat_values(self.serializer_class(obj, context=self.context).data)
        return {column: flat[column] for column in self.columns if column in flat}

    def write(self, instance: Model | None, data: Mapping[str, Any]) -> Model:
        if instance is None:
            return type(self).create_service(acting_user=self.user, data=data)
        return type(self).update_service(acting_user=self.user, data=data, **{self.instance_kwarg: instance})

    def after_write(self, obj: Model) -> None:
        """Forget cached lookups that the write made stale (none here)."""
        return None

    @staticmethod
    def normalised_text(value: Any, normalise: Callable[[str], str] | None = None) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if normalise is None:
            return value
        try:
            return normalise(value)
        except DjangoValidationError:
            return None  # never equal to a stored value: the service will refuse it

    @staticmethod
    def address_body(row: Mapping[str, str], prefix: str, stored: Mapping[str, str] | None) -> dict[str, str]:
        """An address from its columns; on an update the columns the file lacks keep their value."""
        address = dict(stored or {})
        for key in ADDRESS_KEYS:
            column = f"{prefix}_{key}"
            if column in row:
                address[key] = text(row[column])
        return address

    @staticmethod
    def same_address(stored: Mapping[str, str], given: Any, field: str) -> bool:
        try:
            return clean_address(given, field) == stored
        except ValidationFailed:
            return False


# Contacts ---------------------------------------------------------------------------------------


class _AnyCustomer:
    """A row of a file without a customer column: its contact keeps whatever customer it has."""


ANY_CUSTOMER = _AnyCustomer()

CONTACT_TEXT = (
    *contact_services.PERSON_FIELDS,
    "secondary_phone",
    "preferred_channel",
    "status",
    "notes",
    "external_id",
)
PHONE_FIELDS = ("phone", "mobile", "secondary_phone")
CONTACT_CHOICES = ("preferred_channel", "status")
NOTIFY_COLUMNS = tuple(f"notify_{category}" for category in NOTIFY_CATEGORIES)
PORTAL_COLUMNS = ("portal_enabled", "portal_permissions", "portal_support_start", "portal_support_end")


def _flag(value: bool) -> str:
    """A true-or-false cell as the files write it."""
    return "true" if value else "false"


class ContactKind(Kind):
    name = "contacts"
    model = Contact
    serializer_class = ContactSerializer
    instance_kwarg = "contact"
    create_service = staticmethod(contact_services.create_contact)
    update_service = staticmethod(contact_services.update_contact)
    match_keys = ("external_id", "email")
    default_match = ("external_id", "email")
    columns = (
        "external_id",
        "customer",
        "salutation",
        "first_name",
        "last_name",
        "title",
        "department",
        "roles",
        "email",
        "phone",
        "mobile",
        "secondary_phone",
        "preferred_channel",
        "is_primary",
        "locations",
        "status",
        "approval_limit",
        *NOTIFY_COLUMNS,
        *PORTAL_COLUMNS,
        *address_columns("address"),
        "notes",
    )
    column_help = {
        "external_id": "Your own key for the contact (e.g. the ERP's); matched first.",
        "customer": "Customer number (C-000042) or exact customer name; empty for an unaffiliated contact.",
        "salutation": "Mr., Ms., Dr. ...",
        "first_name": "Text.",
        "last_name": "Required for a new contact.",
        "title": "Job title.",
        "department": "Text.",
        "roles": f"Comma-separated: {', '.join(ROLES)}.",
        "email": "Matched (case-insensitively) when no external_id matches.",
        "phone": "Any format; stored as E.164 (+13125550142).",
        "mobile": "Any format; stored as E.164.",
        "secondary_phone": "Any format; stored as E.164.",
        "preferred_channel": "email, phone or sms.",
        "is_primary": "true or false; at most one primary per customer in a file.",
        "locations": "Comma-separated codes or exact names of the customer's locations; "
        "empty = customer-level.",
        "status": "active or inactive.",
        "approval_limit": "A decimal amount; empty = no limit. Needs the approver role.",
        **dict.fromkeys(NOTIFY_COLUMNS, "true or false."),
        "portal_enabled": "true or false; portal access needs an e-mail.",
        "portal_permissions": f"Comma-separated: {', '.join(PORTAL_PERMISSIONS)}.",
        "portal_support_start": "A date, 2026-01-31; empty = none.",
        "portal_support_end": "A date, 2026-12-31; empty = none.",
        **dict.fromkeys(
            address_columns("address"), "The contact's address; columns left out keep their value."
        ),
        "notes": "Text; line breaks are kept.",
    }
    EMAIL = Key("email", "The e-mail {value} appears")
    EXTERNAL_ID = Key("external_id", "The external_id {value} appears")
    PRIMARY = Key("is_primary", "Customer {value} is made primary contact")

    def row_customer(self, row: Mapping[str, str]) -> int | _AnyCustomer | None:
        """The customer a row's contact belongs to, which matching never leaves: the id of the
        customer the row names, None for a blank cell (a contact without a customer), or
        ANY_CUSTOMER when the file has no customer column (the contact keeps its customer). RowError
        for a customer the user cannot see or that does not exist."""
        if "customer" not in row:
            return ANY_CUSTOMER
        return self.resolver.customer(row["customer"])

    def match_queryset(self, key: str, row: Mapping[str, str]) -> QuerySet | None:
        """Contacts whose `key` equals the row's, among those of the row's customer only: an
        external_id is a customer's own key (unique per customer), and an import never moves a
        contact to another customer."""
        if key == "email":
            value = text(row.get("email", "")).strip()
            if not value:
                return None
            email = self.normalised_text(value, normalize_email) or value
            queryset: QuerySet | None = self.visible().filter(email__iexact=email)
        else:
            queryset = super().match_queryset(key, row)
        if queryset is None:
            return None
        customer = self.row_customer(row)
        if isinstance(customer, _AnyCustomer):
            return queryset
        if customer is None:
            return queryset.filter(customer__isnull=True)
        return queryset.filter(customer_id=customer)

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        """E-mails and external_ids must not repeat among the rows of one customer (matching looks
        within the customer, so rows of different customers never meet)."""
        try:
            customer = self.row_customer(row)
        except RowError:
            return  # reported when the row itself is read
        scope = "any" if isinstance(customer, _AnyCustomer) else str(customer or "none")
        email = text(row.get("email", "")).strip()
        if email:  # compared as matching compares them: ignoring case
            finder.add(self.EMAIL, f"{scope}:{email.casefold()}", number, shown=email)
        external_id = text(row.get("external_id", "")).strip()
        if external_id:
            finder.add(self.EXTERNAL_ID, f"{scope}:{external_id}", number, shown=external_id)
        try:
            primary = filled(row, "is_primary") and boolean(row["is_primary"], "is_primary")
            customer_id = self.resolver.customer(row["customer"]) if primary and "customer" in row else None
        except RowError:
            return  # reported when the row itself is read
        if primary and customer_id is not None:
            finder.add(self.PRIMARY, str(customer_id), number, shown=text(row["customer"]).strip())

    def body(self, row: Mapping[str, str], instance: Model | None) -> dict[str, Any]:
        errors: list[tuple[str, str]] = []
        body: dict[str, Any] = {}

        def read(field: str, parse: Callable[[], Any]) -> None:
            try:
                body[field] = parse()
            except RowError as error:
                errors.extend(error.errors)

        for name in CONTACT_TEXT:
            if name in CONTACT_CHOICES and not filled(row, name):
                continue
            if name in row:
                body[name] = text(row[name])
        if "customer" in row:
            read("customer", lambda: self.resolver.customer(row["customer"]))
        if "roles" in row:
            body["roles"] = word_list(row["roles"])
        if filled(row, "is_primary"):
            read("is_primary", lambda: boolean(row["is_primary"], "is_primary"))
        if "approval_limit" in row:
            body["approval_limit"] = text(row["approval_limit"]).strip() or None
        notify: dict[str, bool] = {}
        for category in NOTIFY_CATEGORIES:
            column = f"notify_{category}"
            if filled(row, column):
                try:
                    notify[category] = boolean(row[column], column)
                except RowError as error:
                    errors.extend(error.errors)
        if notify:
            body["notify"] = notify
        portal: dict[str, Any] = {}
        if filled(row, "portal_enabled"):
            try:
                portal["enabled"] = boolean(row["portal_enabled"], "portal_enabled")
            except RowError as error:
                errors.extend(error.errors)
        if "portal_permissions" in row:
            portal["permissions"] = word_list(row["portal_permissions"])
        for key in ("support_start", "support_end"):
            if f"portal_{key}" in row:
                portal[key] = text(row[f"portal_{key}"]).strip() or None
        if portal:
            body["portal"] = portal
        if any(column in row for column in address_columns("address")):
            stored = instance.address if isinstance(instance, Contact) else None
            body["address"] = self.address_body(row, "address", stored)
        if "locations" in row and not any(field == "customer" for field, _ in errors):
            customer_id = (
                body.get("customer") if "customer" in row else getattr(instance, "customer_id", None)
            )
            read("locations", lambda: self.resolver.locations(row["locations"], customer_id))
        if errors:
            raise RowError(errors)
        return body

    def differs(self, instance: Model, data: Mapping[str, Any]) -> bool:
        assert isinstance(instance, Contact)
        return any(not self._same(instance, name, value) for name, value in data.items())

    def _same(self, contact: Contact, name: str, value: Any) -> bool:
        if name == "email":
            return contact.email == self.normalised_text(value, normalize_email)
        if name in PHONE_FIELDS:
            return getattr(contact, name) == self.normalised_text(value, normalize_phone)
        if name == "customer":
            return contact.customer_id == (value.pk if value is not None else None)
        if name == "locations":
            return sorted(loc.pk for loc in value) == sorted(loc.pk for loc in contact.locations.all())
        if name == "roles":
            return contact.roles == [role for role in ROLES if role in value]
        if name == "notify":
            return all(contact.notify[key] == flag for key, flag in value.items())
        if name == "portal":
            return all(self._same_portal(contact, key, item) for key, item in value.items())
        if name == "address":
            return self.same_address(contact.address, value, "address")
        if name == "is_primary":
            return contact.is_primary == bool(value)
        return getattr(contact, name) == self.normalised_text(value)

    @staticmethod
    def _same_portal(contact: Contact, key: str, value: Any) -> bool:
        if key == "enabled":
            return contact.portal_enabled == bool(value)
        if key == "permissions":
            return list(contact.portal_permissions or []) == [p for p in PORTAL_PERMISSIONS if p in value]
        return getattr(contact, key) == value

    def display(self, obj: Model) -> dict[str, str]:
        assert isinstance(obj, Contact)
        return dict(zip(self.columns, self.cells(obj), strict=True))

    @classmethod
    def cells(cls, contact: Contact) -> list[str]:
        """One contact in the columns of the file (`columns`), as text: what the export writes
        (before the formula guard) and the preview shows; an import of it changes nothing."""
        address = contact.address or {}
        values: dict[str, str] = {
            "customer": (contact.customer.number or "") if contact.customer is not None else "",
            "roles": ", ".join(contact.roles),
            "is_primary": _flag(contact.is_primary),
            "locations": ", ".join(location.code or location.name for location in contact.locations.all()),
            "approval_limit": "" if contact.approval_limit is None else str(contact.approval_limit),
            "portal_enabled": _flag(contact.portal_enabled),
            "portal_permissions": ", ".join(contact.portal_permissions or []),
            "portal_support_start": contact.support_start.isoformat() if contact.support_start else "",
            "portal_support_end": contact.support_end.isoformat() if contact.support_end else "",
        }
        values.update(
            {
                f"notify_{category}": _flag(getattr(contact, f"notify_{category}"))
                for category in NOTIFY_CATEGORIES
            }
        )
        values.update({f"address_{key}": address.get(key, "") for key in ADDRESS_KEYS})
        return [values[column] if column in values else getattr(contact, column) for column in cls.columns]

    def side_effects(self, instance: Model | None, data: Mapping[str, Any]) -> list[int]:
        """Making a contact primary un-marks the customer's previous primary contact."""
        if not data.get("is_primary"):
            return []
        customer = data["customer"] if "customer" in data else getattr(instance, "customer", None)
        if customer is None:
            return []
        previous = Contact.objects.filter(customer=customer, is_primary=True)
        if instance is not None:
            previous = previous.exclude(pk=instance.pk)
        return list(previous.values_list("pk", flat=True))


# Customers --------------------------------------------------------------------------------------

CUSTOMER_TEXT = ("name", "legal_name", "tax_id", "status", "email", "phone", "website", "notes")


class CustomerKind(Kind):
    name = "customers"
    model = Customer
    serializer_class = CustomerSerializer
    instance_kwarg = "customer"
    create_service = staticmethod(customer_services.create_customer)
    update_service = staticmethod(customer_services.update_customer)
    match_keys = ("number", "name")
    default_match = ("number", "name")
    columns = ("number", *CUSTOMER_TEXT[:-1], *address_columns("billing_address"), "notes")
    column_help = {
        "number": "The customer number (C-000042), to update that customer; empty for a new one.",
        "name": "Required for a new customer; matched exactly when no number is given.",
        "legal_name": "Text.",
        "tax_id": "Text.",
        "status": "active, inactive or prospect.",
        "email": "The customer's general e-mail address.",
        "phone": "Any format; stored as E.164.",
        "website": "A full address, https://example.com.",
        **dict.fromkeys(
            address_columns("billing_address"), "The billing address; columns left out keep their value."
        ),
        "notes": "Text.",
    }
    NUMBER = Key("number", "The number {value} appears")
    NAME = Key("name", "The name “{value}” appears")

    def find(self, row: Mapping[str, str], keys: tuple[str, ...]) -> Model | None:
        found = super().find(row, keys)
        number = text(row.get("number", "")).strip()
        if found is None and number:
            raise RowError(
                [("number", f"No customer numbered {number}; leave the number empty to create one.")]
            )
        return found

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        for key, column in ((self.NUMBER, "number"), (self.NAME, "name")):
            value = text(row.get(column, "")).strip()
            if value:
                finder.add(key, value, number)

    def body(self, row: Mapping[str, str], instance: Model | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            name: text(row[name])
            for name in CUSTOMER_TEXT
            if name in row and (name != "status" or filled(row, name))
        }
        if any(column in row for column in address_columns("billing_address")):
            stored = instance.billing_address if isinstance(instance, Customer) else None
            body["billing_address"] = self.address_body(row, "billing_address", stored)
        return body

    def differs(self, instance: Model, data: Mapping[str, Any]) -> bool:
        assert isinstance(instance, Customer)
        for name, value in data.items():
            if name == "email":
                same = instance.email == self.normalised_text(value, normalize_email)
            elif name == "phone":
                same = instance.phone == self.normalised_text(value, normalize_phone)
            elif name == "billing_address":
                same = self.same_address(instance.billing_address, value, "billing_address")
            else:
                same = getattr(instance, name) == self.normalised_text(value)
            if not same:
                return True
        return False

    def after_write(self, obj: Model) -> None:
        self.resolver.forget_customer_names()


# Locations --------------------------------------------------------------------------------------

LOCATION_TEXT = ("name", "code", "access_notes")


class LocationKind(Kind):
    name = "locations"
    model = Location
    serializer_class = LocationSerializer
    instance_kwarg = "location"
    create_service = staticmethod(customer_services.create_location)
    update_service = staticmethod(customer_services.update_location)
    match_keys = ("code", "name")
    default_match = ("code", "name")
    columns = ("customer", "name", "code", *address_columns("address"), "access_notes", "is_active")
    column_help = {
        "customer": "Required: customer number (C-000042) or exact customer name.",
        "name": "Required for a new location; matched exactly within the customer when no code matches.",
        "code": "Short code, unique within the customer; matched first.",
        **dict.fromkeys(address_columns("address"), "The site's address; columns left out keep their value."),
        "access_notes": "How to get in: gate codes, keys, hours.",
        "is_active": "true or false.",
    }
    CODE = Key("code", "The code {value} appears for one customer")
    NAME = Key("name", "The name “{value}” appears for one customer")

    def _customer_id(self, row: Mapping[str, str]) -> int:
        customer_id = self.resolver.customer(row.get("customer", ""))
        if customer_id is None:
            raise RowError([("customer", "The customer is required.")])
        return customer_id

    def match_queryset(self, key: str, row: Mapping[str, str]) -> QuerySet | None:
        queryset = super().match_queryset(key, row)
        if queryset is None:
            return None
        return queryset.filter(customer_id=self._customer_id(row))

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        try:
            customer_id = self._customer_id(row)
        except RowError:
            return
        for key, column in ((self.CODE, "code"), (self.NAME, "name")):
            value = text(row.get(column, "")).strip()
            if value:
                finder.add(key, f"{customer_id}:{value}", number, shown=value)

    def body(self, row: Mapping[str, str], instance: Model | None) -> dict[str, Any]:
        body: dict[str, Any] = {name: text(row[name]) for name in LOCATION_TEXT if name in row}
        body["customer"] = self._customer_id(row)
        if filled(row, "is_active"):
            body["is_active"] = boolean(row["is_active"], "is_active")
        if any(column in row for column in address_columns("address")):
            stored = instance.address if isinstance(instance, Location) else None
            body["address"] = self.address_body(row, "address", stored)
        return body

    def differs(self, instance: Model, data: Mapping[str, Any]) -> bool:
        assert isinstance(instance, Location)
        for name, value in data.items():
            if name == "customer":
                same = instance.customer_id == value.pk
            elif name == "address":
                same = self.same_address(instance.address, value, "address")
            else:
                same = getattr(instance, name) == self.normalised_text(value)
            if not same:
                return True
        return False

    def display(self, obj: Model) -> dict[str, str]:
        assert isinstance(obj, Location)
        return {**super().display(obj), "customer": obj.customer.number or ""}

    def after_write(self, obj: Model) -> None:
        assert isinstance(obj, Location)
        self.resolver.forget_locations(obj.customer_id)


KINDS: dict[str, type[Kind]] = {kind.name: kind for kind in (ContactKind, CustomerKind, LocationKind)}
