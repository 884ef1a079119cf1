"""Filters for work orders, quotes and invoices, shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from clientbase import access
from clientbase.api.filters import IdFilter
from clientbase.contracts.models import Contract
from clientbase.workorders import selectors
from clientbase.workorders.models import Invoice, Quote, WorkOrder


class WorkOrderFilterSet(django_filters.FilterSet):
    """Work orders by customer, location, asset, status, the contacts named, the technician (a
    user id: nothing for a portal user), the service contract (`contract`: nothing for a caller
    who may not view contracts), the day they were created (`created_from`, `created_to`: dates,
    inclusive) or are scheduled to start (`scheduled_on`: a date), in the server's time zone; and
    `search`."""

    customer = IdFilter(field_name="customer_id")
    location = IdFilter(field_name="location_id")
    asset = IdFilter(field_name="asset_id")
    status = django_filters.ChoiceFilter(choices=WorkOrder.Status.choices)
    requested_by = IdFilter(field_name="requested_by_id")
    site_contact = IdFilter(field_name="site_contact_id")
    technician = IdFilter(method="filter_technician", label="Technician")
    contract = IdFilter(method="filter_contract", label="Contract")
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label="Created from"
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label="Created to"
    )
    scheduled_on = django_filters.DateFilter(
        field_name="scheduled_start", lookup_expr="date", label="Scheduled on"
    )
    search = django_filters.CharFilter(method="filter_search", label="Search")

    class Meta:
        model = WorkOrder
        fields = [
            "customer",
            "location",
            "asset",
            "status",
            "requested_by",
            "site_contact",
            "technician",
            "contract",
            "created_from",
            "created_to",
            "scheduled_on",
            "search",
        ]

    def filter_search(self, queryset: QuerySet[WorkOrder], name: str, value: str) -> QuerySet[WorkOrder]:
        return selectors.search_work_orders(queryset, value)

    def filter_technician(self, queryset: QuerySet[WorkOrder], name: str, value: int) -> QuerySet[WorkOrder]:
        # Staff accounts are the provider's: a portal user, who sees a technician's name only,
        # learns no account id from the filter.
        user = getattr(self.request, "user", None)
        if user is not None and access.portal_contact(user) is not None:
            return queryset.none()
        return queryset.filter(technician_id=value)

    def filter_contract(self, queryset: QuerySet[WorkOrder], name: str, value: int) -> QuerySet[WorkOrder]:
        # Which work orders a contract covers is the contract's: a caller who may not see
        # contracts (portal users without `billing`) learns nothing from the filter.
        user = getattr(self.request, "user", None)
        if user is not None and not access.can(user, access.VIEW, Contract):
            return queryset.none()
        return queryset.filter(contract_id=value)


class DocumentFilterSet(django_filters.FilterSet):
    """Quotes or invoices by customer, by work order and by status (`Meta.fields` orders them)."""

    customer = IdFilter(field_name="customer_id")
    work_order = IdFilter(field_name="work_order_id")


class QuoteFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=Quote.Status.choices)
    approved_by = IdFilter(field_name="approved_by_id")
    contact = IdFilter(field_name="contact_id", label="Addressed to")

    class Meta:
        model = Quote
        fields = ["customer", "work_order", "status", "approved_by", "contact"]


class InvoiceFilterSet(DocumentFilterSet):
    status = django_filters.ChoiceFilter(choices=Invoice.Status.choices)

    class Meta:
        model = Invoice
        fields = ["customer", "work_order", "status"]
