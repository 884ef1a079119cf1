"""Filters for the outbox and the activity log, shared by the API and the pages."""

from __future__ import annotations

import django_filters

from clientbase.api.filters import IdFilter
from clientbase.notifications.events import LABELS
from clientbase.notifications.models import Activity, Message


class MessageFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    contact = IdFilter(field_name="contact_id")
    status = django_filters.ChoiceFilter(choices=Message.Status.choices)
    # Every event the outbox knows, including those other apps register (the portal's mails).
    event = django_filters.ChoiceFilter(choices=lambda: list(LABELS.items()))

    class Meta:
        model = Message
        fields = ["customer", "contact", "status", "event"]


class ActivityFilterSet(django_filters.FilterSet):
    customer = IdFilter(field_name="customer_id")
    contact = IdFilter(field_name="contact_id")
    kind = django_filters.ChoiceFilter(choices=Activity.Kind.choices)

    class Meta:
        model = Activity
        fields = ["customer", "contact", "kind"]
