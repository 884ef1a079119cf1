"""Reads of work orders, quotes and invoices beyond `.get()`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clientbase.workorders.models import WorkOrder, number_to_pk


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
