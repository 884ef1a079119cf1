"""What can be imported, column by column: contacts, customers, locations and contracts.

Each kind describes its columns once (`columns.Column`), turns the cells of one row into the body
the API would receive (API field names, ids of the referenced objects), finds the stored object
the row stands for (the `match` keys in order), and then hands the body to the kind's API
serializer and service: the import has no rules of its own. Exports write the same columns, so an
exported file imports back unchanged.

A blank cell keeps the stored value (`blank="keep"`, the default, as other programs' importers
do); with `blank="clear"` it clears it, except in columns of true or false and of fixed choices,
where a blank gives no value."""

from __future__ import annotations

import abc
import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CharField, Model, QuerySet
from django.db.models.functions import Lower
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

from clientbase import access
from clientbase.contacts import services as contact_services
from clientbase.contacts.api import ContactSerializer
from clientbase.contacts.models import NOTIFY_CATEGORIES, PORTAL_PERMISSIONS, ROLES, Contact
from clientbase.contracts import services as contract_services
from clientbase.contracts.api import ContractSerializer
from clientbase.contracts.models import Contract, number_to_pk
from clientbase.customers import services as customer_services
from clientbase.customers.api import CustomerSerializer, LocationSerializer
from clientbase.customers.models import ADDRESS_KEYS, Asset, Customer, Location
from clientbase.emails import normalize_email
from clientbase.errors import ValidationFailed
from clientbase.phones import format_phone
from clientbase.transfer.columns import (
    BLANK_CHOICES,
    KEEP,
    Column,
    Columns,
    RowError,
    as_boolean,
    as_date,
    as_stripped,
    text,
    word_list,
)
from clientbase.transfer.conflicts import DuplicateFinder, Key

__all__ = ["KINDS", "ContactKind", "ContractKind", "CustomerKind", "Kind", "LocationKind", "RowError"]

CUSTOMER_NUMBER = re.compile(r"^C-\d+$")
CACHE_LIMIT = 10_000
MAX_ID = 2**63 - 1  # the largest id a database row can have


@dataclass(frozen=True)
class ActingRequest:
    """What the API serializers need of a request: the user, whose scope the related fields use."""

    user: Any


def row_id(value: str) -> int:
    """An `id` cell as the id it names: digits 0-9 only; RowError otherwise."""
    if not (value.isascii() and value.isdigit()):
        raise RowError([("id", f"“{value}” is not an id; ids are whole numbers.")])
    return int(value)


def filled(row: Mapping[str, str], column: str) -> bool:
    """The file has the column and this row's cell is not blank."""
    return column in row and bool(text(row[column]).strip())


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


ADDRESS_ALIASES = {
    "street": ("street", "address", "street address", "address line 1", "address 1"),
    "street2": ("address line 2", "address 2", "street 2"),
    "city": ("city", "town"),
    "region": ("region", "state", "province", "county", "state/province"),
    "postal_code": ("postal code", "zip", "zip code", "postcode"),
    "country": ("country",),
}
ADDRESS_EXAMPLE = {
    "street": "1 Main Street",
    "street2": "",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
    "country": "US",
}


def address_columns(prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}_{key}" for key in ADDRESS_KEYS)


def address_specs(prefix: str, help_text: str, *, aliased: bool) -> tuple[Column, ...]:
    """The columns of an address: `prefix_street` ... `prefix_country`, merged with the stored
    address (a column the file lacks, or a blank cell with blank=keep, keeps its part). With
    `aliased`, the bare spellings (`City`, `ZIP Code`) name them too."""
    return tuple(
        Column(
            f"{prefix}_{key}",
            help_text,
            path=(prefix, key),
            aliases=ADDRESS_ALIASES[key] if aliased else (),
            example=ADDRESS_EXAMPLE[key],
        )
        for key in ADDRESS_KEYS
    )


def parse_blank(value: str | None) -> bool:
    """`blank` as given (`keep` or `clear`; None = keep) -> do blank cells clear?"""
    if value is None or value == "":
        return False
    if value not in BLANK_CHOICES:
        raise ValidationFailed(
            {"blank": ["keep (a blank cell leaves the stored value) or clear (a blank cell clears it)."]}
        )
    return value == "clear"


