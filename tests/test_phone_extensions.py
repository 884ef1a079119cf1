"""Phone extensions are kept: stored with the number as `+13125550142;ext=12` (RFC 3966), shown as
"+1 312-555-0142 ext. 12", carried by every `tel:` link and vCard, and never in the way of finding
the number by its digits."""

from __future__ import annotations

import pytest
import vobject
from django.core.exceptions import ValidationError
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.contacts.selectors import search_contacts
from clientbase.customers.models import Customer
from clientbase.customers.selectors import search_customers
from clientbase.phones import (
    PHONE_MAX_LENGTH,
    format_phone,
    normalize_phone,
    phone_search_digits,
    search_digits,
    split_extension,
)
from clientbase.transfer.services import import_file
from clientbase.transfer.vcard import vcard
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.transfer.conftest import csv_bytes

STORED = "+13125550142;ext=12"
SHOWN = "+1 312-555-0142 ext. 12"
LINK = 'href="tel:+13125550142;ext=12"'


# Normalising, showing, searching ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "(312) 555-0142 ext. 12",
        "(312) 555-0142 ext 12",
        "(312) 555-0142 x12",
        "312-555-0142 x 12",
        "(312) 555-0142 #12",
        "(312) 555-0142 extension 12",
        "+13125550142;ext=12",
        "tel:+1-312-555-0142;ext=12",
        "+1 312-555-0142 ext. 12",  # as pages show it: a form shows a stored number so
    ],
)
def test_an_extension_in_any_common_spelling_is_kept_with_the_number(text):
    assert normalize_phone(text, "US") == STORED


def test_a_number_without_an_extension_is_stored_as_before():
    assert normalize_phone("(312) 555-0142", "US") == "+13125550142"
    assert format_phone("+13125550142") == "+1 312-555-0142"


def test_leading_zeros_of_an_extension_are_kept():
    assert normalize_phone("(312) 555-0142 x 0012", "US") == "+13125550142;ext=0012"


def test_a_stored_number_is_shown_with_its_extension_and_reads_back_unchanged():
    assert format_phone(STORED) == SHOWN
    assert normalize_phone(format_phone(STORED), "US") == STORED
    assert normalize_phone(STORED, "DE") == STORED  # a stored number names its country


def test_every_country_shows_its_extension_in_the_same_words():
    """The phone library writes a British extension " x5"; pages say " ext. 5" everywhere."""
    stored = normalize_phone("+44 20 7946 0018 ext 5", "US")
    assert stored == "+442079460018;ext=5"
    assert format_phone(stored) == "+44 20 7946 0018 ext. 5"


def test_split_extension_answers_the_number_and_the_extension():
    assert split_extension(STORED) == ("+13125550142", "12")
    assert split_extension("+13125550142") == ("+13125550142", "")
    assert split_extension("") == ("", "")


def test_search_digits_of_a_stored_number_leave_its_extension_out():
    assert phone_search_digits(STORED) == phone_search_digits("+13125550142") == "13125550142 3125550142"
    assert phone_search_digits(STORED, "+442079460018;ext=5") == (
        "13125550142 3125550142 442079460018 02079460018"
    )


@pytest.mark.parametrize("text", [STORED, "tel:+13125550142;ext=12", "+13125550142;EXT=12"])
def test_a_search_for_a_number_as_stored_or_linked_asks_for_its_digits(text):
    assert search_digits(text) == "13125550142"


def test_the_longest_number_with_the_longest_extension_fits_the_columns():
    stored = normalize_phone("+1 312-555-0142 ext. " + "9" * 20, "US")
    assert stored == "+13125550142;ext=" + "9" * 20
    assert len(stored) <= PHONE_MAX_LENGTH
    for model, field in (
        (Contact, "phone"),
        (Contact, "mobile"),
        (Contact, "secondary_phone"),
        (Customer, "phone"),
    ):
        assert model._meta.get_field(field).max_length == PHONE_MAX_LENGTH
    # 15 digits, the most E.164 allows, with 20 extension digits: exactly the column's length.
    assert len("+" + "9" * 15 + ";ext=" + "9" * 20) == PHONE_MAX_LENGTH


# Refusals -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["555-0142 ext. 12", "123 x12", "(312) 555-014 extension 12", "ext. 12"])
def test_an_extension_on_an_invalid_number_is_still_refused(text):
    with pytest.raises(ValidationError) as refusal:
        normalize_phone(text, "US")
    assert refusal.value.code == "invalid_phone"


def test_an_extension_longer_than_the_phone_library_reads_is_refused():
    with pytest.raises(ValidationError) as refusal:
        normalize_phone("(312) 555-0142 ext. " + "1" * 21, "US")
    assert refusal.value.code == "invalid_phone"


# Through the API, the pages, search, vCards and imports ------------------------------------------


