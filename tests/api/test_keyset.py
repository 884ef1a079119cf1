"""Lists ordered by their own fields page by keyset (`?cursor=`): a later page costs what the first
costs (no OFFSET), pages stay put when rows are added before them, and `?page=` still works."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [row["last_name"] for row in response.json()["results"]]


@pytest.fixture
def five(customer_with_two_sites):
    customer = customer_with_two_sites[0]
    return [
        ContactFactory(customer=customer, last_name=name)
        for name in ("Adams", "Baker", "Clark", "Davis", "Evans")
    ]


def test_pages_follow_next_and_previous_links(api, admin_user, five):
    client = api(admin_user)
    first = client.get("/api/v1/contacts/", {"page_size": 2})
    assert names(first) == ["Adams", "Baker"] and first.json()["previous"] is None
    assert "cursor=" in first.json()["next"] and "page=" not in first.json()["next"]
    second = client.get(first.json()["next"])
    assert names(second) == ["Clark", "Davis"]
    third = client.get(second.json()["next"])
    assert names(third) == ["Evans"] and third.json()["next"] is None
    back = client.get(third.json()["previous"])
    assert names(back) == ["Clark", "Davis"]
    start = client.get(back.json()["previous"])
    assert names(start) == ["Adams", "Baker"] and start.json()["previous"] is None


def test_a_cursor_page_reads_by_position_not_by_offset(api, admin_user, five):
    client = api(admin_user)
    second = client.get("/api/v1/contacts/", {"page_size": 2}).json()["next"]
    with CaptureQueriesContext(connection) as queries:
        response = client.get(second)
    assert names(response) == ["Clark", "Davis"]
    listing = [q["sql"] for q in queries.captured_queries if 'FROM "contacts_contact"' in q["sql"]]
    assert listing and not [sql for sql in listing if "OFFSET" in sql]


def test_rows_added_before_a_page_do_not_shift_it(api, admin_user, five):
    client = api(admin_user)
    second = client.get("/api/v1/contacts/", {"page_size": 2}).json()["next"]
    ContactFactory(last_name="Aaron")
    assert names(client.get(second)) == ["Clark", "Davis"]


def test_equal_names_are_paged_by_id_without_loss(api, admin_user, customer_with_two_sites):
    people = [ContactFactory(first_name="Sam", last_name="Smith") for _ in range(5)]
    client = api(admin_user)
    seen, url = [], "/api/v1/contacts/?page_size=2"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted(person.pk for person in people)


@pytest.mark.parametrize(
    "cursor",
    ["nonsense", "eyJ2IjpbXX0", "eyJ2IjpbMSwyLDNdLCJkIjoieCJ9", "eyJ2IjpbdHJ1ZSwiYSIsMV0sImQiOiJuIn0"],
)
def test_a_cursor_that_is_no_position_is_refused(api, admin_user, five, cursor):
    response = api(admin_user).get("/api/v1/contacts/", {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def test_page_and_cursor_together_are_refused(api, admin_user, five):
    client = api(admin_user)
    cursor_url = client.get("/api/v1/contacts/", {"page_size": 2}).json()["next"]
    response = client.get(cursor_url + "&page=2")
    assert response.status_code == 400 and "cursor" in response.json()


def test_page_numbers_still_work(api, admin_user, five):
    response = api(admin_user).get("/api/v1/contacts/", {"page_size": 2, "page": 2})
    assert names(response) == ["Clark", "Davis"]
    assert "page=3" in response.json()["next"]


def test_customers_and_locations_page_by_keyset_too(api, admin_user):
    customers = [CustomerFactory(name=f"Customer {n}") for n in range(3)]
    for customer in customers:
        LocationFactory(customer=customer, name="Site")
    client = api(admin_user)
    for path in ("/api/v1/customers/", "/api/v1/locations/"):
        first = client.get(path, {"page_size": 2}).json()
        assert "cursor=" in first["next"]
        rest = client.get(first["next"]).json()
        assert len(first["results"]) + len(rest["results"]) == 3 and rest["next"] is None


def test_a_search_pages_by_cursor_too(api, admin_user, five):
    response = api(admin_user).get("/api/v1/contacts/", {"search": "pat", "page_size": 2})
    assert "cursor=" in response.json()["next"]


@pytest.mark.parametrize(
    "values",
    [
        ["Adams", "Jo", "abc"],
        ["Adams", "Jo", 10**30],
        ["Adams", "Jo", -1],
        [1, 2, 3],
        ["A" * 10_000, "Jo", 1],
    ],
)
def test_a_cursor_of_values_of_the_wrong_kind_is_refused_or_harmless(api, admin_user, five, values):
    import base64
    import json

    cursor = base64.urlsafe_b64encode(json.dumps({"v": values, "d": "n"}).encode()).decode().rstrip("=")
    response = api(admin_user).get("/api/v1/contacts/", {"cursor": cursor})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "cursor" in response.json()


def _walk(queryset, tiers_ordering, size):
    """Every row of `queryset` page by page with a Keyset, forwards then backwards."""
    from clientbase.keyset import Keyset, Tier

    tiers = [Tier(None, tiers_ordering)]
    keyset = Keyset(tiers, "", size, lambda cursor: cursor)
    forwards = list(keyset.page(queryset))
    while keyset.next:
        keyset = Keyset(tiers, keyset.next, size, lambda cursor: cursor)
        forwards += keyset.page(queryset)
    backwards: list = []
    previous = keyset.previous
    while previous:
        keyset = Keyset(tiers, previous, size, lambda cursor: cursor)
        backwards = list(keyset.page(queryset)) + backwards
        previous = keyset.previous
    return forwards, backwards


@pytest.mark.parametrize("ordering", [("name", "id"), ("-name", "-id"), ("-name", "id"), ("name", "-id")])
def test_keysets_page_in_any_directions(ordering):
    from clientbase.customers.models import Customer

    for name in ("b", "a", "c", "b", "a", "d", "b"):
        CustomerFactory(name=name)
    queryset = Customer.objects.order_by(*ordering)
    expected = list(queryset)
    for size in (1, 2, 3):
        forwards, backwards = _walk(queryset, ordering, size)
        assert forwards == expected
        assert backwards == expected[: len(backwards)] and len(backwards) >= len(expected) - size


def test_a_keyset_of_one_direction_reads_a_row_value_range():
    """`(last_name, first_name, id) > (...)`: both databases read it as a range of the ordering's
    index, where an OR of comparisons would make PostgreSQL read and sort what lies before."""
    from clientbase.contacts.models import Contact
    from clientbase.keyset import Keyset

    condition = Keyset._beyond(("last_name", "first_name", "id"), ["Adams", "Jo", 5], False)
    sql, _params = Contact.objects.filter(condition).query.sql_with_params()
    assert (
        '("contacts_contact"."last_name", "contacts_contact"."first_name", "contacts_contact"."id") >' in sql
    )
