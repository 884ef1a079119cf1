"""Reads of work orders, quotes and invoices beyond `.get()`: searches, what the pages show of
each row, the messages a document wrote, a service history, and whom to call about a work order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef, Q, QuerySet

from clientbase import history
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.contacts.selectors import contacts_for_location
from clientbase.notifications import events
from clientbase.notifications.models import Message
from clientbase.workorders.business_hours import BusinessHours
from clientbase.workorders.models import Invoice, Quote, WorkOrder, number_to_pk

DocumentT = TypeVar("DocumentT", Quote, Invoice)


def search_work_orders(queryset: QuerySet[WorkOrder], text: str) -> QuerySet[WorkOrder]:
    """Work orders whose number is `text` (W-000042 or 42) or whose summary contains it."""
    text = text.strip()
    if not text:
        return queryset
    match = Q(summary__icontains=text)
    pk = number_to_pk(text, WorkOrder.PREFIX)
    if pk is not None:
        match |= Q(pk=pk)
    return queryset.filter(match)


def work_orders_for_pages(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """What a list or detail page shows of each work order, in one query."""
    return queryset.select_related("customer", "location", "asset", "requested_by", "site_contact")


def search_by_number(queryset: QuerySet[DocumentT], text: str) -> QuerySet[DocumentT]:
    """The quote or invoice whose number is `text` (`Q-000042`, `I-000042` or `42`); nothing when
    `text` is not such a number, everything when it is blank."""
    text = text.strip()
    if not text:
        return queryset
    pk = number_to_pk(text, queryset.model.PREFIX)
    return queryset.filter(pk=pk) if pk is not None else queryset.none()


def quotes_for_pages(queryset: QuerySet[Quote]) -> QuerySet[Quote]:
    """What a list or detail page shows of each quote, in one query."""
    return queryset.select_related("customer", "work_order", "approved_by", "contact")


def invoices_for_pages(queryset: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """What a list or detail page shows of each invoice, in one query."""
    return queryset.select_related("customer", "work_order")


def messages_of_document(document: Quote | Invoice) -> QuerySet[Message]:
    """The messages that sending a quote (`quote.sent`) or issuing an invoice (`invoice.issued`)
    wrote, oldest first. A message does not point at its document; it carries the document's
    number in the facts it was written with (`clientbase.notifications.facts`)."""
    event = events.QUOTE_SENT if isinstance(document, Quote) else events.INVOICE_ISSUED
    return Message.objects.filter(
        customer_id=document.customer_id, event=event, context__facts__number=document.number
    ).order_by("created_at", "id")


def work_order_history(work_order_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The latest recorded changes of a work order, newest first, as a page shows them (field
    labels, the names of the contacts, places and technician it named: `history.for_display`)."""
    return history.for_display(
        history.entries(WorkOrder, WorkOrder.history.filter(id=work_order_id), limit=limit), WorkOrder
    )


def work_orders_of_contact(queryset: QuerySet[WorkOrder], contact: Contact) -> QuerySet[WorkOrder]:
    """The work orders `contact` requested or is the site contact for, newest first."""
    return work_orders_for_pages(queryset.filter(Q(requested_by=contact) | Q(site_contact=contact)))


def service_history(queryset: QuerySet[WorkOrder]) -> QuerySet[WorkOrder]:
    """Work orders newest first, with the location and asset each row names read in the same
    query: the service history of an asset, a location, a customer or a contact."""
    return queryset.select_related("location", "asset").order_by("-created_at", "-id")


def quotes_of_contact(queryset: QuerySet[Quote], contact: Contact) -> QuerySet[Quote]:
    """The quotes addressed to `contact` or approved by it, newest first."""
    return quotes_for_pages(queryset.filter(Q(contact=contact) | Q(approved_by=contact)))