@pytest.mark.django_db
def test_a_contact_posted_with_an_extension_keeps_it_everywhere(api, dispatcher, client):
    customer = CustomerFactory(name="Northwind Hospitals")
    response = api(dispatcher).post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "last_name": "Johnson", "phone": "(312) 555-0142 ext. 12"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["phone"] == STORED
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.phone == STORED
    assert contact.phone_digits == "13125550142 3125550142"

    client.force_login(dispatcher)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"{LINK}>{SHOWN}</a>" in page
    listing = client.get("/contacts/").content.decode()
    assert f"{LINK}>{SHOWN}</a>" in listing

    other = ContactFactory(customer=customer, last_name="Other", phone="+13125550199")
    for text in ("3125550142", "312 555 0142", "(312) 555-0142", "+1 312 555 0142", STORED):
        found = api(dispatcher).get("/api/v1/contacts/", {"search": text}).json()["results"]
        assert [row["id"] for row in found] == [contact.pk], text
        assert list(search_contacts(Contact.objects.all(), text)) == [contact]
    assert other.pk not in {
        row["id"] for row in api(dispatcher).get("/api/v1/contacts/", {"search": "0142"}).json()["results"]
    }


@pytest.mark.django_db
def test_the_api_refuses_an_extension_on_an_invalid_number_and_changes_nothing(api, dispatcher):
    contact = ContactFactory(phone=STORED)
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{contact.pk}/", {"phone": "555-0142 ext. 12"}, format="json"
    )
    assert response.status_code == 400
    assert "is not a valid phone number" in response.json()["phone"][0]
    contact.refresh_from_db()
    assert (contact.phone, contact.version) == (STORED, 1)


@pytest.mark.django_db
def test_a_customer_phone_keeps_its_extension_on_its_page_and_in_search(dispatcher, client):
    customer = CustomerFactory(name="Northwind Hospitals", phone=normalize_phone("312.555.0142 x12", "US"))
    CustomerFactory(name="Contoso Offices", phone="+13125550199")
    assert customer.phone == STORED
    client.force_login(dispatcher)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert f"{LINK}>{SHOWN}</a>" in page
    assert f"{LINK}>{SHOWN}</a>" in client.get("/customers/").content.decode()
    for text in ("3125550142", "312 555 0142", "tel:+13125550142;ext=12"):
        assert list(search_customers(Customer.objects.all(), text)) == [customer], text


@pytest.mark.django_db
def test_the_portal_links_carry_the_extension():
    customer = CustomerFactory(name="Northwind Hospitals")
    user = UserFactory(username="eddie@northwind.example", is_staff=False)
    ContactFactory(
        customer=customer,
        user=user,
        email="eddie@northwind.example",
        portal_enabled=True,
        portal_permissions=["edit_contacts"],
        phone=STORED,
    )
    colleague = ContactFactory(customer=customer, last_name="Builder", mobile="+13125550199;ext=7")
    client = Client()
    client.force_login(user, backend="clientbase.portal.backends.PortalBackend")
    listing = client.get("/portal/contacts/").content.decode()
    assert f"{LINK}>{SHOWN}</a>" in listing
    assert 'href="tel:+13125550199;ext=7">+1 312-555-0199 ext. 7</a>' in listing
    detail = client.get(f"/portal/contacts/{colleague.pk}/").content.decode()
    assert 'href="tel:+13125550199;ext=7">+1 312-555-0199 ext. 7</a>' in detail
    assert SHOWN in client.get("/portal/profile/").content.decode()


@pytest.mark.django_db
def test_a_vcard_carries_the_extension_in_its_tel_uri():
    contact = ContactFactory(phone=STORED, mobile="+13125550199", secondary_phone="+442079460018;ext=5")
    text = vcard(contact)
    assert "TEL;VALUE=uri;TYPE=work:tel:+13125550142;ext=12\r\n" in text
    card = vobject.readOne(text)
    assert {tel.value for tel in card.tel_list} == {
        "tel:+13125550142;ext=12",
        "tel:+13125550199",
        "tel:+442079460018;ext=5",
    }


@pytest.mark.django_db
def test_an_import_compares_numbers_with_their_extensions(customer_with_two_sites):
    """The same number and extension written otherwise is unchanged; another extension updates."""
    admin = UserFactory(username="importer", is_superuser=True)
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, last_name="Johnson", external_id="E-1", phone=STORED)

    def run(phone: str) -> dict:
        text = f"external_id,customer,last_name,phone\nE-1,{customer.number},Johnson,{phone}\n"
        return import_file(acting_user=admin, kind="contacts", file=csv_bytes(text), dry_run=False).as_dict()

    report = run("(312) 555-0142 x12")
    assert report["unchanged"] == 1, report
    contact.refresh_from_db()
    assert contact.phone == STORED
    assert run("(312) 555-0142 x13")["updated"] == 1
    contact.refresh_from_db()
    assert contact.phone == "+13125550142;ext=13"


@pytest.mark.parametrize(  # Arabic-Indic and full-width digits
    "written", ["+1 312 555 0142 ext. \u0661\u0662", "+1 312 555 0142 ext. \uff11\uff12"]
)
def test_an_extension_in_other_digits_is_stored_in_ascii_digits(written):
    from clientbase.phones import normalize_phone

    assert normalize_phone(written) == "+13125550142;ext=12"
