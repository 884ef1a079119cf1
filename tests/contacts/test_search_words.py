"""What a search text is read as: punctuation around and between words (the lists' "Last, First"
order), letters with a stroke, phone numbers as people write them (a trunk "(0)", a typed
extension), `mailto:` links, customer numbers in part, location codes however short; a start page
search longer than a list's is refused like the list refuses it."""

from __future__ import annotations

import pytest

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer, Location
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def found(api, user, path, text) -> list[str]:
    response = api(user).get(path, {"search": text})
    assert response.status_code == 200, response.content[:300]
    return [row.get("last_name") or row.get("name") for row in response.json()["results"]]


@pytest.mark.parametrize(
    "typed",
    [
        "okafor, tomas",
        "Okafor,Tomas",
        "(okafor)",
        "okafor:",
        "okafor/tomas",
        "tomas okafor.",
        "mailto:tomas.okafor@example.com",
        "tomas.okafor@",
    ],
)
def test_punctuation_around_words_is_no_part_of_them(api, admin_user, typed):
    ContactFactory(first_name="Tomás", last_name="Okafor", email="tomas.okafor@example.com")
    ContactFactory(first_name="Other", last_name="Person", email="other@example.com")
    assert found(api, admin_user, "/api/v1/contacts/", typed) == ["Okafor"]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Łukasz", "lukasz"),
        ("Søren", "soren"),
        ("Østergaard", "oestergaard"),
        ("Østergaard", "ostergaard"),
        ("Đorđević", "dordevic"),
        ("Ærø", "aero"),
        ("Œuvre", "oeuvre"),
    ],
)
def test_letters_with_a_stroke_are_found_as_their_letter(api, admin_user, stored, typed):
    ContactFactory(last_name=stored, first_name="", email="")
    assert found(api, admin_user, "/api/v1/contacts/", typed) == [stored]


def test_a_customer_is_found_by_a_city_with_a_stroke(api, admin_user):
    CustomerFactory(name="Łódź Logistics")
    assert found(api, admin_user, "/api/v1/customers/", "lodz") == ["Łódź Logistics"]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("+442079460999", "+44 (0)20 7946 0999"),
        ("+4971181234470", "+49 (0)711 81234470"),
        ("+13125550142;ext=12", "+1 312 555 0142 x12"),
        ("+13125550142", "312-555-0142 ext. 5"),
        ("+13125550142", "(312) 555-0142 #7"),
    ],
)
def test_phone_numbers_as_people_write_them(api, admin_user, stored, typed):
    ContactFactory(last_name="Caller", phone=stored)
    ContactFactory(last_name="Other", phone="+13125550199")
    assert found(api, admin_user, "/api/v1/contacts/", typed) == ["Caller"]


@pytest.mark.parametrize("typed", ["000", "0000", "000001", "+0000", "00 00", "012"])
def test_digits_that_name_no_phone_match_no_customer_by_phone(api, admin_user, typed):
    CustomerFactory(name="One", phone="+13125550142")
    CustomerFactory(name="Two", phone="+442079460999")
    names = found(api, admin_user, "/api/v1/customers/", typed)
    # Found by their numbers (C-000001 holds "000"), never by a phone.
    assert names == [name for name in names if typed in Customer.objects.get(name=name).number]


def test_a_customer_number_in_part(api, admin_user):
    customer = CustomerFactory(name="Numbered")
    CustomerFactory(name="Else")
    digits = customer.number.split("-")[1]
    assert found(api, admin_user, "/api/v1/customers/", digits) == ["Numbered"]
    assert found(api, admin_user, "/api/v1/customers/", customer.number.lower()) == ["Numbered"]


def test_a_location_code_however_short(api, admin_user):
    customer = CustomerFactory()
    LocationFactory(customer=customer, name="Main office", code="HQ")
    LocationFactory(customer=customer, name="Harbour", code="H2")
    assert found(api, admin_user, "/api/v1/locations/", "hq") == ["Main office"]
    assert [loc.code for loc in Location.objects.filter(name="Harbour")] == ["H2"]


def test_the_start_page_refuses_a_search_longer_than_a_lists(client, admin_user):
    ContactFactory(last_name="Martin")
    client.force_login(admin_user)
    response = client.get("/", {"q": "martin " * 40})
    assert response.status_code == 200
    assert response.context["groups"] == []
    assert "A search has at most 200 characters; this one has 279." in response.content.decode()
    assert client.get("/", {"q": "martin"}).context["result_count"] == 1


def test_stored_documents_folded_before_strokes_are_written_again():
    """The migration that follows the change of folding finds the rows it concerns by their
    stored text."""
    import importlib

    from django.apps import apps

    contact = ContactFactory(first_name="Łukasz", last_name="Nowak")
    old = "łukasz\nnowak"
    Contact.objects.filter(pk=contact.pk).update(search_document=old, folded_first_last="łukasz nowak")
    migration = importlib.import_module("clientbase.contacts.migrations.0014_fold_strokes").Migration
    migration.operations[0].code(apps, None)
    contact.refresh_from_db()
    assert "lukasz" in contact.search_document
    assert contact.folded_first_last == "lukasz nowak"