class Resolver:
    """Customers and locations named in cells, looked up once each within the user's scope."""

    def __init__(self, user: Any):
        self.user = user
        self._customers: dict[str, int | str] = {}
        self._locations: dict[int, tuple[dict[str, int], dict[str, list[int]]]] = {}
        self._assets: dict[int, tuple[dict[str, list[int]], ...]] = {}

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
        return self._lookup_customers([name])[name]

    def prefetch_customers(self, values: Iterable[str]) -> None:
        """Look up the customers that the cells `values` name and are not yet known, with two
        queries for all of them (numbers, then names): what `customer` answers for each is then
        known without a query. For the rows of an import, a chunk at a time."""
        names = {name for name in (text(value).strip() for value in values) if name}
        names -= self._customers.keys()
        if not names:
            return
        if len(self._customers) + len(names) > CACHE_LIMIT:
            self._customers.clear()
        self._customers.update(self._lookup_customers(names))

    def _lookup_customers(self, names: Iterable[str]) -> dict[str, int | str]:
        """{cell: the id of the customer it names, or why it names none}: by number first (a
        cell shaped as one, `C-000042`), else by exact name, which must be one customer's."""
        visible = access.restrict(self.user, Customer.objects.all(), access.VIEW)
        wanted = set(names)
        found: dict[str, int | str] = {}
        if numbers := {name for name in wanted if CUSTOMER_NUMBER.match(name)}:
            for number, pk in visible.filter(number__in=numbers).values_list("number", "pk"):
                found[str(number)] = pk
        if rest := wanted - found.keys():
            named: dict[str, list[int]] = {}
            for name, pk in visible.filter(name__in=rest).values_list("name", "pk"):
                named.setdefault(name, []).append(pk)
            for name in rest:
                ids = named.get(name, [])
                if len(ids) == 1:
                    found[name] = ids[0]
                elif ids:
                    found[name] = (
                        f"More than one customer is named “{name}”; give its number (C-000042) instead."
                    )
                else:
                    found[name] = f"No customer numbered or named “{name}”."
        return found

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

    def assets(self, value: str, customer_id: int | None) -> list[int]:
        """Ids of the assets a cell names, separated by commas: each an asset tag, else a serial
        number, else an exact name of one of the customer's assets (a value naming two of them at
        the same step is refused: give its tag)."""
        parts = word_list(value)
        if not parts:
            return []
        if customer_id is None:
            raise RowError([("assets", "Assets need a customer; fill in the customer column.")])
        ids: list[int] = []
        for part in parts:
            for kind, found in zip(
                ("asset tag", "serial number", "name"), self._assets_of(customer_id), strict=True
            ):
                if len(found.get(part, [])) == 1:
                    ids.append(found[part][0])
                    break
                if part in found:
                    raise RowError(
                        [
                            (
                                "assets",
                                f"More than one asset of this customer has the {kind} “{part}”; "
                                "use its asset tag.",
                            )
                        ]
                    )
            else:
                raise RowError(
                    [
                        (
                            "assets",
                            f"The customer has no asset with the asset tag, serial number or name “{part}”.",
                        )
                    ]
                )
        return list(dict.fromkeys(ids))

    def _assets_of(self, customer_id: int) -> tuple[dict[str, list[int]], ...]:
        """The customer's assets the user sees: ({tag: ids}, {serial number: ids}, {name: ids})."""
        if customer_id not in self._assets:
            if len(self._assets) >= CACHE_LIMIT:
                self._assets.clear()
            tags: dict[str, list[int]] = {}
            serials: dict[str, list[int]] = {}
            names: dict[str, list[int]] = {}
            visible = access.restrict(
                self.user, Asset.objects.filter(location__customer_id=customer_id), access.VIEW
            )
            for pk, tag, serial, name in visible.values_list("pk", "asset_tag", "serial_number", "name"):
                if tag:
                    tags.setdefault(tag, []).append(pk)
                if serial:
                    serials.setdefault(serial, []).append(pk)
                names.setdefault(name, []).append(pk)
            self._assets[customer_id] = (tags, serials, names)
        return self._assets[customer_id]


