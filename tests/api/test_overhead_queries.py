"""What a list page and a contact cost the database, whatever the page holds; each permission
decided once per request, never once per row, and never carried over to the next request."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from clientbase import access, groups
from clientbase.api.authentication import create_token
from clientbase.contacts.models import Contact
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db

# The token with its user; the user's own and its groups' permissions in one query
# (`StaffBackend.get_all_permissions`); the rows; the ids of their locations.
TOKEN_LIST = [
    "knox_authtoken",
    "auth_permission",
    "contacts_contact",
    "contacts_contactlocation",
]
# The session and its user instead of the token.
SESSION_LIST = ["django_session", "auth_user", *TOKEN_LIST[1:]]


def tables(queries) -> list[str]:
    """The table each query reads first (after FROM), in order."""
    return [query["sql"].split(" FROM ", 1)[1].split()[0].strip('"') for query in queries.captured_queries]


@pytest.fixture
def people(customer_with_two_sites):
    customer, north, south = customer_with_two_sites

    def make(count: int) -> None:
        for n in range(count):
            ContactFactory(customer=customer, locations=[north, south][: n % 3])

    return make


def client_for(user, how: str) -> APIClient:
    client = APIClient()
    if how == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {create_token(user)}")
    else:
        client.force_login(user)
    return client


@pytest.mark.parametrize("how, expected", [("token", TOKEN_LIST), ("session", SESSION_LIST)])
def test_a_list_page_costs_the_same_queries_for_3_rows_as_for_40(people, dispatcher, how, expected):
    client = client_for(dispatcher, how)
    seen = []
    for count in (3, 37):
        people(count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/contacts/", {"page_size": 50})
        assert response.status_code == 200
        assert len(response.json()["results"]) == Contact.objects.count()
        seen.append(tables(queries))
    assert seen == [expected, expected]


@pytest.mark.parametrize("how, expected", [("token", TOKEN_LIST), ("session", SESSION_LIST)])
def test_a_contact_costs_one_query_for_itself_and_one_for_its_locations(
    customer_with_two_sites, dispatcher, how, expected
):
    _, north, south = customer_with_two_sites
    contact = ContactFactory(customer=north.customer, locations=[south, north])
    client = client_for(dispatcher, how)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/api/v1/contacts/{contact.pk}/")
    assert response.status_code == 200
    assert response.json()["locations"] == [north.pk, south.pk]  # the locations' own order
    assert response["ETag"] == f'"{contact.version}"'
    assert tables(queries) == expected


def test_a_search_page_costs_no_query_per_row(people, dispatcher):
    client = client_for(dispatcher, "token")
    counts = []
    for count in (2, 20):
        people(count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/contacts/", {"search": "pat", "page_size": 50})
        assert response.status_code == 200 and response.json()["results"]
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


# Decisions ------------------------------------------------------------------------------------------


@pytest.fixture
def decisions(monkeypatch):
    """Counter of the permission decisions taken: (action, model) -> times decided."""
    counted: Counter = Counter()
    decide = access._decide

    def counting(user, action, model):
        counted[(action, model)] += 1
        return decide(user, action, model)

    monkeypatch.setattr(access, "_decide", counting)
    return counted


@pytest.mark.parametrize("who", ["dispatcher", "portal"])
def test_each_permission_is_decided_once_per_request_not_per_row(
    people, customer_with_two_sites, dispatcher, portal_user_factory, decisions, who
):
    people(12)
    user = dispatcher if who == "dispatcher" else portal_user_factory(customer_with_two_sites[0])
    client = client_for(user, "token")
    response = client.get("/api/v1/contacts/", {"page_size": 50})
    assert response.status_code == 200 and len(response.json()["results"]) >= 12
    assert decisions[(access.VIEW, Contact)] == 1
    assert max(decisions.values()) == 1
    decisions.clear()
    contact = Contact.objects.filter(customer=customer_with_two_sites[0]).first()
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 200
    assert decisions[(access.VIEW, Contact)] == 1 and max(decisions.values()) == 1


def test_a_decision_is_not_carried_over_to_the_next_request(people, customer_with_two_sites):
    people(2)
    clerk = UserFactory(username="clerk", groups=[groups.DISPATCHER])
    client = client_for(clerk, "token")
    assert client.get("/api/v1/contacts/").status_code == 200
    clerk.groups.clear()
    assert client.get("/api/v1/contacts/").status_code == 403
    contact = Contact.objects.first()
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 403


def test_decisions_are_remembered_only_within_the_block(dispatcher, decisions):
    with access.remembering():
        assert access.can(dispatcher, access.VIEW, Contact)
        with access.remembering():  # an inner block shares the outer block's decisions
            assert access.can(dispatcher, access.VIEW, Contact)
        assert access.can(dispatcher, access.VIEW, Contact)
    assert decisions[(access.VIEW, Contact)] == 1
    access.can(dispatcher, access.VIEW, Contact)
    access.can(dispatcher, access.VIEW, Contact)
    assert decisions[(access.VIEW, Contact)] == 3


def test_a_write_decides_afresh(customer_with_two_sites, dispatcher, decisions):
    """Writes are not remembered: what a write changes is seen by the decisions after it."""
    contact = ContactFactory(customer=customer_with_two_sites[0], locations=[customer_with_two_sites[1]])
    client = client_for(dispatcher, "token")
    response = client.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "Lead"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "Lead"
    assert decisions[(access.VIEW, Contact)] > 1
