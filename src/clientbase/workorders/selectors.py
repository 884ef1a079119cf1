"""Reads of work orders, quotes and invoices beyond `.get()`."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Q, QuerySet

from clientbase.contacts.models import Contact
from clientbase.notifications import events
from clientbase.notifications.models import Message
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
    return queryset.select_related("customer", "work_order", "approved_by")


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


def work_orders_of_contact(queryset: QuerySet[WorkOrder], contact: Contact) -> QuerySet[WorkOrder]:
    """The work orders `contact` requested or is the site contact for, newest first."""
    return work_orders_for_pages(queryset.filter(Q(requested_by=contact) | Q(site_contact=contact)))
