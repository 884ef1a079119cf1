"""Every write to contacts: create, update, make primary, confirm details, duplicate, delete."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from clientbase import access, history, text
from clientbase.contacts import hooks
from clientbase.contacts.models import (
    NOTIFY_CATEGORIES,
    PORTAL_PERMISSIONS,
    ROLE_DEFAULT_NOTIFY,
    ROLES,
    Contact,
    contact_history_records,
)
from clientbase.contacts.policies import routable_categories
from clientbase.contacts.signals import contact_moving
from clientbase.customers.models import Customer, Location
from clientbase.customers.services import clean_address
from clientbase.emails import normalize_email
from clientbase.errors import Conflict, FieldConflict, Forbidden, NotFound, ServiceError, ValidationFailed
from clientbase.phones import normalize_phone
from clientbase.versions import ExpectedVersion, lock, lock_rows
from clientbase.writes import (
    apply_values,
    insert_rows,
    note_changes,
    refusals_as_conflicts,
    set_acting_user,
    untouched_fields,
    update_rows,
    validate,
)

# Who the person is and how to reach them: the fields every surface that writes contacts offers
# (the staff pages, the portal, imports).
PERSON_FIELDS = ("salutation", "first_name", "last_name", "title", "department", "email", "phone", "mobile")
# Plain model fields a caller may set; `roles`, `notify`, `portal`, `locations` and `is_primary`
# are handled on their own below.
CONTACT_FIELDS = (
    "customer",
    *PERSON_FIELDS,
    "secondary_phone",
    "preferred_channel",
    "notes",
    "reports_to",
    "address",
    "status",
    "approval_limit",
    "external_id",
)
WRITABLE = {*CONTACT_FIELDS, "roles", "notify", "portal", "locations", "is_primary"}
PORTAL_KEYS = ("enabled", "permissions", "support_start", "support_end")


def default_notify(roles: list[str]) -> dict[str, bool]:
    """Opt-ins implied by the roles, used when `notify` is not given."""
    implied = {category for role in roles for category in ROLE_DEFAULT_NOTIFY.get(role, ())}
    return {category: category in implied for category in NOTIFY_CATEGORIES}


def _clean_input(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - WRITABLE)
    if unknown:
        raise ValidationFailed({name: ["Unknown field."] for name in unknown})
    cleaned: dict[str, Any] = {
        key: value.strip() if isinstance(value, str) else value for key, value in data.items()
    }
    errors: dict[str, list[str]] = {}
    if "roles" in cleaned:
        roles = cleaned["roles"] or []
        bad = [role for role in roles if role not in ROLES]
        if bad or not isinstance(roles, list | tuple):
            errors["roles"] = [
                f"Unknown role {bad[0]!r}; roles are {', '.join(ROLES)}." if bad else "A list."
            ]
        cleaned["roles"] = [role for role in ROLES if role in roles]
    if "notify" in cleaned:
        notify: dict[str, Any] = cleaned["notify"] or {}
        unknown_categories = sorted(set(notify) - set(NOTIFY_CATEGORIES))
        if unknown_categories:
            errors["notify"] = [
                f"Unknown categories: {', '.join(unknown_categories)}; known: {', '.join(NOTIFY_CATEGORIES)}."
            ]
        elif any(not isinstance(value, bool) for value in notify.values()):
            errors["notify"] = ["Each category is true or false."]
    if "portal" in cleaned:
        portal: dict[str, Any] = cleaned["portal"] or {}
        unknown_keys = sorted(set(portal) - set(PORTAL_KEYS))
        permissions = portal.get("permissions", [])
        if unknown_keys:
            errors["portal"] = [f"Unknown keys: {', '.join(unknown_keys)}."]
        elif any(permission not in PORTAL_PERMISSIONS for permission in permissions):
            errors["portal"] = [f"Portal permissions are {', '.join(PORTAL_PERMISSIONS)}."]
    if "address" in cleaned:
        try:
            cleaned["address"] = clean_address(cleaned["address"], "address")
        except ValidationFailed as error:
            errors.update(error.errors)
    for name in ("last_name",):
        if name in cleaned and not cleaned[name]:
            errors[name] = ["This field may not be blank."]
    # Normalised here, so that an address or number written differently is not a change.
    for name, normalize in (
        ("email", normalize_email),
        ("phone", normalize_phone),
        ("mobile", normalize_phone),
        ("secondary_phone", normalize_phone),
    ):
        if isinstance(cleaned.get(name), str):
            try:
                cleaned[name] = normalize(cleaned[name])
            except DjangoValidationError as error:
                errors[name] = list(error.messages)
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def _apply(contact: Contact, data: dict[str, Any], *, creating: bool) -> set[str]:
    """Set everything given on `contact` (locations and primary excluded); answer changed fields."""
    changed = set(apply_values(contact, data, CONTACT_FIELDS))
    if "roles" in data:
        before = contact.roles
        contact.roles = data["roles"]
        if before != contact.roles:
            changed |= {f"role_{role}" for role in ROLES}
    if "notify" in data:
        before_notify = contact.notify
        contact.notify = data["notify"]
        if before_notify != contact.notify:
            changed |= {f"notify_{category}" for category in NOTIFY_CATEGORIES}
    elif creating:
        contact.notify = default_notify(contact.roles)
    if "portal" in data:
        portal = data["portal"] or {}
        values = {
            "portal_enabled": bool(portal.get("enabled", contact.portal_enabled)),
            "portal_permissions": [
                p for p in PORTAL_PERMISSIONS if p in portal.get("permissions", contact.portal_permissions)
            ],
            "support_start": portal.get("support_start", contact.support_start),
            "support_end": portal.get("support_end", contact.support_end),
        }
        changed |= set(apply_values(contact, values, values.keys()))
    # A limit is meaningful only for approvers: dropping the role drops the limit.
    if not contact.role_approver and contact.approval_limit is not None and "approval_limit" not in data:
        contact.approval_limit = None
        changed.add("approval_limit")
    return changed


def _check_rules(contact: Contact, locations: list[Location] | None, changed_fields: set[str]) -> None:
    """The rules that span rows; the database holds them too, this gives the clear message."""
    errors: dict[str, list[str]] = {}
    if contact.approval_limit is not None and not contact.role_approver:
        errors["approval_limit"] = ["An approval limit needs the approver role."]
    if locations:
        foreign = [location for location in locations if location.customer_id != contact.customer_id]
        if foreign:
            errors["locations"] = [
                f"Location “{location.name}” ({location.pk}) belongs to another customer."
                for location in foreign
            ]
    manager = contact.reports_to if "reports_to" in changed_fields else None
    if manager is not None:
        if manager.customer_id != contact.customer_id:
            errors["reports_to"] = ["The line manager must be a contact of the same customer."]
        elif contact.pk is not None and _reaches(manager, contact.pk):
            errors["reports_to"] = ["This line manager would form a reporting cycle."]
    if contact.portal_enabled and not contact.email:
        errors["portal"] = ["Portal access needs a valid e-mail address."]
    start, end = contact.support_start, contact.support_end
    if isinstance(start, datetime.date) and isinstance(end, datetime.date) and end < start:
        errors["portal"] = ["The support end date is before the support start date."]
    if contact.is_primary and contact.customer_id is None:
        errors["is_primary"] = ["Only a contact of a customer can be its primary contact."]
    elif contact.is_primary and contact.status != Contact.Status.ACTIVE:
        errors["status" if "status" in changed_fields else "is_primary"] = [
            "An inactive contact cannot be the primary contact; make another contact primary first."
        ]
    if errors:
        raise ValidationFailed(errors)


def _reaches(manager: Contact, contact_pk: int) -> bool:
    """Does walking up from `manager` reach `contact_pk`? (one query per level; chains are short)"""
    seen: set[int] = set()
    current_id: int | None = manager.pk
    while current_id is not None and current_id not in seen:
        if current_id == contact_pk:
            return True
        seen.add(current_id)
        current_id = Contact.objects.filter(pk=current_id).values_list("reports_to_id", flat=True).first()
    return False


def email_holder(email: str, customer_id: int | None, *, excluding: int | None = None) -> Contact | None:
    """The contact of customer `customer_id` (None: the contacts without a customer) other than
    `excluding` that holds the e-mail address `email`, compared as the database's unique indexes
    compare it (`LOWER(email)`, `Contact.Meta.constraints`); None when there is none or `email` is
    empty. One query."""
    if not email:
        return None
    same_customer = Q(customer__isnull=True) if customer_id is None else Q(customer_id=customer_id)
    others = (
        Contact.objects.filter(same_customer)
        .exclude(email="")
        .annotate(email_key=Lower("email"))
        .filter(email_key=Lower(Value(email)))
    )
    if excluding is not None:
        others = others.exclude(pk=excluding)
    return others.only("pk", "first_name", "last_name", "email").order_by("pk").first()


def check_email_free(contact: Contact) -> None:
    """Conflict naming the other contact when another contact of `contact`'s customer (or, for a
    contact without a customer, another contact without one) already has its e-mail address,
    ignoring case: “Another contact of this customer, Jane Smith, already has the e-mail
    jane@example.com.” The rule is the database's (the unique indexes on `LOWER(email)` in
    `Contact.Meta.constraints`); this says who holds the address, before the write. A write racing
    this check is still refused by the index, in the constraint's own words."""
    other = email_holder(contact.email, contact.customer_id, excluding=contact.pk)
    if other is not None:
        whose = "of this customer" if contact.customer_id is not None else "without a customer"
        raise FieldConflict(
            "email", f"Another contact {whose}, {other.full_name}, already has the e-mail {other.email}."
        )


