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
    raw = str(number)
    formatted = f"({raw[:3]}) {raw[3:6]}-{raw[6:]}"
    try:
        e164 = normalize_phone(formatted, "US")
    except ValidationError:
        return
    searchable = phone_search_digits(e164)
    assert digits_of(formatted) in searchable
    assert digits_of(f"+1 {raw[:3]} {raw[3:6]} {raw[6:]}") in searchable


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
