"""Phones: any input format in, E.164 out; e-mails normalised."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clientbase.emails import normalize_email
from clientbase.phones import digits_of, normalize_phone, phone_search_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(312) 555-0142", "+13125550142"),
        ("312.555.0142", "+13125550142"),
        ("+1 312 555 0142", "+13125550142"),
        ("011 44 20 7946 0018", "+442079460018"),
        ("+44 20 7946 0018", "+442079460018"),
        ("  ", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(text, expected):
    assert normalize_phone(text) == expected


def test_default_region_decides_national_numbers(settings):
    settings.CLIENTBASE_DEFAULT_REGION = "DE"
    assert normalize_phone("030 123456") == "+4930123456"


@pytest.mark.parametrize("text", ["call me", "12", "+999 1234", "555-01999999999999999"])
def test_unparseable_phone_numbers_are_refused(text):
    with pytest.raises(ValidationError):
        normalize_phone(text)


@given(st.integers(min_value=2012000000, max_value=9899999999))
def test_any_us_number_written_any_way_is_found_by_its_digits(number):
    """Every ten-digit US number is accepted, whichever way it is written, as one E.164 number
    whose search digits hold each writing's digits."""
    raw = str(number)
    writings = [
        f"({raw[:3]}) {raw[3:6]}-{raw[6:]}",
        f"{raw[:3]}.{raw[3:6]}.{raw[6:]}",
        f"+1 {raw[:3]} {raw[3:6]} {raw[6:]}",
    ]
    assert {normalize_phone(writing, "US") for writing in writings} == {f"+1{raw}"}
    searchable = phone_search_digits(f"+1{raw}")
    for writing in writings:
        assert digits_of(writing) in searchable


@given(st.integers(min_value=0, max_value=999999), st.sampled_from(["{}", "({})", "+1 {}", "{}-"]))
def test_a_number_too_short_to_dial_is_refused_in_any_writing(number, writing):
    """Fewer than seven digits are no US number, however written: refused, not stored as typed."""
    with pytest.raises(ValidationError) as refusal:
        normalize_phone(writing.format(number), "US")
    assert refusal.value.code == "invalid_phone"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" Mike.Johnson@NORTHWIND.Example.COM ", "Mike.Johnson@northwind.example.com"), ("", "")],
)
def test_emails_are_trimmed_and_domain_lowercased(text, expected):
    assert normalize_email(text) == expected


@pytest.mark.parametrize("text", ["nobody", "a@", "@b.com", "a b@c.com", "a@b..com"])
def test_invalid_emails_are_refused(text):
    with pytest.raises(ValidationError):
        normalize_email(text)