class Kind(abc.ABC):
    """One importable kind. Subclasses describe the columns (`spec`) and name the match keys,
    serializer and services."""

    name: ClassVar[str]
    model: ClassVar[type[Model]]
    serializer_class: ClassVar[type[serializers.ModelSerializer]]
    spec: ClassVar[Columns]
    columns: ClassVar[tuple[str, ...]]
    column_help: ClassVar[dict[str, str]]
    match_keys: ClassVar[tuple[str, ...]]
    default_match: ClassVar[tuple[str, ...]]
    instance_kwarg: ClassVar[str]
    create_service: ClassVar[Callable[..., Model]]
    update_service: ClassVar[Callable[..., Model]]
    # Values of the body that are whole objects merged with the stored one (addresses).
    merged: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "spec" in cls.__dict__:
            cls.columns = cls.spec.names
            cls.column_help = cls.spec.help()

    def __init__(self, user: Any, *, clear_blanks: bool = False):
        self.user = user
        self.clear_blanks = clear_blanks
        self.resolver = Resolver(user)
        self.context = {"request": ActingRequest(user)}

    # Columns and matching ------------------------------------------------------------------------

    @classmethod
    def check_columns(cls, header: list[str], mapping: Any = None) -> list[str | None]:
        """The column each file column stands for (None: ignored), by `mapping` (`{"file column":
        "column or empty"}`, or its JSON text) and the headers recognised. ValidationFailed on
        `file` for unknown or repeated columns (the first ten of each named), on `mapping` for a
        bad mapping."""
        return cls.spec.resolve(header, cls.spec.parse_mapping(mapping))

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

    @classmethod
    def max_length(cls, column: Column) -> int | None:
        """The most characters a value of `column` may have (its model field's), None for none."""
        if column.role != "value" or len(column.target) != 1:
            return None
        try:
            field = cls.model._meta.get_field(column.target[0])
        except FieldDoesNotExist:
            return None
        return getattr(field, "max_length", None)

    @classmethod
    def example_row(cls) -> list[str]:
        """The example row of the kind's template."""
        return [column.example for column in cls.spec.all]

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
        if key == "id":
            return self.visible().filter(pk=row_id(value))
        return self.visible().filter(**{key: value})

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        """Tell `finder` the values of this row that must not repeat in the file (none here)."""
        return None

    # Rows -------------------------------------------------------------------------------------------

    def body(
        self, row: Mapping[str, str], instance: Model | None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """The API body of the row (only the columns the file has, blank cells as `clear_blanks`
        says) and the errors of the cells that could not be read, all of them (their columns are
        left out of the body)."""
        body: dict[str, Any] = {}
        errors: list[tuple[str, str]] = []
        for column in self.spec.all:
            if column.name not in row or column.role in ("key", "ignored", "locations", "assets"):
                continue
            raw = row[column.name]
            try:
                if column.role == "customer":
                    value = self.read_customer(row)
                elif not text(raw).strip():
                    if not self.clear_blanks or column.cleared is KEEP:
                        continue
                    value = column.cleared
                else:
                    value = column.read(raw, column.name)
            except RowError as error:
                errors.extend(error.errors)
                continue
            *parents, leaf = column.target
            target = body
            for parent in parents:
                target = target.setdefault(parent, {})
            target[leaf] = value
        for name in self.merged:
            if name in body:
                stored = getattr(instance, name, None) if instance is not None else None
                body[name] = {**(stored or {}), **body[name]}
        return body, errors

    def read_customer(self, row: Mapping[str, str]) -> int | None:
        """The customer's id the row names (None for a blank cell); RowError when not found."""
        return self.resolver.customer(row["customer"])

    def side_effects(self, instance: Model | None, data: Mapping[str, Any]) -> list[int]:
        """Other objects of this kind the write will change (their values are kept for a revert)."""
        return []

    def serializer(self, instance: Model | None, body: Mapping[str, Any]) -> serializers.ModelSerializer:
        if instance is None:
            return self.serializer_class(data=body, context=self.context)
        return self.serializer_class(instance, data=body, partial=True, context=self.context)

    def snapshot(self, instance: Model, fields: Iterable[str]) -> dict[str, Any]:
        """The API values of `fields` of `instance`, as a body that restores them (only those
        fields are read: no query for a relation the body does not name). One serializer reads
        every snapshot of the import (its fields read whichever instance they are given)."""
        serializer = self.__dict__.get("_reader")
        if serializer is None:
            serializer = self._reader = self.serializer_class(context=self.context)
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


# Contacts ---------------------------------------------------------------------------------------


class _AnyCustomer:
    """A row of a file without a customer column: its contact keeps whatever customer it has."""


ANY_CUSTOMER = _AnyCustomer()


class _OneByOne(Exception):
    """A row `ContactKind.find_many` leaves to `find`."""


PHONE_FIELDS = ("phone", "mobile", "secondary_phone")
NOTIFY_COLUMNS = tuple(f"notify_{category}" for category in NOTIFY_CATEGORIES)
PORTAL_COLUMNS = ("portal_enabled", "portal_permissions", "portal_support_start", "portal_support_end")
PHONE_HELP = "Any format; stored as E.164 (+13125550142), an extension kept (ext. 12)."


def _flag(value: bool) -> str:
    """A true-or-false cell as the files write it."""
    return "true" if value else "false"


CONTACT_COLUMNS = Columns(
    "contacts",
    (
        Column(
            "id",
            "The contact's id in clientbase, as exports write it; matched first (within the customer). "
            "Empty for a new contact.",
            role="key",
            exact=True,  # other programs' "ID" columns are their ids, never ours
        ),
        Column(
            "external_id",
            "Your own key for the contact (e.g. the ERP's), unique within the customer; matched after id.",
            aliases=("external id", "external key", "erp id"),
            example="ERP-1001",
        ),
        Column(
            "customer",
            "Customer number (C-000042) or exact customer name; empty for a contact without a customer.",
            role="customer",
            aliases=(
                "customer number",
                "company",
                "company name",
                "account",
                "account name",
                "organization",
                "organisation",
            ),
            example="Example Facilities Inc.",
        ),
        Column(
            "customer_name",
            "The customer's name, written by exports for reading; ignored by imports when the file has "
            "a customer column, else read as the customer (its exact name).",
            role="ignored",
            fallback_for="customer",
        ),
        Column("salutation", "Mr., Ms., Dr. ...", aliases=("prefix", "honorific"), example="Ms."),
        Column("first_name", "Text.", aliases=("first", "given name", "forename"), example="Jane"),
        Column(
            "last_name",
            "Required for a new contact.",
            aliases=("last", "surname", "family name"),
            example="Example",
        ),
        Column("title", "Job title.", aliases=("job title", "position"), example="Facilities manager"),
        Column("department", "Text.", aliases=("dept",), example="Operations"),
        Column(
            "roles",
            f"Comma-separated: {', '.join(ROLES)}.",
            read=word_list,
            cleared=[],
            aliases=("role",),
            example="site, billing",
        ),
        Column(
            "email",
            "Matched (case-insensitively) when neither id nor external_id matches.",
            aliases=("e-mail", "email address", "e-mail address", "mail", "work email"),
            example="jane.example@example.com",
        ),
        Column(
            "phone",
            PHONE_HELP,
            aliases=("phone number", "telephone", "tel", "business phone", "work phone", "office phone"),
            example="+1 312 555 0142 ext. 12",
        ),
        Column(
            "mobile",
            PHONE_HELP,
            aliases=("mobile phone", "mobile number", "cell", "cell phone"),
            example="+1 312 555 0199",
        ),
        Column("secondary_phone", PHONE_HELP, aliases=("other phone", "home phone", "phone 2")),
        Column(
            "preferred_channel",
            "email, phone or sms.",
            read=as_stripped,
            cleared=KEEP,
            aliases=("preferred contact method", "channel"),
            example="email",
        ),
        Column(
            "is_primary",
            "true or false; at most one primary per customer in a file.",
            read=as_boolean,
            cleared=KEEP,
            aliases=("primary", "primary contact"),
            example="false",
        ),
        Column(
            "locations",
            "Comma-separated codes or exact names of the customer's locations; none = customer-level.",
            role="locations",
            aliases=("location", "sites", "site"),
        ),
        Column("status", "active or inactive.", read=as_stripped, cleared=KEEP, example="active"),
        Column(
            "approval_limit",
            "A decimal amount; empty = no limit. Needs the approver role.",
            read=as_stripped,
            cleared=None,
            aliases=("limit",),
        ),
        *(
            Column(column, "true or false.", read=as_boolean, path=("notify", column[7:]), cleared=KEEP)
            for column in NOTIFY_COLUMNS
        ),
        Column(
            "portal_enabled",
            "true or false; portal access needs an e-mail.",
            read=as_boolean,
            path=("portal", "enabled"),
            cleared=KEEP,
            aliases=("portal access", "portal"),
            example="false",
        ),
        Column(
            "portal_permissions",
            f"Comma-separated: {', '.join(PORTAL_PERMISSIONS)}.",
            read=word_list,
            path=("portal", "permissions"),
            cleared=[],
        ),
        Column(
            "portal_support_start",
            "A date, 2026-01-31 (a time of day is left out); empty = none.",
            read=as_date,
            path=("portal", "support_start"),
            cleared=None,
            aliases=("support start",),
        ),
        Column(
            "portal_support_end",
            "A date, 2026-12-31 (a time of day is left out); empty = none.",
            read=as_date,
            path=("portal", "support_end"),
            cleared=None,
            aliases=("support end",),
        ),
        *address_specs("address", "The contact's address, one part per column.", aliased=True),
        Column(
            "notes",
            "Text; line breaks are kept.",
            aliases=("note", "comments", "description"),
            example="Prefers e-mail before 10 am.",
        ),
    ),
)


class ContactKind(Kind):
    name = "contacts"
    model = Contact
    serializer_class = ContactSerializer
    instance_kwarg = "contact"
    create_service = staticmethod(contact_services.create_contact)
    update_service = staticmethod(contact_services.update_contact)
    spec = CONTACT_COLUMNS
    match_keys = ("id", "external_id", "email")
    default_match = ("id", "external_id", "email")
    merged = ("address",)
    ID = Key("id", "The id {value} appears")
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
            try:
                email = normalize_email(value)
            except DjangoValidationError:
                email = value  # matches nothing; the row's e-mail error is reported
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

    def find_many(
        self, rows: list[tuple[int, Mapping[str, str]]], keys: tuple[str, ...]
    ) -> dict[int, Contact | RowError | None]:
        """`find` of each of `rows` ({row number: the contact, None to create, or the RowError
        `find` raises}), with one query per match key for all of them. A row whose e-mail to match
        is not ASCII (which the database and Python fold differently) is found by `find`. The
        contacts answered hold only `pk`: read them again to write them."""
        plans: dict[int, list[tuple[str, Any, Any]]] = {}
        wanted: dict[str, set[Any]] = {key: set() for key in keys}
        answers: dict[int, Contact | RowError | None] = {}
        for number, row in rows:
            plan: list[tuple[str, Any, Any]] = []
            try:
                for key in keys:
                    value: Any = text(row.get(key, "")).strip()
                    if not value:
                        continue
                    try:
                        if key == "id":
                            value = row_id(value)
                        elif key == "email":
                            with contextlib.suppress(DjangoValidationError):
                                value = normalize_email(value)
                            if not value.isascii():
                                raise _OneByOne
                            value = value.lower()
                        plan.append((key, value, self.row_customer(row)))
                        if key != "id" or value <= MAX_ID:  # a larger id names no contact
                            wanted[key].add(value)
                    except RowError as error:
                        plan.append((key, None, error))  # raised once matching reaches this key
                        break
            except _OneByOne:
                try:
                    answers[number] = self.find(row, keys)  # type: ignore[assignment]
                except RowError as error:
                    answers[number] = error
                continue
            plans[number] = plan
        stored: dict[str, dict[Any, list[tuple[int, int | None]]]] = {}
        for key, values in wanted.items():
            found: dict[Any, list[tuple[int, int | None]]] = {}
            if values:
                if key == "email":
                    queryset = (
                        self.visible()
                        .annotate(match_key=Lower("email", output_field=CharField()))
                        .filter(match_key__in=values)
                    )
                    column = "match_key"
                else:
                    queryset = self.visible().filter(**{"pk__in" if key == "id" else f"{key}__in": values})
                    column = "pk" if key == "id" else key
                for pk, value, customer_id in queryset.values_list("pk", column, "customer_id"):
                    found.setdefault(value, []).append((pk, customer_id))
            stored[key] = found
        for number, plan in plans.items():
            answers[number] = None
            for key, value, customer in plan:
                if isinstance(customer, RowError):
                    answers[number] = customer
                    break
                matches = [
                    pk
                    for pk, customer_id in stored[key].get(value, [])
                    if isinstance(customer, _AnyCustomer) or customer_id == customer
                ]
                if len(matches) > 1:
                    answers[number] = RowError(
                        [(key, f"More than one stored {self.model._meta.verbose_name} has this {key}.")]
                    )
                    break
                if matches:
                    answers[number] = Contact(pk=matches[0])
                    break
        return answers

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        """Ids, e-mails and external_ids must not repeat among the rows of one customer (matching looks
        within the customer, so rows of different customers never meet)."""
        try:
            customer = self.row_customer(row)
        except RowError:
            return  # reported when the row itself is read
        scope = "any" if isinstance(customer, _AnyCustomer) else str(customer or "none")
        email = text(row.get("email", "")).strip()
        if email:  # compared as matching compares them: ignoring case
            finder.add(self.EMAIL, f"{scope}:{email.casefold()}", number, shown=email)
        contact_id = text(row.get("id", "")).strip()
        if contact_id:
            with contextlib.suppress(RowError):  # reported when the row itself is read
                finder.add(self.ID, str(row_id(contact_id)), number, shown=contact_id)
        external_id = text(row.get("external_id", "")).strip()
        if external_id:
            finder.add(self.EXTERNAL_ID, f"{scope}:{external_id}", number, shown=external_id)
        try:
            primary = filled(row, "is_primary") and as_boolean(row["is_primary"], "is_primary")
            customer_id = self.resolver.customer(row["customer"]) if primary and "customer" in row else None
        except RowError:
            return  # reported when the row itself is read
        if primary and customer_id is not None:
            finder.add(self.PRIMARY, str(customer_id), number, shown=text(row["customer"]).strip())

    def body(
        self, row: Mapping[str, str], instance: Model | None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """As every kind's, and the locations the `locations` cell names, of the row's customer (or
        the stored contact's when the file has no customer column; not read when the customer cell
        is in error); a blank cell keeps them (blank=clear: none, customer-level)."""
        body, errors = super().body(row, instance)
        wanted = filled(row, "locations") or ("locations" in row and self.clear_blanks)
        if wanted and not any(field == "customer" for field, _ in errors):
            customer_id = (
                body.get("customer") if "customer" in row else getattr(instance, "customer_id", None)
            )
            try:
                body["locations"] = self.resolver.locations(row["locations"], customer_id)
            except RowError as error:
                errors.extend(error.errors)
        return body, errors

    def display(self, obj: Model) -> dict[str, str]:
        """The contact's importable columns as the preview shows them: phones readable (`+1
        312-555-0142 ext. 12`), keys and ignored columns left out."""
        assert isinstance(obj, Contact)
        shown = dict(zip(self.columns, self.cells(obj), strict=True))
        for name in PHONE_FIELDS:
            shown[name] = format_phone(shown[name])
        return {
            name: value
            for name, value in shown.items()
            if self.spec.by_name[name].role not in ("key", "ignored")
        }

    @classmethod
    def cells(cls, contact: Contact) -> list[str]:
        """One contact in the columns of the file (`columns`), as text: what the export writes
        (before the formula guard) and the preview shows; an import of it changes nothing."""
        address = contact.address or {}
        values: dict[str, str] = {
            "id": str(contact.pk),
            "customer": (contact.customer.number or "") if contact.customer is not None else "",
            "customer_name": contact.customer.name if contact.customer is not None else "",
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


class CustomerKind(Kind):
    name = "customers"
    model = Customer
    serializer_class = CustomerSerializer
    instance_kwarg = "customer"
    create_service = staticmethod(customer_services.create_customer)
    update_service = staticmethod(customer_services.update_customer)
    match_keys = ("number", "name")
    default_match = ("number", "name")
    merged = ("billing_address",)
    spec = Columns(
        "customers",
        (
            Column(
                "number",
                "The customer number (C-000042), to update that customer; empty for a new one.",
                role="key",
                aliases=("customer number", "no", "customer no"),
            ),
            Column(
                "name",
                "Required for a new customer; matched exactly when no number is given.",
                aliases=("customer", "customer name", "company", "company name", "account name"),
                example="Example Facilities Inc.",
            ),
            Column(
                "legal_name",
                "Text.",
                aliases=("legal name", "registered name"),
                example="Example Facilities Inc.",
            ),
            Column("tax_id", "Text.", aliases=("tax id", "tax number", "vat", "vat number", "ein")),
            Column(
                "status", "active, inactive or prospect.", read=as_stripped, cleared=KEEP, example="active"
            ),
            Column(
                "email",
                "The customer's general e-mail address.",
                aliases=("e-mail", "email address", "e-mail address"),
                example="office@example.com",
            ),
            Column(
                "phone",
                PHONE_HELP,
                aliases=("phone number", "telephone", "tel"),
                example="+1 312 555 0100",
            ),
            Column("website", "A full address, https://example.com.", aliases=("web", "url", "homepage")),
            *address_specs("billing_address", "The billing address, one part per column.", aliased=True),
            Column("notes", "Text.", aliases=("note", "comments", "description")),
        ),
    )

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

    def after_write(self, obj: Model) -> None:
        self.resolver.forget_customer_names()


# Locations --------------------------------------------------------------------------------------


class LocationKind(Kind):
    name = "locations"
    model = Location
    serializer_class = LocationSerializer
    instance_kwarg = "location"
    create_service = staticmethod(customer_services.create_location)
    update_service = staticmethod(customer_services.update_location)
    match_keys = ("code", "name")
    default_match = ("code", "name")
    merged = ("address",)
    spec = Columns(
        "locations",
        (
            Column(
                "customer",
                "Required: customer number (C-000042) or exact customer name.",
                role="customer",
                aliases=("customer number", "customer name", "company", "company name", "account"),
                example="Example Facilities Inc.",
            ),
            Column(
                "name",
                "Required for a new location; matched exactly within the customer when no code matches.",
                aliases=("site", "site name", "location", "location name"),
                example="Example head office",
            ),
            Column(
                "code",
                "Short code, unique within the customer; matched first.",
                aliases=("site code", "location code"),
                example="EXAMPLE-HQ",
            ),
            *address_specs("address", "The site's address, one part per column.", aliased=True),
            Column(
                "access_notes",
                "How to get in: gate codes, keys, hours.",
                aliases=("access", "access notes", "access instructions"),
                example="Key at the front desk.",
            ),
            Column(
                "is_active",
                "true or false.",
                read=as_boolean,
                cleared=KEEP,
                aliases=("active",),
                example="true",
            ),
        ),
    )

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

    def read_customer(self, row: Mapping[str, str]) -> int:
        return self._customer_id(row)

    def display(self, obj: Model) -> dict[str, str]:
        assert isinstance(obj, Location)
        return {**super().display(obj), "customer": obj.customer.number or ""}

    def after_write(self, obj: Model) -> None:
        assert isinstance(obj, Location)
        self.resolver.forget_locations(obj.customer_id)


# Contracts --------------------------------------------------------------------------------------


class ContractKind(Kind):
    """Contracts, matched on `id`, then `number` (K-000042; a number that names no contract is an
    error: leave it empty to create one). The locations and assets covered are written in one cell
    each, separated by commas: a location by its code or exact name, an asset by its asset tag,
    serial number or exact name, of the row's customer (a blank cell keeps them; with blank=clear,
    none: every site). `status` is written by exports for reading and ignored by imports."""

    name = "contracts"
    model = Contract
    serializer_class = ContractSerializer
    instance_kwarg = "contract"
    create_service = staticmethod(contract_services.create_contract)
    update_service = staticmethod(contract_services.update_contract)
    match_keys = ("id", "number")
    default_match = ("id", "number")
    spec = Columns(
        "contracts",
        (
            Column(
                "id",
                "The contract's id in clientbase, as exports write it; matched first. Empty for a new "
                "contract.",
                role="key",
                exact=True,
            ),
            Column(
                "number",
                "The contract number (K-000042), to update that contract; matched after id. Empty for a "
                "new one.",
                role="key",
                aliases=("contract number", "contract no"),
            ),
            Column(
                "customer",
                "Required: customer number (C-000042) or exact customer name. A contract never moves to "
                "another customer.",
                role="customer",
                aliases=("customer number", "company", "company name", "account"),
                example="Example Facilities Inc.",
            ),
            Column(
                "customer_name",
                "The customer's name, written by exports for reading; ignored by imports when the file has "
                "a customer column, else read as the customer (its exact name).",
                role="ignored",
                fallback_for="customer",
            ),
            Column(
                "name",
                "Required for a new contract.",
                aliases=("contract name", "title", "description"),
                example="HVAC maintenance 2026",
            ),
            Column(
                "start_date",
                "Required for a new contract: a date, 2026-01-01 (a time of day is left out).",
                read=as_date,
                aliases=("start", "starts", "start date", "valid from", "from"),
                example="2026-01-01",
            ),
            Column(
                "end_date",
                "A date, 2026-12-31, not before the start; empty = open-ended.",
                read=as_date,
                cleared=None,
                aliases=("end", "ends", "end date", "valid until", "until", "to"),
                example="2026-12-31",
            ),
            Column(
                "status",
                "upcoming, active or expired, derived from the dates: written by exports for reading, "
                "ignored by imports.",
                role="ignored",
            ),
            Column(
                "locations",
                "Comma-separated codes or exact names of the customer's locations covered; with no "
                "location and no asset, every site of the customer.",
                role="locations",
                aliases=("location", "sites", "site"),
                example="EXAMPLE-HQ",
            ),
            Column(
                "assets",
                "Comma-separated asset tags, serial numbers or exact names of the customer's assets "
                "covered (the first of these that names exactly one asset).",
                role="assets",
                aliases=("asset", "equipment"),
            ),
            Column(
                "visits_per_year",
                "A whole number, 0 or more; empty = none agreed.",
                read=as_stripped,
                cleared=None,
                aliases=("visits", "visits per year"),
                example="4",
            ),
            Column(
                "response_hours",
                "Hours from a call until we are on site, 1 or more; empty = none agreed.",
                read=as_stripped,
                cleared=None,
                aliases=("response time", "response hours", "sla hours"),
                example="24",
            ),
            Column("notes", "Text; line breaks are kept.", aliases=("note", "comments")),
        ),
    )
    ID = Key("id", "The id {value} appears")
    NUMBER = Key("number", "The number {value} appears")

    def match_queryset(self, key: str, row: Mapping[str, str]) -> QuerySet | None:
        if key == "number":
            value = text(row.get("number", "")).strip()
            if not value:
                return None
            pk = number_to_pk(value)
            if pk is None or pk > MAX_ID:
                raise RowError([("number", f"“{value}” is not a contract number; they read K-000042.")])
            return self.visible().filter(pk=pk)
        queryset = super().match_queryset(key, row)
        if key == "id" and queryset is not None and row_id(text(row.get("id", "")).strip()) > MAX_ID:
            return queryset.none()
        return queryset

    def find(self, row: Mapping[str, str], keys: tuple[str, ...]) -> Model | None:
        found = super().find(row, keys)
        if found is None:
            for key, what in (("id", "id"), ("number", "number")):
                value = text(row.get(key, "")).strip()
                if value and key in keys:
                    raise RowError(
                        [(key, f"No contract with the {what} {value}; leave it empty to create one.")]
                    )
        return found

    def note_keys(self, finder: DuplicateFinder, number: int, row: Mapping[str, str]) -> None:
        """Ids and numbers must not repeat in the file."""
        contract_id = text(row.get("id", "")).strip()
        if contract_id:
            with contextlib.suppress(RowError):  # reported when the row itself is read
                finder.add(self.ID, str(row_id(contract_id)), number, shown=contract_id)
        value = text(row.get("number", "")).strip()
        if value:
            pk = number_to_pk(value)
            finder.add(self.NUMBER, str(pk) if pk is not None else value, number, shown=value)

    def read_customer(self, row: Mapping[str, str]) -> int:
        customer_id = self.resolver.customer(row.get("customer", ""))
        if customer_id is None:
            raise RowError([("customer", "The customer is required.")])
        return customer_id

    def body(
        self, row: Mapping[str, str], instance: Model | None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        """As every kind's, and the locations and assets the cells name, of the row's customer (the
        stored contract's when the file has no customer column; not read when the customer cell is
        in error); a blank cell keeps them (blank=clear: none)."""
        body, errors = super().body(row, instance)
        if any(field == "customer" for field, _ in errors):
            return body, errors
        customer_id = body.get("customer") if "customer" in row else getattr(instance, "customer_id", None)
        for column, lookup in (("locations", self.resolver.locations), ("assets", self.resolver.assets)):
            if filled(row, column) or (column in row and self.clear_blanks):
                try:
                    body[column] = lookup(row[column], customer_id)
                except RowError as error:
                    errors.extend(error.errors)
        return body, errors

    def display(self, obj: Model) -> dict[str, str]:
        """The contract's importable columns as the preview shows them (keys and ignored columns
        left out)."""
        assert isinstance(obj, Contract)
        shown = dict(zip(self.columns, self.cells(obj), strict=True))
        return {
            name: value
            for name, value in shown.items()
            if self.spec.by_name[name].role not in ("key", "ignored")
        }

    @classmethod
    def cells(cls, contract: Contract) -> list[str]:
        """One contract in the columns of the file (`columns`), as text: what the export writes
        (before the formula guard) and the preview shows; an import of it changes nothing. Covered
        locations are written by code (else name), assets by asset tag (else serial number, else
        name)."""
        values: dict[str, str] = {
            "id": str(contract.pk),
            "number": contract.number,
            "customer": contract.customer.number or "",
            "customer_name": contract.customer.name,
            "start_date": contract.start_date.isoformat(),
            "end_date": contract.end_date.isoformat() if contract.end_date else "",
            "status": contract.status,
            "locations": ", ".join(location.code or location.name for location in contract.locations.all()),
            "assets": ", ".join(
                asset.asset_tag or asset.serial_number or asset.name for asset in contract.assets.all()
            ),
            "visits_per_year": cell(contract.visits_per_year),
            "response_hours": cell(contract.response_hours),
        }
        return [values[column] if column in values else getattr(contract, column) for column in cls.columns]


KINDS: dict[str, type[Kind]] = {
    kind.name: kind for kind in (ContactKind, CustomerKind, LocationKind, ContractKind)
}
