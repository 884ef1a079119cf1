"""Phones: any input format in, E.164 out; e-mails normalised."""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from clientbase.emails import normalize_email
from clientbase.phones import digits_of, normalize_phone, phone_search_digits, search_digits


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
def test_any_us_number_written_any_way_is_found_by_its_digits_or_refused(number):
    """Every ten-digit US number the phone library calls valid is accepted, whichever way it is
    written, as one E.164 number whose search digits hold each writing's digits; any other is
    refused in every writing, never stored as something else."""
    raw = str(number)
    writings = [
        f"({raw[:3]}) {raw[3:6]}-{raw[6:]}",
        f"{raw[:3]}.{raw[3:6]}.{raw[6:]}",
        f"+1 {raw[:3]} {raw[3:6]} {raw[6:]}",
    ]
    if not phonenumbers.is_valid_number(phonenumbers.parse(f"+1{raw}", None)):
        for writing in writings:
            with pytest.raises(ValidationError, match="is not a valid phone number"):
                normalize_phone(writing, "US")
        return
    assert {normalize_phone(writing, "US") for writing in writings} == {f"+1{raw}"}
    searchable = phone_search_digits(f"+1{raw}")
    for writing in writings:
        assert digits_of(writing) in searchable


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # A French mobile written nationally has as many digits as a US number, but is none.
        ("06 98 09 92 46", "in region US; give the country code"),
        ("555-0142", "in region US; give the country code"),
        ("+1 555 0142", "of the country its code names"),
    ],
)
def test_a_number_invalid_for_its_region_is_refused_not_invented(text, says):
    with pytest.raises(ValidationError, match=says):
        normalize_phone(text, "US")


def test_the_same_number_with_its_country_code_is_accepted():
    assert normalize_phone("+33 6 98 09 92 46", "US") == "+33698099246"


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


@pytest.mark.django_db
def test_the_api_refuses_a_number_of_another_region_written_nationally(api, dispatcher):
    from tests.factories import ContactFactory

    contact = ContactFactory(phone="+13125550142")
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{contact.pk}/", {"phone": "06 98 09 92 46"}, format="json"
    )
    assert response.status_code == 400
    assert "region US" in response.json()["phone"][0]
    contact.refresh_from_db()
    assert (contact.phone, contact.version) == ("+13125550142", 1)


WRITINGS_OF_A_LONDON_NUMBER = [
    "+44 20 7946 0018",
    "0044 20 7946 0018",  # the international call prefix most of the world dials
    "011 44 20 7946 0018",  # North America's
    "020 7946 0018",  # national, with the trunk prefix
    "tel:+44-20-7946-0018",  # a link copied from a page or a signature
    "tel:+44-20-7946-0018;ext=12",
    "7946 0018",  # a part of it
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", WRITINGS_OF_A_LONDON_NUMBER)
def test_search_finds_a_number_however_it_is_written(text):
    from clientbase.contacts.models import Contact
    from clientbase.contacts.selectors import search_contacts
    from clientbase.customers.models import Customer
    from clientbase.customers.selectors import search_customers
    from tests.factories import ContactFactory, CustomerFactory

    contact = ContactFactory(phone="+442079460018", customer=CustomerFactory(phone="+442079460018"))
    ContactFactory(phone="+13125550142")
    assert list(search_contacts(Contact.objects.all(), text)) == [contact]
    assert list(search_customers(Customer.objects.all(), text)) == [contact.customer]


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("tel:", None),
        ("00", None),
        ("call 0044", None),
        ("0044 20", "4420"),
        ("011 2", "0112"),
        ("+00 12", "0012"),
    ],
)
def test_the_digits_a_search_text_asks_for(text, digits):
    """No number in words or too few digits; a call prefix dropped only before a longer number."""
    assert search_digits(text) == digits