def lock_customer(customer_id: int | None) -> None:
    """Serialise the changes of a rule that spans a customer's contacts (its primary contact, its
    last portal administrator) by locking the customer's row (`versions.lock_rows`)."""
    if customer_id is not None:
        lock_rows(Customer.objects.filter(pk=customer_id))


def _set_primary(contact: Contact, acting_user: Any) -> None:
    """Make `contact` its customer's primary contact, un-marking the previous one: a change of that
    contact too, so Forbidden (nothing changed) unless `acting_user` may change it (a clerk of
    location-level contacts does not un-mark a customer-level primary)."""
    assert contact.customer_id is not None, "checked by the callers"
    lock_customer(contact.customer_id)
    for previous in Contact.objects.filter(customer_id=contact.customer_id, is_primary=True).exclude(
        pk=contact.pk
    ):
        may_change = access.allowed(acting_user, access.CHANGE, previous) and (
            access.may_maintain_customer_contacts(acting_user) or previous.locations.exists()
        )
        if not may_change:
            raise Forbidden(
                f"{previous.full_name} is the customer's primary contact, and you may not change "
                "that contact; ask someone who may to make this contact primary."
            )
        previous.is_primary = False
        set_acting_user(previous, getattr(contact, "_history_user", None))
        previous.save(update_fields=["is_primary", "updated_at"])
    contact.is_primary = True
    contact.save(update_fields=["is_primary", "updated_at"])  # a racing call trips the constraint


