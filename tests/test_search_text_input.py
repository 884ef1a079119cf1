"""Search texts a client may send: many words, one very long word, a phone number of zeros. Each
is answered (rows or a 400 naming `search`), never a server error, and finds only what matches.
And a searched list stays searched whoever pages it."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.contacts.selectors import search_contacts
from clientbase.customers.models import Customer
from clientbase.customers.selectors import search_customers
from clientbase.keyset import first_rows
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def searched(db):
    acme = CustomerFactory(name="Acme Marine", phone="+13125550100")
    bravo = CustomerFactory(name="Bravo Marlin", phone="+13125550199")
    LocationFactory(customer=acme, name="Mar Site")
    ContactFactory(customer=acme, first_name="Mark", last_name="Martin")
    ContactFactory(customer=bravo, first_name="Mara", last_name="Marsh")
    ContactFactory(customer=bravo, first_name="Dee", last_name="Stone")
    return acme, bravo


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


# A search of 500 words of three letters is a URL of 2,000 characters; on SQLite each word is a
# LIKE in the tier's condition, in the union of the tiers, and again in each later tier's
# exclusion, and SQLite refuses an expression deeper than 1,000 ("Expression tree is too large").
# Before the tiers, customers and locations failed only from 1,000 words on.
MANY_WORDS = " ".join(["mar"] * 500)


@pytest.mark.parametrize("url", ["/api/v1/contacts/", "/api/v1/customers/", "/api/v1/locations/"])
def test_a_search_of_many_words_is_answered_on_the_api(admin_user, searched, url):
    response = api_client(admin_user).get(url, {"search": MANY_WORDS})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "search" in response.json()


@pytest.mark.parametrize("url", ["/contacts/", "/customers/", "/locations/"])
def test_a_search_of_many_words_is_answered_on_the_staff_lists(admin_user, searched, url):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    assert client.get(url, {"search": MANY_WORDS}).status_code in (200, 400)


@pytest.mark.parametrize("url", ["/api/v1/contacts/", "/api/v1/customers/", "/api/v1/locations/"])
def test_a_search_of_one_very_long_word_is_answered(admin_user, searched, url):
    """SQLite refuses a LIKE pattern over 50,000 bytes ("LIKE or GLOB pattern too complex")."""
    response = api_client(admin_user).get(url, {"search": "m" + "a" * 60_000})
    assert response.status_code in (200, 400)


@pytest.mark.parametrize("text", ["000", "0000", "+0000", "00 00"])
def test_a_phone_number_of_zeros_finds_no_customer(admin_user, searched, text):
    """Its national digits are none once the trunk zeros are left out, and `phone` contains ''
    whatever it holds: every customer matched. A customer whose number holds the text (C-000001
    holds "000") is found by that."""
    found = search_customers(Customer.objects.all(), text)
    names = [
        row["name"]
        for row in api_client(admin_user).get("/api/v1/customers/", {"search": text}).json()["results"]
    ]
    assert sorted(names) == sorted(found.values_list("name", flat=True))
    assert all(text in number for number in found.values_list("number", flat=True))


def test_a_search_paged_in_another_order_keeps_its_condition(searched):
    """`tiered` says a new order_by replaces the tiers and the list is then paged in its own
    order; the search must still hold. `Keyset._without_union` drops the tiers' condition from
    the where tree even when `keyset_tiers` no longer pages by those tiers."""
    reordered = search_contacts(Contact.objects.all(), "marsh").order_by("last_name", "first_name", "id")
    expected = [contact.pk for contact in reordered]
    rows, more = first_rows(reordered, 50)
    assert [contact.pk for contact in rows] == expected
    assert not more
