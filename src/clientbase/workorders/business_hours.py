"""Business hours (`CLIENTBASE_BUSINESS_HOURS`), which decide whom the work-order page puts first
to call: outside them, the emergency contacts.

The setting is a list of day ranges with their opening hours, separated by semicolons, in the
server's `TIME_ZONE`: "Mon-Fri 08:00-18:00" (the default), "Mon-Fri 07:30-17:00; Sat 09:00-13:00",
"Mon,Wed,Fri 08:00-12:00". Days are written Mon, Tue, Wed, Thu, Fri, Sat, Sun or in full (any
case); a range runs forward and may wrap the week ("Fri-Mon"); times are 24-hour HH:MM, the end
after the start ("24:00" is the end of the day). The value is read once, when the apps load: a
malformed one stops the start with `ImproperlyConfigured` naming what is wrong."""

from __future__ import annotations

import datetime
import functools
import re
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT = "Mon-Fri 08:00-18:00"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_ENTRY = re.compile(r"(?P<days>[A-Za-z,\- ]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})")
_EXAMPLE = "e.g. “Mon-Fri 08:00-18:00” or “Mon-Fri 08:00-18:00; Sat 09:00-13:00”"


@dataclass(frozen=True)
class Opening:
    """The hours of one day of the week (0 = Monday), in minutes after midnight: from `start`
    (included) to `end` (excluded)."""

    weekday: int
    start: int
    end: int


@dataclass(frozen=True)
class BusinessHours:
    """The opening hours of the week, in `zone`."""

    openings: tuple[Opening, ...]
    zone: datetime.tzinfo
    text: str

    def is_open(self, at: datetime.datetime) -> bool:
        """Whether the aware moment `at` falls within the business hours (read in `zone`)."""
        local = at.astimezone(self.zone)
        minute = local.hour * 60 + local.minute
        return any(
            opening.weekday == local.weekday() and opening.start <= minute < opening.end
            for opening in self.openings
        )


class MalformedBusinessHours(ValueError):
    """The text is no list of business hours; the message says what is wrong."""


def _minutes(text: str, *, end: bool) -> int:
    hours, minutes = (int(part) for part in text.split(":"))
    if minutes > 59 or hours > 24 or (hours == 24 and (minutes or not end)):
        raise MalformedBusinessHours(f"“{text}” is not a time of day")
    return hours * 60 + minutes


def _day(text: str) -> int:
    name = text.strip().lower()
    if name in DAYS:
        return DAYS.index(name)
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    raise MalformedBusinessHours(f"“{text.strip()}” is not a day (Mon, Tue, Wed, Thu, Fri, Sat or Sun)")


def _days(text: str) -> list[int]:
    """The weekdays of "Mon-Fri", "Sat", "Mon,Wed,Fri" or "Fri-Mon" (a range may wrap the week)."""
    days: list[int] = []
    for part in text.split(","):
        if not part.strip():
            raise MalformedBusinessHours(f"“{text.strip()}” lists an empty day")
        first, dash, last = part.partition("-")
        start = _day(first)
        stop = _day(last) if dash else start
        days += [(start + offset) % 7 for offset in range((stop - start) % 7 + 1)]
    return days


def parse(text: str, zone: datetime.tzinfo) -> BusinessHours:
    """The business hours `text` describes (see the module), in `zone`; an empty text means the
    default, DEFAULT. Raises MalformedBusinessHours naming what is wrong."""
    text = text.strip() or DEFAULT
    openings: list[Opening] = []
    for entry in text.split(";"):
        match = _ENTRY.fullmatch(entry.strip())
        if match is None:
            raise MalformedBusinessHours(f"“{entry.strip()}” is not days and hours")
        start, end = _minutes(match["start"], end=False), _minutes(match["end"], end=True)
        if end <= start:
            raise MalformedBusinessHours(f"“{entry.strip()}” ends before it starts")
        openings += [Opening(day, start, end) for day in _days(match["days"])]
    return BusinessHours(tuple(openings), zone, text)


@functools.lru_cache(maxsize=8)
def _configured(text: str, zone_name: str) -> BusinessHours:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured(f"TIME_ZONE: “{zone_name}” is no time zone.") from error
    try:
        return parse(text, zone)
    except MalformedBusinessHours as error:
        raise ImproperlyConfigured(
            f"CLIENTBASE_BUSINESS_HOURS: {error} in “{text}”; write days and hours, {_EXAMPLE}."
        ) from error


def business_hours() -> BusinessHours:
    """The business hours of the settings (`CLIENTBASE_BUSINESS_HOURS` in `TIME_ZONE`), parsed once
    per value. Raises ImproperlyConfigured for a malformed value (the apps check it when they
    load, so the server does not start with one)."""
    return _configured(getattr(settings, "CLIENTBASE_BUSINESS_HOURS", "") or DEFAULT, settings.TIME_ZONE)
