"""Filters for contracts, shared by the API, the staff list and the export (`ContractFilterSet`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet

from clientbase.api.filters import IdFilter, SearchFilter
from clientbase.contracts import selectors
from clientbase.contracts.models import Contract

# The longest horizon `ending` looks ahead, in days (ten years).
MAX_ENDING_DAYS = 3650


class DaysFilter(django_filters.NumberFilter):
    """A number of days: a whole number (anything else is a 400 naming the parameter)."""

    field_class = forms.IntegerField


class ContractFilterSet(django_filters.FilterSet):
    """Contracts by `customer` (an id), by the `location` they cover (an id: those naming it or an
    asset standing there, and the customer-wide contracts of its customer), `active` (true: in force
    today; false: upcoming or expired), `status` (upcoming, active, expired), `ending` (in force and
    ending within that many days from today, 1 to 3650, soonest first) and `search` (the number,
    K-000042 or 42, or a part of the name). Today is the date in the server's TIME_ZONE."""

    customer = IdFilter(field_name="customer_id")
    location = IdFilter(method="filter_location", label="Covering location")
    active = django_filters.BooleanFilter(method="filter_active", label="In force today")
    status = django_filters.ChoiceFilter(choices=Contract.Status.choices)
    ending = DaysFilter(
        method="filter_ending", min_value=1, max_value=MAX_ENDING_DAYS, label="Ending within (days)"
    )
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Contract
        fields = ["customer", "location", "active", "status", "ending", "search"]

    def filter_location(self, queryset: QuerySet[Contract], name: str, value: int) -> QuerySet[Contract]:
        return selectors.covering_location(queryset, int(value))

    def filter_active(
        self, queryset: QuerySet[Contract], name: str, value: bool | None
    ) -> QuerySet[Contract]:
        return queryset if value is None else selectors.active_or_not(queryset, value)

    def filter_ending(self, queryset: QuerySet[Contract], name: str, value: int) -> QuerySet[Contract]:
        return selectors.ending_within(queryset, value)

    def filter_search(self, queryset: QuerySet[Contract], name: str, value: str) -> QuerySet[Contract]:
        return selectors.search_contracts(queryset, value)