def _validate_fields(contact: Contact, changed: set[str] | None = None) -> None:
    """`writes.validate` of every field (a new contact) or of the `changed` ones. is_primary is
    settled by _set_primary (which un-marks the previous primary first), so its unique constraint
    is left to the database here."""
    validate(contact, exclude=["is_primary", "phone_digits"], changed=changed)


@transaction.atomic
def create_contact(*, acting_user: Any, data: Mapping[str, Any]) -> Contact:
    """Create a contact. `notify` defaults from the roles; `is_primary` un-marks the previous
    primary in the same transaction. Then the `hooks.after_contact_saved` run (the portal opens
    the login of a contact given portal access and writes its invitation). Conflict, naming the
    other contact, when another contact of the customer has the e-mail address
    (`check_email_free`)."""
    access.require_model(acting_user, access.ADD, Contact)
    cleaned = _clean_input(data)
    if "notify" not in cleaned:
        # The roles' opt-ins, less the categories whose mail the creator may not route.
        routable = routable_categories(acting_user)
        implied = default_notify(cleaned.get("roles") or [])
        cleaned["notify"] = {category: on and category in routable for category, on in implied.items()}
    # Who may set which field (approval authority, portal access, external_id): contacts.policies.
    access.require_fields(acting_user, Contact, cleaned)
    customer = cleaned.get("customer")
    access.require_customer_in_scope(acting_user, customer.pk if customer else None)
    locations = list(cleaned.get("locations") or [])
    access.require_contact_level(
        acting_user, customer_id=customer.pk if customer else None, location_ids=[loc.pk for loc in locations]
    )
    contact = Contact()
    _apply(contact, cleaned, creating=True)
    contact.is_primary = bool(cleaned.get("is_primary"))
    _check_rules(contact, locations, set(cleaned))
    check_email_free(contact)
    _validate_fields(contact)
    set_acting_user(contact, acting_user)
    make_it_primary = contact.is_primary
    contact.is_primary = False
    with refusals_as_conflicts(), history.one_record(contact, contact_history_records, "+"):
        contact.save()
        if locations:
            contact.locations.set(locations)
        if make_it_primary:
            _set_primary(contact, acting_user)
    hooks.contact_saved(contact=contact, acting_user=acting_user, changed=None, before=None)
    return contact


def _settle_changes(acting_user: Any, contact: Contact, cleaned: Mapping[str, Any], changed: set[str]) -> Any:
    """The rest of an update's changes once its fields are applied (`changed`, completed in
    place): a new address unverified and not bounced, `is_primary` when asked to differ. Then
    the rights they need (notes alone: CHANGE_NOTES; anything else: CHANGE; Forbidden otherwise)
    and the changes noted (`writes.note_changes`). Answers the `is_primary` asked for (None:
    not asked)."""
    if "email" in changed:
        # A new address has not been verified, nor has it bounced.
        contact.email_status = Contact.EmailStatus.UNVERIFIED
        contact.last_verified_at = None
        changed |= {"email_status", "last_verified_at"}
    want_primary = cleaned.get("is_primary")
    if want_primary is not None and bool(want_primary) != contact.is_primary:
        changed.add("is_primary")
    if changed <= {"notes"}:
        access.require(acting_user, access.CHANGE_NOTES, contact)
    else:
        access.require(acting_user, access.CHANGE, contact)
    note_changes(contact, changed)
    return want_primary


