"""Filters of the audit log, shared by the API and the staff page: `type` (an event type),
`user` (the username as recorded), `from` and `to` (dates, inclusive, in `TIME_ZONE`)."""

from __future__ import annotations

import django_filters

from clientbase.audit.events import TYPES
from clientbase.audit.models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(choices=lambda: list(TYPES.items()))
    user = django_filters.CharFilter(field_name="username", lookup_expr="iexact", max_length=254)
    # `from` is a Python keyword: the two date filters are named through the class namespace.
    locals()["from"] = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From")
    locals()["to"] = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEvent
        fields = ["type", "user"]
