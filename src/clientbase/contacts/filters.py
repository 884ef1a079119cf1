"""The contact filters shared by the API and the pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from clientbase.api.filters import IdFilter, SearchFilter
from clientbase.contacts import selectors
from clientbase.contacts.models import ROLES, Contact
from clientbase.customers.models import Location


class ContactFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id", label="Customer")
    location = IdFilter(method="filter_location", label="Location")
    role = django_filters.ChoiceFilter(choices=[(r, r) for r in ROLES], method="filter_role", label="Role")
    status = django_filters.ChoiceFilter(choices=Contact.Status.choices)
    is_primary = django_filters.BooleanFilter()
    search = SearchFilter(method="filter_search")

    class Meta:
        model = Contact
        fields = ["customer", "location", "role", "status", "is_primary", "search"]

    def filter_location(self, queryset: QuerySet[Contact], name: str, value: int) -> QuerySet[Contact]:
        location = Location.objects.filter(pk=value).first()
        if location is None:
            return queryset.none()
        return selectors.contacts_for_location(queryset, location)

    def filter_role(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return queryset.filter(Q(**{f"role_{value}": True}))

    def filter_search(self, queryset: QuerySet[Contact], name: str, value: str) -> QuerySet[Contact]:
        return selectors.search_contacts(queryset, value)