@dataclass(frozen=True)
class Callee:
    """One person to call about a work order: the contact (None when only its stored name is
    left, or the caller may not see contacts), the name, and why to call them (`roles`, e.g.
    ["Emergency contact", "Site contact"])."""

    contact: Contact | None
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class WhoToCall:
    """Whom to call about a work order, in the order to call them: outside business hours the
    emergency contacts first, else the site contact first; then the requester. `after_hours` says
    which order this is; `hours` is the business hours' text."""

    callees: tuple[Callee, ...]
    after_hours: bool
    hours: str


SITE, EMERGENCY, REQUESTER = "Site contact", "Emergency contact", "Requester"


def emergency_contacts(queryset: QuerySet[Contact], work_order: WorkOrder) -> QuerySet[Contact]:
    """The active emergency contacts of `work_order`'s location, out of `queryset`: those linked
    to it, then the customer-level ones (linked to no location), each by name; without a location,
    the customer-level ones. One query."""
    emergency = queryset.filter(role_emergency=True, status=Contact.Status.ACTIVE)
    linked_anywhere = ContactLocation.objects.filter(contact=OuterRef("pk"))
    if work_order.location_id is None:
        return (
            emergency.filter(customer_id=work_order.customer_id)
            .exclude(Exists(linked_anywhere))
            .order_by("last_name", "first_name", "id")
        )
    location = work_order.location
    assert location is not None
    linked_here = ContactLocation.objects.filter(contact=OuterRef("pk"), location_id=location.pk)
    return (
        contacts_for_location(emergency, location)
        .annotate(linked_here=Exists(linked_here))
        .order_by("-linked_here", "last_name", "first_name", "id")
    )


def who_to_call(
    work_order: WorkOrder,
    *,
    contacts: QuerySet[Contact] | None,
    at: datetime.datetime,
    hours: BusinessHours,
) -> WhoToCall:
    """Whom to call about `work_order` at the moment `at` (see `WhoToCall`): its site contact, the
    emergency contacts of its location (`emergency_contacts`), its requester; each person once,
    with every role it has here. `contacts` are the contacts the caller may see (None: none; then
    only the names stored on the work order are listed; so is a named contact no longer of the work
    order's customer). The work order's `site_contact` and
    `requested_by` should be read with it (`work_orders_for_pages`): two queries in all (the
    emergency contacts, and whether the caller may see the two named)."""
    after_hours = not hours.is_open(at)
    visible_ids: set[int] = set()
    emergency: list[Contact] = []
    if contacts is not None:
        emergency = list(emergency_contacts(contacts, work_order))
        linked = [pk for pk in (work_order.site_contact_id, work_order.requested_by_id) if pk is not None]
        # A contact named here that has since moved to another customer is listed by the name
        # stored on the work order, without its numbers.
        mine = contacts.filter(pk__in=linked, customer_id=work_order.customer_id)
        visible_ids = set(mine.values_list("pk", flat=True)) if linked else set()

    def named(contact: Contact | None, stored: str, role: str) -> list[tuple[Contact | None, str, str]]:
        if contact is not None and contact.pk in visible_ids:
            return [(contact, contact.full_name, role)]
        return [(None, stored, role)] if stored else []

    site = named(work_order.site_contact, work_order.site_contact_name, SITE)
    emergencies = [(contact, contact.full_name, EMERGENCY) for contact in emergency]
    requester = named(work_order.requested_by, work_order.requested_by_name, REQUESTER)
    ordered = [*emergencies, *site] if after_hours else [*site, *emergencies]
    callees: dict[Any, tuple[Contact | None, str, list[str]]] = {}
    for contact, name, role in [*ordered, *requester]:
        key = contact.pk if contact is not None else ("name", name)
        if key in callees:
            callees[key][2].append(role)
        else:
            callees[key] = (contact, name, [role])
    return WhoToCall(
        callees=tuple(Callee(contact, name, tuple(roles)) for contact, name, roles in callees.values()),
        after_hours=after_hours,
        hours=hours.text,
    )