@transaction.atomic
def update_contact(
    *, contact: Contact, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Contact:
    """Change the given fields of `contact` (a partial update). Someone who may change only notes
    (technicians) may change nothing else. Stale when `expected_version` is given and no longer
    current (`clientbase.versions.lock`). After a change, the `hooks.after_contact_saved` run (the
    portal: its login and mails, the rules of portal users changing portal access, the last portal
    admin rule; each may refuse the change). Conflict, naming the other contact, when a new e-mail
    address is another contact's of the same customer (`check_email_free`). The contact answered
    carries the fields changed (`writes.changes_of`; empty when nothing was)."""
    cleaned = _clean_input(data)
    contact = lock(contact, expected_version=expected_version)
    before = copy.copy(contact)  # as stored, for the hooks (the portal's last-admin rule)
    # Who may change which field (contacts.policies); the customer changes only by `move_contact`.
    access.require_fields(acting_user, contact, cleaned)
    changed = _apply(contact, cleaned, creating=False)
    locations: list[Location] | None = None
    if "locations" in cleaned:
        locations = list(cleaned["locations"] or [])
        old_location_ids = sorted(contact.locations.values_list("pk", flat=True))
        if sorted(loc.pk for loc in locations) != old_location_ids:
            changed.add("locations")
    want_primary = _settle_changes(acting_user, contact, cleaned, changed)
    if not changed:
        return contact

    if "locations" in changed:
        access.require_contact_level(
            acting_user, customer_id=contact.customer_id, location_ids=[loc.pk for loc in locations or []]
        )
    if want_primary is False:
        contact.is_primary = False
    if want_primary and contact.customer_id is None:
        raise ValidationFailed({"is_primary": ["Only a contact of a customer can be its primary contact."]})
    if want_primary and contact.status != Contact.Status.ACTIVE:
        raise ValidationFailed({"is_primary": ["An inactive contact cannot be the primary contact."]})
    # The stored links belong to the contact's customer (the database holds that rule), and the
    # customer changes only by `move_contact`: only new links need checking.
    _check_rules(contact, locations if "locations" in changed else None, changed)
    if "email" in changed:
        check_email_free(contact)
    _validate_fields(contact, changed)
    set_acting_user(contact, acting_user)
    with refusals_as_conflicts(), history.one_record(contact, contact_history_records, "~"):
        field_names = [name for name in changed if name not in ("locations",)]
        if want_primary:
            field_names = [name for name in field_names if name != "is_primary"]
        if field_names or "locations" in changed:  # a change of the locations alone is a version too
            contact.save(update_fields=[*field_names, "updated_at"])
        if locations is not None and "locations" in changed:
            contact.locations.set(locations)
        if want_primary and not Contact.objects.filter(pk=contact.pk, is_primary=True).exists():
            _set_primary(contact, acting_user)
    hooks.contact_saved(contact=contact, acting_user=acting_user, changed=changed, before=before)
    return contact


@transaction.atomic
def make_primary(*, contact: Contact, acting_user: Any) -> Contact:
    """Make `contact` its customer's primary contact; the previous primary stops being one."""
    access.require(acting_user, access.CHANGE, contact)
    access.require_fields(acting_user, contact, {"is_primary": True})  # the primary routes mail
    if contact.customer_id is None:
        raise Conflict("A contact without a customer cannot be a primary contact.")
    if contact.status != Contact.Status.ACTIVE:
        raise Conflict("An inactive contact cannot be the primary contact.")
    set_acting_user(contact, acting_user)
    with refusals_as_conflicts():
        _set_primary(contact, acting_user)
    return contact


# What `confirm_details` writes (with `updated_at` and the version, as every save does).
DETAILS_CONFIRMED_FIELDS = ("details_confirmed_at", "details_confirmed_by")


@transaction.atomic
def confirm_details(*, contact: Contact, acting_user: Any) -> Contact:
    """Record that `acting_user` confirmed `contact`'s details as current, now
    (`details_confirmed_at`, `details_confirmed_by`; again on each confirmation). Nothing else of
    the contact changes (its e-mail verification, `last_verified_at`, neither); its version goes
    up and its history records the confirmation with `acting_user`. Answers the contact as stored
    (re-read under its row lock, `versions.lock`). Forbidden unless `acting_user` may
    CONFIRM_DETAILS (whoever may change the contact or only its notes); NotFound when the contact
    no longer exists."""
    access.require(acting_user, access.CONFIRM_DETAILS, contact)
    contact = lock(contact)
    contact.details_confirmed_at = timezone.now()
    contact.details_confirmed_by = acting_user
    set_acting_user(contact, acting_user)
    with refusals_as_conflicts():
        contact.save(update_fields=[*DETAILS_CONFIRMED_FIELDS, "updated_at"])
    note_changes(contact, DETAILS_CONFIRMED_FIELDS)
    return contact


# What a copy of a contact does not take over: the keys that are one contact's within its customer.
DUPLICATE_LEAVES_EMPTY = ("email", "external_id")


def duplicate_values(*, contact: Contact, acting_user: Any) -> dict[str, Any]:
    """What a copy of `contact` is created with (`create_contact`'s data): same customer,
    locations (a list of Location), roles, notifications and details; never primary, without
    e-mail address (one person's within a customer: `Contact.Meta.constraints`), hence without
    portal access (which needs one), and without external id (also unique within the customer);
    with the approver role and approval limit only when `acting_user` may give approval authority
    (`contacts.set_approval_authority`), else without them. Nothing is written. Forbidden unless
    `acting_user` may add contacts, and add this one (a customer-level contact needs
    `maintain_customer_contacts`)."""
    access.require_model(acting_user, access.ADD, Contact)
    locations = list(contact.locations.all())
    access.require_contact_level(
        acting_user, customer_id=contact.customer_id, location_ids=[loc.pk for loc in locations]
    )
    data: dict[str, Any] = {
        name: getattr(contact, name) for name in CONTACT_FIELDS if name not in DUPLICATE_LEAVES_EMPTY
    }
    data.update(roles=contact.roles, notify=contact.notify, locations=locations)
    locked = access.locked_fields(acting_user, Contact)
    if "roles" in locked or "approval_limit" in locked:
        data.update(roles=[role for role in contact.roles if role != "approver"], approval_limit=None)
    return data


@transaction.atomic
def duplicate_contact(*, contact: Contact, acting_user: Any) -> Contact:
    """A new contact copied from `contact`, created at once (the API's `duplicate/`): with the
    values of `duplicate_values` (its rules and refusals)."""
    return create_contact(
        acting_user=acting_user, data=duplicate_values(contact=contact, acting_user=acting_user)
    )


# What ends when a contact moves to another customer: the values it then has.
MOVED_VALUES: dict[str, Any] = {
    "reports_to": None,
    "is_primary": False,
    "portal_enabled": False,
    "portal_permissions": [],
    "support_start": None,
    "support_end": None,
    "role_approver": False,
    "approval_limit": None,
    "external_id": "",
    # Notes written while the contact belonged to the old customer are that customer's (door
    # codes, who approves what); the new customer's people do not read them.
    "notes": "",
}


@transaction.atomic
def move_contact(
    *,
    acting_user: Any,
    contact: Contact,
    customer: Customer | None,
    expected_version: ExpectedVersion = None,
) -> Contact:
    """Move `contact` to `customer` (None: to no customer). The one way a contact's customer
    changes (an update refuses it): for staff who may change contacts and maintain customer-level
    contacts (`access.MOVE`), since the contact arrives linked to no location.

    In one transaction, everything that belonged to the old customer ends: the contact's portal
    access (the portal's receiver of `signals.contact_moving` closes its login and ends its
    sessions and API tokens; its portal permissions and support dates are cleared), its
    locations, its line manager, its direct reports' links to it (they are left without a line
    manager, as when a contact is deleted: the move is an explicit staff decision, and its
    confirmation lists them), the primary flag, its approval authority (the approver role and
    limit were given for the old customer's money), its external_id (the old customer's key
    for it) and its notes (written for the old customer). Each change is recorded in the history
    with `acting_user`.

    Raises Forbidden (may not move contacts), NotFound (`customer` not visible to the user),
    ValidationFailed on `customer` (already the contact's customer), Conflict (another contact of
    `customer` has the contact's e-mail address, ignoring case: `email_holder`), Stale
    (`expected_version` no longer current)."""
    access.require(acting_user, access.MOVE, contact)
    if customer is not None and not access.allowed(acting_user, access.VIEW, customer):
        raise NotFound("Customer not found.")
    contact = lock(contact, expected_version=expected_version)
    target_id = customer.pk if customer is not None else None
    if contact.customer_id == target_id:
        raise ValidationFailed({"customer": ["The contact already belongs to this customer."]})
    access.require_contact_level(acting_user, customer_id=target_id, location_ids=[])
    holder = email_holder(contact.email, target_id, excluding=contact.pk)
    if holder is not None:
        whose = f"of {customer.name}" if customer is not None else "without a customer"
        raise Conflict(
            f"Another contact {whose}, {holder.full_name}, already has the e-mail {holder.email}; "
            "change or clear this contact's e-mail address before moving it."
        )
    lock_customer(contact.customer_id)  # its primary flag goes
    contact_moving.send(sender=Contact, contact=contact, acting_user=acting_user)
    contact = lock(contact)  # as the portal left it
    with refusals_as_conflicts():
        for report in contact.direct_reports.all():
            report.reports_to = None
            set_acting_user(report, acting_user)
            report.save(update_fields=["reports_to", "updated_at"])
    set_acting_user(contact, acting_user)
    with refusals_as_conflicts(), history.one_record(contact, contact_history_records, "~"):
        contact.locations.clear()  # first: the database refuses a move with the old sites
        contact.customer = customer
        for name, value in MOVED_VALUES.items():
            setattr(contact, name, value)
        contact.save(update_fields=["customer", *MOVED_VALUES, "updated_at"])
    return contact


@transaction.atomic
def delete_contact(*, contact: Contact, acting_user: Any, expected_version: ExpectedVersion = None) -> None:
    """Delete `contact`. Records that name it keep the stored name; its direct reports lose their
    line manager; its history keeps a record of the deletion. The `hooks` run before the row goes
    (the portal closes its login, an open one recorded in the audit log as `portal.revoked`,
    reason "deleted") and after (the portal's last portal admin rule, which may refuse the delete:
    Conflict). Stale when `expected_version` is given and no longer current
    (`clientbase.versions.lock`)."""
    access.require(acting_user, access.DELETE, contact)
    # The customer first, then the contact: the rules that count the customer's contacts after the
    # delete (the last portal admin) lock it too, and two deletes in one customer must not each
    # hold what the other waits for.
    lock_customer(contact.customer_id)
    contact = lock(contact, expected_version=expected_version)
    set_acting_user(contact, acting_user)
    with refusals_as_conflicts():
        for report in contact.direct_reports.all():
            report.reports_to = None
            set_acting_user(report, acting_user)
            report.save(update_fields=["reports_to", "updated_at"])
        hooks.contact_deleting(contact=contact, acting_user=acting_user)
        contact.delete()
    hooks.contact_deleted(contact=contact, acting_user=acting_user)


# Bulk writes ------------------------------------------------------------------------------------

# What `bulk_save_contacts` leaves to the one-by-one services: making a contact primary un-marks
# another contact (`_set_primary`), locations and line managers read other rows, portal access opens
# or closes a login (`hooks`).
BULK_LEAVES_TO_SERVICES = ("portal", "locations", "reports_to")


class BulkRefused(Exception):
    """The database (or a hook) refused a write of `bulk_save_contacts`: nothing of the batch
    stays, and its contacts are to be written one by one (`create_contact`, `update_contact`),
    which name the row that breaks the rule."""


@dataclass
class BulkContact:
    """One contact of `bulk_save_contacts`. Given: `contact`, the stored contact (read locked in the
    caller's transaction) or None to create one, and `data`, the values as `create_contact` and
    `update_contact` take them. Answered: `saved`, the contact as written (None when refused);
    `changed`, None for a created contact, else the fields changed (empty: nothing written);
    `error`, the ServiceError that refuses this contact (nothing of it written)."""

    contact: Contact | None
    data: Mapping[str, Any]
    saved: Contact | None = None
    changed: set[str] | None = None
    error: ServiceError | None = None


def bulk_supports(contact: Contact | None, data: Mapping[str, Any]) -> bool:
    """Whether `bulk_save_contacts` writes this contact exactly as the one-by-one services do:
    not when `data` makes it primary or sets portal access, locations or the line manager
    (BULK_LEAVES_TO_SERVICES), nor for a contact with portal access or a login (the portal's hooks
    may act on any change), nor for an e-mail address beyond ASCII (the database and Python fold
    its case differently)."""
    if any(name in data for name in BULK_LEAVES_TO_SERVICES) or data.get("is_primary"):
        return False
    if contact is not None and (contact.user_id is not None or contact.portal_enabled):
        return False
    emails = (data.get("email"), contact.email if contact is not None else "")
    return all(isinstance(email, str | None) and (email or "").isascii() for email in emails)


def bulk_save_contacts(*, acting_user: Any, contacts: list[BulkContact]) -> None:
    """Create and update `contacts` (each `bulk_supports`) with the rules of `create_contact` and
    `update_contact`, in their order, but with a fixed number of queries: every rule the services
    check in Python is checked here the same way (access, field policies, input cleaning, the rules
    spanning rows, text rules, the fields' own rules); e-mail addresses against the stored contacts
    read in one query and against the earlier contacts of the batch; then one UPDATE of the changed
    contacts and one INSERT of the new ones (`writes.update_rows`, `writes.insert_rows`: COPY on
    PostgreSQL), one INSERT of their history records (and history of the links they keep,
    `history.bulk_records`); then the `hooks` of each contact, in order.

    A contact refused by a rule gets its `error` and nothing of it is written; the others are. The
    constraints of the database (`Contact.Meta.constraints`: unique external ids and e-mail
    addresses, the check constraints) are left to it: when it refuses anything, or a hook refuses,
    the whole batch is rolled back and BulkRefused raised, so that the caller writes the batch one
    by one. Run inside the caller's transaction; the stored contacts must be locked by it
    (`versions.lock_rows`). A contact given twice is refused as a batch (BulkRefused)."""
    pks = [item.contact.pk for item in contacts if item.contact is not None]
    if len(pks) != len(set(pks)):
        raise BulkRefused("A contact is changed twice in one batch.")
    holders = _email_holders(contacts)
    routable: set[str] | None = None
    created: list[Contact] = []
    updated: list[tuple[Contact, set[str], Contact]] = []
    saved: list[tuple[Contact, set[str] | None, Contact | None]] = []  # for the hooks, in order
    for item in contacts:
        try:
            if item.contact is None:
                if routable is None:
                    routable = routable_categories(acting_user)
                contact = _bulk_create_one(acting_user, item.data, routable, holders)
                created.append(contact)
                saved.append((contact, None, None))
                item.saved = contact
            else:
                before = copy.copy(item.contact)
                changed = _bulk_update_one(acting_user, item.contact, item.data, holders)
                item.saved, item.changed = item.contact, changed
                if changed:
                    updated.append((item.contact, changed, before))
                    saved.append((item.contact, changed, before))
        except ServiceError as error:
            item.error, item.saved = error, None
    try:
        with transaction.atomic():
            _bulk_write(created, updated)
            for contact, fields, earlier in saved:
                hooks.contact_saved(contact=contact, acting_user=acting_user, changed=fields, before=earlier)
    except (IntegrityError, ServiceError) as error:
        raise BulkRefused(str(error)) from error


EmailKey = tuple[int | None, str]


def _email_key(customer_id: int | None, email: str) -> EmailKey:
    """An address as the unique indexes compare it: within the customer, LOWER(email) (ASCII)."""
    return (customer_id, email.lower())


def _email_holders(contacts: list[BulkContact]) -> dict[EmailKey, Contact]:
    """The stored contacts holding the addresses the batch writes, by `_email_key`: one query."""
    wanted: set[EmailKey] = set()
    for item in contacts:
        email = item.data.get("email")
        if not isinstance(email, str) or not email.strip():
            continue
        # An ASCII address (`bulk_supports`) differs from its stored form only in the case of its
        # domain; one that does not is refused as it is written, and the unique index on
        # LOWER(email) is the last wall.
        customer_id = item.data["customer"].pk if item.contact is None and item.data.get("customer") else None
        if item.contact is not None:
            customer_id = item.contact.customer_id
        wanted.add(_email_key(customer_id, email.strip()))
    if not wanted:
        return {}
    found = (
        Contact.objects.exclude(email="")
        .annotate(email_key=Lower("email", output_field=CharField()))
        .filter(email_key__in={email for _, email in wanted})
        .only("pk", "customer_id", "first_name", "last_name", "email")
        .order_by("pk")
    )
    holders: dict[EmailKey, Contact] = {}
    for contact in found:
        key = (contact.customer_id, contact.email_key)  # as the database folds it
        if key in wanted:
            holders.setdefault(key, contact)
    return holders


def _check_email_in_batch(contact: Contact, holders: dict[EmailKey, Contact]) -> None:
    """`check_email_free` against `holders` (the stored holders and the batch's earlier contacts)."""
    if not contact.email:
        return
    other = holders.get(_email_key(contact.customer_id, contact.email))
    if other is not None and (contact.pk is None or other.pk != contact.pk):
        whose = "of this customer" if contact.customer_id is not None else "without a customer"
        raise FieldConflict(
            "email", f"Another contact {whose}, {other.full_name}, already has the e-mail {other.email}."
        )


def _hold_email(contact: Contact, previous: str, holders: dict[EmailKey, Contact]) -> None:
    """The batch's `contact` now holds its address (and no longer `previous`)."""
    if previous:
        old = _email_key(contact.customer_id, previous)
        if holders.get(old) is not None and holders[old].pk == contact.pk:
            del holders[old]
    if contact.email:
        holders[_email_key(contact.customer_id, contact.email)] = contact


def _bulk_create_one(
    acting_user: Any, data: Mapping[str, Any], routable: set[str], holders: dict[EmailKey, Contact]
) -> Contact:
    """`create_contact` up to its write, for a contact `bulk_supports`."""
    access.require_model(acting_user, access.ADD, Contact)
    cleaned = _clean_input(data)
    if "notify" not in cleaned:
        implied = default_notify(cleaned.get("roles") or [])
        cleaned["notify"] = {category: on and category in routable for category, on in implied.items()}
    access.require_fields(acting_user, Contact, cleaned)
    customer = cleaned.get("customer")
    access.require_customer_in_scope(acting_user, customer.pk if customer else None)
    access.require_contact_level(acting_user, customer_id=customer.pk if customer else None, location_ids=[])
    contact = Contact()
    _apply(contact, cleaned, creating=True)
    contact.is_primary = False
    _check_rules(contact, [], set(cleaned))
    _check_email_in_batch(contact, holders)
    _validate_in_batch(contact)
    set_acting_user(contact, acting_user)
    _hold_email(contact, "", holders)
    return contact


def _bulk_update_one(
    acting_user: Any, contact: Contact, data: Mapping[str, Any], holders: dict[EmailKey, Contact]
) -> set[str]:
    """`update_contact` up to its write, for a contact `bulk_supports`; answers the fields changed."""
    cleaned = _clean_input(data)
    previous_email = contact.email
    access.require_fields(acting_user, contact, cleaned)
    changed = _apply(contact, cleaned, creating=False)
    want_primary = _settle_changes(acting_user, contact, cleaned, changed)
    if not changed:
        return changed
    if want_primary is False:
        contact.is_primary = False
    _check_rules(contact, None, changed)
    if "email" in changed:
        _check_email_in_batch(contact, holders)
    _validate_in_batch(contact, changed)
    set_acting_user(contact, acting_user)
    _hold_email(contact, previous_email, holders)  # named by its new name when it holds an address
    return changed


def _validate_in_batch(contact: Contact, changed: set[str] | None = None) -> None:
    """`_validate_fields` without a query: the text rules and the fields' own rules, the
    constraints left to the database (whose refusal makes the batch go one by one). A contact these
    refuse is validated again by `_validate_fields`, so that its error names every rule it breaks,
    the constraints' too. The customer is not looked up again (the caller read it), and phones and
    e-mail addresses, which `_clean_input` and `apply_values` put in their stored form, are checked
    in that form without being parsed again."""
    excluded = {"is_primary", "phone_digits"}
    if changed is not None:
        excluded |= untouched_fields(contact, changed)
    text_errors = text.clean_instance(contact, list(excluded))
    errors: dict[str, list[str]] = {}
    canonical = [
        field
        for field in Contact._meta.concrete_fields
        if hasattr(field, "to_canonical") and field.name not in excluded and field.name not in text_errors
    ]
    skipped = excluded | set(text_errors) | {"customer"} | {field.name for field in canonical}
    try:
        contact.full_clean(exclude=list(skipped), validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        errors = ValidationFailed.from_django(error).errors
    for field in canonical:
        try:
            value = getattr(contact, field.attname)
            field.validate(value, contact)
            field.run_validators(value)
        except DjangoValidationError as error:
            errors.setdefault(field.name, []).extend(error.messages)
    if errors or text_errors:
        _validate_fields(contact, changed)
        errors.update(text_errors)  # when only the rules above refuse
        raise ValidationFailed(errors)


def _bulk_write(created: list[Contact], updated: list[tuple[Contact, set[str], Contact]]) -> None:
    """One UPDATE of `updated` (each with the fields it changed, its derived fields, `updated_at`
    and its version one up), then one INSERT of `created` (after the updates, so that an address or
    external id an update gives up is free for a new contact), and their history records."""
    if updated:
        now = timezone.now()
        fields: set[str] = {"updated_at", "version"}
        for contact, changed, _ in updated:
            written = changed - {"locations"}
            fields |= written | contact.derive_fields(written | {"updated_at"})
            contact.updated_at = now
            contact.version = (contact.version or 0) + 1
        update_rows(Contact, [contact for contact, _, _ in updated], sorted(fields))
        history.bulk_records(contact_history_records, [contact for contact, _, _ in updated], "~")
    if created:
        for contact in created:  # the customer as `_apply` set it: no query
            name = contact.customer.name if contact.customer is not None else ""
            contact.derive_fields(None, customer_name=name)
        insert_rows(Contact, created)
        history.bulk_records(contact_history_records, created, "+")
