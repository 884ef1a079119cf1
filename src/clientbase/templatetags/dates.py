"""`{{ work_order.created_at|moment }}` and `{{ contract.start_date|day }}`: how every page writes a
moment and a day, one way (ISO 8601's order, which sorts and reads the same everywhere and is how
the date fields and the exports write them): "2026-03-04 09:30" in the server's time zone
(`TIME_ZONE`) and "2026-03-04", each in a `<time>` element with its machine-readable value, kept on
one line. None (or "") answers "", so `|default:"—"` follows. `{{ contract.end_date|days_from_today }}`
is how many days away a day is. Built-ins of every template (settings.TEMPLATES), so no `{% load %}`
is needed."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.html import format_html

register = template.Library()

# The formats (Django's `date` filter's letters); `clientbase.history` writes recorded values with them.
DAY_FORMAT = "Y-m-d"
MOMENT_FORMAT = "Y-m-d H:i"


def local(value: datetime.datetime) -> datetime.datetime:
    """An aware moment in the server's time zone (a naive one as it is)."""
    return timezone.localtime(value) if timezone.is_aware(value) else value


@register.filter(name="moment")
def moment(value: datetime.datetime | None) -> str:
    """`<time datetime="2026-03-04T09:30:00+01:00">2026-03-04 09:30</time>`; "" for None."""
    if not value:
        return ""
    value = local(value)
    return format_html('<time datetime="{}">{}</time>', value.isoformat(), date_format(value, MOMENT_FORMAT))


@register.filter(name="day")
def day(value: datetime.date | datetime.datetime | None) -> str:
    """`<time datetime="2026-03-04">2026-03-04</time>`; a moment by its day in the server's time
    zone; "" for None."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = local(value).date()
    text = date_format(value, DAY_FORMAT)
    return format_html('<time datetime="{}">{}</time>', text, text)


@register.filter(name="days_from_today")
def days_from_today(value: datetime.date | None) -> int | None:
    """Whole days from today (in the server's time zone) to `value`: 0 today, negative for a day
    past; None for None."""
    if value is None:
        return None
    return (value - timezone.localdate()).days
