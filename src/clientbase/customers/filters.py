"""Filters for customers, locations, assets and parts, shared by the API and the pages. The
`search` of customers and of locations is the start page's search of that kind
(`clientbase.customers.selectors`)."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from clientbase.api.filters import IdFilter, SearchFilter
from clientbase.customers import selectors
from clientbase.customers.models import Asset, AssetPart, Customer, Location


class CustomerFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices)
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Customer
        fields = ["status", "search"]

    def filter_search(self, queryset: QuerySet[Customer], name: str, value: str) -> QuerySet[Customer]:
        return selectors.search_customers(queryset, value)


class LocationFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    is_active = django_filters.BooleanFilter()
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Location
        fields = ["customer", "is_active", "search"]

    def filter_search(self, queryset: QuerySet[Location], name: str, value: str) -> QuerySet[Location]:
        return selectors.search_locations(queryset, value)


class AssetFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="location__customer_id")
    location = IdFilter(field_name="location_id")
    status = django_filters.ChoiceFilter(choices=Asset.Status.choices)
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Asset
        fields = ["customer", "location", "status", "search"]

    def filter_search(self, queryset: QuerySet[Asset], name: str, value: str) -> QuerySet[Asset]:
        value = value.strip()
        return queryset.filter(
            Q(name__icontains=value)
            | Q(asset_tag__iexact=value)
            | Q(serial_number__iexact=value)
            | Q(model__icontains=value)
            | Q(manufacturer__icontains=value)
        )


class AssetPartFilterSet(django_filters.FilterSet):
    asset = IdFilter(field_name="asset_id")

    class Meta:
        model = AssetPart
        fields = ["asset"]
