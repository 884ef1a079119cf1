"""Who gets an event, and why: the one resolver behind the emitters and the preview.

The five rules of API.md "Notification events and routing", for an event of customer C (at
location L, for amount A):

1. active contacts of C with a deliverable e-mail (not `bounced`) who opted into the category;
2. with L given, contacts linked only to other locations drop out (customer-level contacts stay);
3. `quote.sent` goes only to role `approver` with `approval_limit` null or >= A;
4. nobody left: the primary contact, if deliverable (not for `quote.sent`: an approval needs
   authority, so the answer warns that no approver qualifies);
5. each person once (one contact, one address).

`resolve_recipients` reads every candidate in one query, whatever their number, and applies the
rules in Python so that it can also say why someone who opted in gets nothing (a bounced address,
a limit below the amount)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet, Value

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.money import format_money
from clientbase.notifications.events import EVENTS, QUOTE_SENT


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    name: str
    email: str
    reason: str


@dataclass
class Routing:
    """The recipients of one event, each with the reason it was chosen, and what the caller should
    know (nobody opted in, an address bounced, no approver qualifies)."""

    event: str
    recipients: list[Recipient] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _with_location_links(queryset: QuerySet[Contact], location_id: int | None) -> QuerySet[Contact]:
    """Annotate `linked_here` (linked to the location) and `linked_anywhere` (to any location)."""
    here = (
        Exists(ContactLocation.objects.filter(contact=OuterRef("pk"), location_id=location_id))
        if location_id is not None
        else Value(False)
    )
    return queryset.annotate(
        linked_here=here, linked_anywhere=Exists(ContactLocation.objects.filter(contact=OuterRef("pk")))
    )


# What routing reads of each candidate (with the event's opt-in): a customer of 10,000 contacts
# is read without their notes, addresses and search documents.
ROUTING_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "email_status",
    "status",
    "is_primary",
    "role_approver",
    "approval_limit",
)


def _deliverable(contact: Contact) -> bool:
    return (
        contact.status == Contact.Status.ACTIVE
        and bool(contact.email)
        and contact.email_status != Contact.EmailStatus.BOUNCED
    )


def resolve_recipients(
    *, event: str, customer_id: int, location_id: int | None = None, amount: Decimal | None = None
) -> Routing:
    """The recipients of `event` for customer `customer_id` (at `location_id`, for `amount`), in
    one query. `amount` is required for `quote.sent`."""
    spec = EVENTS[event]
    if event == QUOTE_SENT and amount is None:
        raise ValueError("quote.sent needs the amount of the quote")
    opted_in = f"notify_{spec.category}"
    asked = Contact.objects.filter(customer_id=customer_id).filter(Q(**{opted_in: True}) | Q(is_primary=True))
    candidates = (
        _with_location_links(asked, location_id)
        .only(*ROUTING_FIELDS, opted_in)
        .order_by("last_name", "first_name", "id")
    )

    routing = Routing(event=event)
    primary: Contact | None = None
    seen_addresses: set[str] = set()
    low_limits: list[str] = []
    for contact in candidates:
        if contact.is_primary:
            primary = contact
        if not getattr(contact, opted_in) or contact.status != Contact.Status.ACTIVE:
            continue
        name = contact.full_name
        # Rule 2: a location-level contact of other sites only.
        if location_id is not None and contact.linked_anywhere and not contact.linked_here:  # type: ignore[attr-defined]
            continue
        # Rule 3: approval authority covering the amount.
        if event == QUOTE_SENT:
            assert amount is not None
            if not contact.role_approver:
                continue
            if contact.approval_limit is not None and contact.approval_limit < amount:
                low_limits.append(f"{name} ({format_money(contact.approval_limit)})")
                continue
        # Rule 1: a deliverable address.
        if not contact.email:
            routing.warnings.append(f"{name} opted into {spec.category.noun} but has no e-mail address.")
            continue
        if contact.email_status == Contact.EmailStatus.BOUNCED:
            routing.warnings.append(
                f"{name} opted into {spec.category.noun} but their e-mail address {contact.email} bounced."
            )
            continue
        # Rule 5: each person once.
        address = contact.email.lower()
        if address in seen_addresses:
            continue
        seen_addresses.add(address)
        routing.recipients.append(
            Recipient(contact.pk, name, contact.email, _reason(contact, event, location_id))
        )

    if routing.recipients:
        return routing
    if event == QUOTE_SENT:
        assert amount is not None
        message = (
            f"No approver qualifies: nobody with approval authority for {format_money(amount)} opted "
            "into quotes."
        )
        if low_limits:
            message += f" Approval limits below the amount: {', '.join(low_limits)}."
        routing.warnings.append(message)
        return routing
    # Rule 4: the primary contact stands in.
    if primary is not None and _deliverable(primary):
        routing.recipients.append(
            Recipient(
                primary.pk,
                primary.full_name,
                primary.email,
                f"Primary contact: nobody else opted into {spec.category.noun}.",
            )
        )
        routing.warnings.append(f"Nobody opted into {spec.category.noun}; the primary contact gets it.")
    elif primary is not None:
        routing.warnings.append(
            f"Nobody will be notified: nobody opted into {spec.category.noun} and the primary contact "
            f"{primary.full_name} has no deliverable e-mail address."
        )
    else:
        routing.warnings.append(
            f"Nobody will be notified: nobody opted into {spec.category.noun} and the customer has "
            "no primary contact."
        )
    return routing


def _reason(contact: Contact, event: str, location_id: int | None) -> str:
    parts = [f"Opted into {EVENTS[event].category.noun}"]
    if event == QUOTE_SENT:
        limit = contact.approval_limit
        parts.append("approver without a limit" if limit is None else f"approver up to {format_money(limit)}")
    if location_id is not None:
        parts.append("linked to this location" if contact.linked_here else "customer-level contact")  # type: ignore[attr-defined]
    return "; ".join(parts) + "."


def resolve_site_contact(*, customer_id: int, location_id: int | None) -> Contact | None:
    """The contact who coordinates a work order on site, in one query.

    The first that exists of: an active site-role contact linked to the location; an active
    customer-level site-role contact (linked to no location); the customer's primary contact.
    Among several, the order of names decides. A site contact of another location never stands in:
    they know that site, not this one."""
    candidates = list(
        _with_location_links(
            Contact.objects.filter(customer_id=customer_id, status=Contact.Status.ACTIVE).filter(
                Q(role_site=True) | Q(is_primary=True)
            ),
            location_id,
        ).order_by("last_name", "first_name", "id")
    )
    site = [contact for contact in candidates if contact.role_site]
    at_location = [contact for contact in site if contact.linked_here]  # type: ignore[attr-defined]
    customer_level = [contact for contact in site if not contact.linked_anywhere]  # type: ignore[attr-defined]
    primary = [contact for contact in candidates if contact.is_primary]
    for group in (at_location, customer_level, primary):
        if group:
            return group[0]
    return None
