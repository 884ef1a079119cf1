"""The work-orders app's part of a person's personal data: the work orders a contact requested or
is the site contact of, the quotes addressed to it or that it approved, and the mentions of the
person in the work orders of its customers. Registered with `clientbase.contacts.privacy` from the
app's ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q

from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import ERASED_NAME, PrivacySource, customers_of, mentions_of, scrub_rows
from clientbase.workorders.models import Quote, WorkOrder


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def collect(contact: Contact, viewer: Any) -> dict[str, Any]:
    """{"work_orders": [...], "quotes": [...]}: numbers, dates and the names stored on them (a
    quote's `addressed_to` and `contact_name` say whether it is addressed to the contact)."""
    orders = WorkOrder.objects.filter(Q(requested_by=contact) | Q(site_contact=contact))
    work_orders = [
        {
            "number": order.number,
            "summary": order.summary,
            "status": order.status,
            "created_at": _iso(order.created_at),
            "requested_by": order.requested_by_id == contact.pk,
            "requested_by_name": order.requested_by_name,
            "site_contact": order.site_contact_id == contact.pk,
            "site_contact_name": order.site_contact_name,
        }
        for order in orders.order_by("pk")
    ]
    quotes = [
        {
            "number": quote.number,
            "status": quote.status,
            "created_at": _iso(quote.created_at),
            "approved_at": _iso(quote.approved_at),
            "approved_by_name": quote.approved_by_name,
            "addressed_to": quote.contact_id == contact.pk,
            "contact_name": quote.contact_name,
        }
        for quote in Quote.objects.filter(Q(approved_by=contact) | Q(contact=contact)).order_by("pk")
    ]
    return {"work_orders": work_orders, "quotes": quotes}


# The free text of the work orders; quotes and invoices keep none (numbers, amounts, dates).
FREE_TEXT_FIELDS = ["summary", "description", "completion_note", "cancel_reason"]


def erase(contact: Contact, acting_user: Any) -> int:
    """The stored names become "Erased contact", in the rows and in their history rows; the
    links stay. Every mention of the person (`contacts.privacy.Mentions`) in the summary,
    description, completion note and reason for cancelling of the work orders of the customers it
    belongs or belonged to (`contacts.privacy.customers_of`), and of their history rows, becomes
    "[erased]". The rows' versions go up (`clientbase.versions`), so a write naming a version from
    before the erasure (If-Match, a stale form) is refused instead of bringing the name back.
    Answers the rows rewritten (history rows included)."""
    mentions = mentions_of(contact)
    customers = customers_of(contact)
    rows = 0
    if customers:
        rows += scrub_rows(WorkOrder.objects.filter(customer_id__in=customers), FREE_TEXT_FIELDS, mentions)
        rows += scrub_rows(WorkOrder.history.filter(customer_id__in=customers), FREE_TEXT_FIELDS, mentions)
    for model, link, name in (
        (WorkOrder, "requested_by", "requested_by_name"),
        (WorkOrder, "site_contact", "site_contact_name"),
        (Quote, "approved_by", "approved_by_name"),
        (Quote, "contact", "contact_name"),
    ):
        where = {f"{link}_id": contact.pk}
        rows += model.objects.filter(**where).update(**{name: ERASED_NAME}, version=F("version") + 1)
        rows += model.history.filter(**where).update(**{name: ERASED_NAME})
    return rows


SOURCE = PrivacySource(key="work", collect=collect, erase=erase)
