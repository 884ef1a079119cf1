"""The contacts app's rules, registered with `clientbase.access` by `ContactsConfig.ready()`.

Who may do what to a contact, beyond the Django permissions of its actions:
- portal users with `edit_contacts` view, add, change and delete their customer's contacts, never
  deleting themselves; portal admins manage their colleagues' portal access, never their own;
- staff without `contacts.maintain_customer_contacts` change and delete only location-level
  contacts;
- confirming a contact's details (`CONFIRM_DETAILS`) is for whoever may change the contact or
  only its notes (technicians), staff or portal users with `edit_contacts`;
- field rules: approval authority (`roles` gaining or losing `approver`, `approval_limit`) needs
  `contacts.set_approval_authority`; portal access (`portal`) needs the right to manage it (staff
  who may change contacts, a customer's portal admin for its colleagues); `external_id` needs
  staff change rights; `customer` never changes in an update, only through the move action; the
  e-mail address and portal access of an approver (whoever holds them approves in its name) need
  `contacts.set_approval_authority`, or are the approver's own sign-in e-mail;
- mail of a notification category carries what that category's records show (work orders,
  quotes, invoices): a portal user decides where such mail goes (opting a contact in, changing the
  address of a contact opted in) only when it may see those records itself (`CATEGORY_RECORDS`);
  a new contact's opt-ins implied by its roles leave out the categories its portal creator may not
  see (`routable_categories`)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q
from django.utils.dateparse import parse_date

from clientbase.access import (
    ADD,
    ADMIN_CAPABILITY,
    CHANGE,
    CHANGE_NOTES,
    CONFIRM_DETAILS,
    DELETE,
    MAINTAIN_CUSTOMER_CONTACTS,
    MANAGE_PORTAL,
    MOVE,
    PORTAL,
    SET_APPROVAL_AUTHORITY,
    SET_EXTERNAL_ID,
    STAFF,
    STANDARD_ACTIONS,
    VIEW,
    FieldRule,
    Policy,
    RowRule,
    all_of,
    any_of,
    can,
    portal_contact,
)
from clientbase.contacts.models import ContactLocation
from clientbase.vocabulary import NotificationCategory, PortalCapability

CHANGE_CONTACT = "contacts.change_contact"
SET_APPROVAL_AUTHORITY_PERMISSION = "contacts.set_approval_authority"


# Rows -------------------------------------------------------------------------------------------


def location_level(actor: Any) -> Q:
    """Contacts linked to at least one location (and contacts of no customer)."""
    return Q(customer__isnull=True) | Q(Exists(ContactLocation.objects.filter(contact=OuterRef("pk"))))


def not_oneself(actor: Any) -> Q:
    return ~Q(pk=actor.pk)


def oneself(actor: Any) -> Q:
    return Q(pk=actor.pk)


# Stored values and what counts as a change --------------------------------------------------------


def stored_customer(contact: Any) -> int | None:
    return contact.customer_id if contact is not None else None


def customer_differs(stored: int | None, given: Any) -> bool:
    return getattr(given, "pk", given) != stored


def stored_roles(contact: Any) -> list[str]:
    return list(contact.roles) if contact is not None else []


def approver_differs(stored: list[str], given: Any) -> bool:
    """Only gaining or losing `approver` is approval authority; other roles are free."""
    return ("approver" in stored) != ("approver" in (given or []))


def stored_limit(contact: Any) -> Decimal | None:
    return contact.approval_limit if contact is not None else None


def _decimal(value: Any) -> Decimal | object | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return object()  # equal to nothing stored


def limit_differs(stored: Decimal | None, given: Any) -> bool:
    return _decimal(given) != stored


def stored_portal(contact: Any) -> dict[str, Any]:
    if contact is None:
        return {"enabled": False, "permissions": [], "support_start": None, "support_end": None}
    return {
        "enabled": contact.portal_enabled,
        "permissions": list(contact.portal_permissions or []),
        "support_start": contact.support_start,
        "support_end": contact.support_end,
    }


def _date(value: Any) -> datetime.date | object | None:
    if value is None or value == "" or isinstance(value, datetime.date):
        return value or None
    try:
        return parse_date(str(value)) or object()
    except ValueError:
        return object()


def portal_differs(stored: dict[str, Any], given: Any) -> bool:
    """Any of the keys given (enabled, permissions, support dates) differs from what is stored."""
    for key, value in (given or {}).items():
        if key == "enabled" and bool(value) != stored["enabled"]:
            return True
        if key == "permissions" and set(value or []) != set(stored["permissions"]):
            return True
        if key in ("support_start", "support_end") and _date(value) != stored[key]:
            return True
    return False


def is_approver(contact: Any) -> bool:
    return contact is not None and bool(contact.role_approver)


def opens_login(stored: dict[str, Any], given: Any) -> bool:
    """Opening a portal login (its invitation goes to the contact's address); ending one, or
    changing the capabilities and dates of an existing one, gives nobody new the contact's name."""
    return not stored["enabled"] and bool((given or {}).get("enabled"))


def stored_external_id(contact: Any) -> str:
    return contact.external_id if contact is not None else ""


def text_differs(stored: str, given: Any) -> bool:
    return str(given or "").strip() != stored


# The records each notification category's mail shows (by label: the apps that hold them build on
# contacts); seeing them (VIEW) is what a portal user needs to route that mail.
# (label, their name in a refusal).
CATEGORY_RECORDS = {
    NotificationCategory.WORK_ORDERS: ("workorders.workorder", "work orders"),
    NotificationCategory.COMPLETIONS: ("workorders.workorder", "work orders"),
    NotificationCategory.QUOTES: ("workorders.quote", "quotes"),
    NotificationCategory.INVOICES: ("workorders.invoice", "invoices"),
}
PORTAL_ONLY = frozenset({PORTAL})


def routable_categories(actor: Any) -> set[str]:
    """The notification categories whose mail `actor` may route (see the module's rules)."""
    return {category for category, (label, _) in CATEGORY_RECORDS.items() if access_to_records(actor, label)}


def access_to_records(actor: Any, label: str) -> bool:
    return portal_contact(actor) is None or can(actor, VIEW, apps.get_model(label))


def stored_notify(contact: Any) -> dict[str, bool]:
    return contact.notify if contact is not None else dict.fromkeys(NotificationCategory.values, False)


def opts_into(category: str) -> Any:
    def differs(stored: dict[str, bool], given: Any) -> bool:
        """`given` turns `category` on where it is off."""
        return isinstance(given, dict) and bool(given.get(category)) and not stored[category]

    return differs


def opted_into(category: str) -> Any:
    def applies(contact: Any) -> bool:
        return contact is not None and bool(getattr(contact, f"notify_{category}"))

    return applies


def stored_email(contact: Any) -> str:
    return contact.email if contact is not None else ""


def email_differs(stored: str, given: Any) -> bool:
    return str(given or "").strip().lower() != stored.lower()


# The categories whose mail the primary contact gets when nobody opted in
# (`notifications.routing`, rule 4; never quotes, which need an approver's authority).
PRIMARY_STANDS_IN_FOR = (
    NotificationCategory.WORK_ORDERS,
    NotificationCategory.COMPLETIONS,
    NotificationCategory.INVOICES,
)


def stored_is_primary(contact: Any) -> bool:
    return contact is not None and bool(contact.is_primary)


def becomes_primary(stored: bool, given: Any) -> bool:
    return bool(given) and not stored


def is_primary_contact(contact: Any) -> bool:
    return contact is not None and bool(contact.is_primary)


def _routing_rules(
    label: str, reason: str, field: str, stored: Any, differs: Any, receives: Any
) -> tuple[FieldRule, FieldRule]:
    """Seeing the records of `label` is needed to change `field` so that a contact gets their mail
    (`differs`), and to change the address of a contact that gets it (`receives`); portal users
    only."""
    return (
        FieldRule(field, VIEW, reason, stored, differs, on=label, actors=PORTAL_ONLY),
        FieldRule(
            "email", VIEW, reason, stored_email, email_differs, applies=receives, on=label, actors=PORTAL_ONLY
        ),
    )


def primary_routing_rules() -> tuple[FieldRule, ...]:
    """The primary contact stands in for whoever did not opt in: making a contact primary, or
    changing the primary's address, routes that mail, so it needs the right to see it too."""
    rules: list[FieldRule] = []
    for label, records in dict(CATEGORY_RECORDS[category] for category in PRIMARY_STANDS_IN_FOR).items():
        reason = (
            f"the primary contact gets {records} mail that nobody else opted into; a portal user who may "
            f"not see {records} does not decide where that mail goes."
        )
        rules += _routing_rules(
            label, reason, "is_primary", stored_is_primary, becomes_primary, is_primary_contact
        )
    return tuple(rules)


def category_routing_rules() -> tuple[FieldRule, ...]:
    """Opting a contact into a category, or changing the address of a contact opted in, routes
    that category's mail."""
    rules: list[FieldRule] = []
    for category, (label, records) in CATEGORY_RECORDS.items():
        reason = (
            f"“{category.replace('_', ' ')}” mail shows {records}; a portal user who may not see "
            f"{records} does not decide where that mail goes."
        )
        rules += _routing_rules(
            label, reason, "notify", stored_notify, opts_into(category), opted_into(category)
        )
    return tuple(rules)


MOVE_ONLY = (
    "A contact's customer changes only through the move action (POST contacts/{id}/move/, or "
    "“Move to another customer” on its staff page), which ends its portal access; an update "
    "cannot change it."
)
APPROVAL_AUTHORITY = (
    "approval authority (the approver role and the approval limit) is given and taken only by "
    "staff holding the “set approval authority” permission."
)

# Whoever controls an approver's e-mail address and portal login approves quotes in its name, so
# changing them is a change of approval authority: staff with that permission, or the approver
# itself (its own sign-in e-mail, behind its password).
CHANGE_APPROVER_LOGIN = "change_approver_login"
APPROVER_LOGIN = (
    "the e-mail address and portal access of a contact with approval authority decide who approves "
    "in its name; they are changed only by the contact itself and by staff holding the “set "
    "approval authority” permission."
)

CONTACT_POLICY = Policy(
    model="contacts.contact",
    customer_path="customer_id",
    actions=(
        *STANDARD_ACTIONS,
        CHANGE_NOTES,
        MANAGE_PORTAL,
        SET_APPROVAL_AUTHORITY,
        CHANGE_APPROVER_LOGIN,
        SET_EXTERNAL_ID,
        MOVE,
        CONFIRM_DETAILS,
    ),
    staff={
        CHANGE_NOTES: any_of(CHANGE_CONTACT, "contacts.change_contact_notes"),
        MANAGE_PORTAL: any_of(CHANGE_CONTACT),
        SET_APPROVAL_AUTHORITY: any_of(SET_APPROVAL_AUTHORITY_PERMISSION),
        CHANGE_APPROVER_LOGIN: any_of(SET_APPROVAL_AUTHORITY_PERMISSION),
        SET_EXTERNAL_ID: any_of(CHANGE_CONTACT),
        # The moved contact loses its locations: it lands as a customer-level contact.
        MOVE: all_of(CHANGE_CONTACT, MAINTAIN_CUSTOMER_CONTACTS),
        # Whoever may change a contact, or only its notes (technicians at a service visit).
        CONFIRM_DETAILS: any_of(CHANGE_CONTACT, "contacts.change_contact_notes"),
    },
    portal_everyone=frozenset({CHANGE_APPROVER_LOGIN}),
    portal_capabilities={
        PortalCapability.EDIT_CONTACTS: frozenset({VIEW, ADD, CHANGE, CHANGE_NOTES, DELETE, CONFIRM_DETAILS}),
        ADMIN_CAPABILITY: frozenset({MANAGE_PORTAL}),
    },
    rows=(
        RowRule(frozenset({DELETE}), frozenset({PORTAL}), not_oneself, "You cannot delete yourself."),
        RowRule(
            frozenset({MANAGE_PORTAL}),
            frozenset({PORTAL}),
            not_oneself,
            "You cannot change your own portal access.",
        ),
        RowRule(
            frozenset({CHANGE_APPROVER_LOGIN}),
            frozenset({PORTAL}),
            oneself,
            "only the approver itself may change its own sign-in e-mail.",
        ),
        RowRule(
            frozenset({CHANGE, DELETE}),
            frozenset({STAFF}),
            location_level,
            "This is a customer-level contact; you may only maintain location-level contacts.",
            unless_permission=MAINTAIN_CUSTOMER_CONTACTS,
        ),
    ),
    fields=(
        FieldRule("customer", MOVE, MOVE_ONLY, stored_customer, customer_differs, only_through=MOVE),
        FieldRule("roles", SET_APPROVAL_AUTHORITY, APPROVAL_AUTHORITY, stored_roles, approver_differs),
        FieldRule("approval_limit", SET_APPROVAL_AUTHORITY, APPROVAL_AUTHORITY, stored_limit, limit_differs),
        FieldRule(
            "portal",
            MANAGE_PORTAL,
            "portal access is granted and changed only by a portal admin of the customer (for "
            "colleagues) and by staff who may change contacts.",
            stored_portal,
            portal_differs,
        ),
        FieldRule(
            "email",
            CHANGE_APPROVER_LOGIN,
            APPROVER_LOGIN,
            stored_email,
            email_differs,
            applies=is_approver,
        ),
        FieldRule(
            "portal",
            CHANGE_APPROVER_LOGIN,
            APPROVER_LOGIN,
            stored_portal,
            opens_login,
            applies=is_approver,
        ),
        FieldRule(
            "external_id",
            SET_EXTERNAL_ID,
            "the external ID is set only by staff who may change contacts.",
            stored_external_id,
            text_differs,
        ),
        *category_routing_rules(),
        *primary_routing_rules(),
    ),
)

CONTACT_LOCATION_POLICY = Policy(model="contacts.contactlocation", customer_path="contact__customer_id")

POLICIES = (CONTACT_POLICY, CONTACT_LOCATION_POLICY)
