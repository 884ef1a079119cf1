"""Filters for work orders, quotes and invoices, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from clientbase.api.filters import IdFilter
from clientbase.workorders import selectors
from clientbase.workorders.models import Invoice, Quote, WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    location = IdFilter(field_name="location_id")
    asset = IdFilter(field_name="asset_id")
    status = django_filters.ChoiceFilter(choices=WorkOrder.Status.choices)
    requested_by = IdFilter(field_name="requested_by_id")
    site_contact = IdFilter(field_name="site_contact_id")
    search = django_filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = WorkOrder
        fields = ["customer", "location", "asset", "status", "requested_by", "site_contact", "search"]

    def filter_search(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
        return selectors.search_work_orders(queryset, value)


class DocumentFilterSet(django_filters.FilterSet):
    """Quotes or invoices by customer, by work order and by status (`Meta.fields` orders them)."""

    customer = IdFilter(field_name="customer_id")
    work_order = IdFilter(field_name="work_order_id")


class QuoteFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=Quote.Status.choices)
    approved_by = IdFilter(field_name="approved_by_id")

    class Meta:
        model = Quote
        fields = ["customer", "work_order", "status", "approved_by"]


class InvoiceFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=Invoice.Status.choices)

    class Meta:
        model = Invoice
        fields = ["customer", "work_order", "status"]
