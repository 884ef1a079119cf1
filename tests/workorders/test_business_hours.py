"""CLIENTBASE_BUSINESS_HOURS: the parser, the moments it calls open, and the refusal of a malformed
value when the apps load."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ImproperlyConfigured

from clientbase.workorders.business_hours import DEFAULT, MalformedBusinessHours, business_hours, parse
from clientbase.workorders.registrations import register

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
UTC = datetime.UTC


def at(text: str, zone: datetime.tzinfo = UTC) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=zone)


@pytest.mark.parametrize(
    ("moment", "is_open"),
    [
        ("2030-01-07 08:00", True),  # a Monday, the first minute
        ("2030-01-07 07:59", False),
        ("2030-01-11 17:59", True),  # Friday, the last minute
        ("2030-01-11 18:00", False),
        ("2030-01-12 12:00", False),  # Saturday
        ("2030-01-13 12:00", False),  # Sunday
    ],
)
def test_the_default_is_weekdays_eight_to_six(moment, is_open):
    assert parse("", UTC).is_open(at(moment)) is is_open
    assert parse(DEFAULT, UTC).is_open(at(moment)) is is_open


def test_several_entries_day_lists_ranges_across_the_weekend_and_midnight_end():
    hours = parse("mon,Wednesday 07:30-12:00; Fri-Sun 20:00-24:00", UTC)
    assert hours.is_open(at("2030-01-07 07:30")) and hours.is_open(at("2030-01-09 11:59"))
    assert not hours.is_open(at("2030-01-08 09:00"))  # Tuesday is not listed
    assert hours.is_open(at("2030-01-13 23:59"))  # Sunday, within Fri-Sun
    assert not hours.is_open(at("2030-01-14 20:30"))  # Monday evening


def test_a_range_may_wrap_the_week():
    hours = parse("Sat-Mon 10:00-11:00", UTC)
    assert [hours.is_open(at(f"2030-01-{day:02d} 10:30")) for day in range(7, 14)] == [
        True,  # Monday
        False,
        False,
        False,
        False,
        True,  # Saturday
        True,  # Sunday
    ]


def test_moments_are_read_in_the_time_zone_of_the_setting():
    hours = parse("Mon-Fri 08:00-18:00", CHICAGO)
    # 13:30 UTC is 07:30 in Chicago in January (UTC-6): not yet open there.
    assert not hours.is_open(at("2030-01-07 13:30"))
    assert hours.is_open(at("2030-01-07 14:00"))
    # Friday 23:30 UTC is 17:30 in Chicago: still open.
    assert hours.is_open(at("2030-01-11 23:30"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Mon-Fri", "“Mon-Fri” is not days and hours"),
        ("Mon-Fri 8-18", "“Mon-Fri 8-18” is not days and hours"),
        ("Mon-Fro 08:00-18:00", "“Fro” is not a day"),
        ("Mon-Fri 18:00-08:00", "“Mon-Fri 18:00-08:00” ends before it starts"),
        ("Mon-Fri 08:00-25:00", "“25:00” is not a time of day"),
        ("Mon-Fri 08:61-18:00", "“08:61” is not a time of day"),
        ("Mon-Fri 24:00-24:00", "“24:00” is not a time of day"),
        ("Mon-Fri 08:00-18:00;", "“” is not days and hours"),
        ("Mon,,Fri 08:00-18:00", "lists an empty day"),
    ],
)
def test_a_malformed_text_says_what_is_wrong(text, says):
    with pytest.raises(MalformedBusinessHours) as refused:
        parse(text, UTC)
    assert says in str(refused.value)


def test_the_setting_is_read_in_the_servers_time_zone(settings):
    settings.CLIENTBASE_BUSINESS_HOURS = "Mon-Fri 09:00-17:00"
    settings.TIME_ZONE = "America/Chicago"
    hours = business_hours()
    assert hours.zone == CHICAGO and hours.text == "Mon-Fri 09:00-17:00"
    assert business_hours() is hours  # parsed once per value


def test_a_malformed_setting_stops_the_apps_from_loading_with_a_clear_message(settings):
    settings.CLIENTBASE_BUSINESS_HOURS = "weekdays 9 to 5"
    with pytest.raises(ImproperlyConfigured) as refused:
        register()
    message = str(refused.value)
    assert message.startswith("CLIENTBASE_BUSINESS_HOURS: “weekdays 9 to 5” is not days and hours")
    assert "Mon-Fri 08:00-18:00" in message
