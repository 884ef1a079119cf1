"""Searches read in tiers never reach past the caller's scope: a portal user's search of the API,
of the portal's contacts page and of every tier (prefix by last name, by first name, words
anywhere, phone digits), followed by `next` and `previous` or by page number, answers only its own
customer's rows; a cursor made up by hand is a 400 on the API and the first page on the pages,
never another customer's rows; staff without a permission see no group of that kind on the start
page."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client

from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db
PORTAL_BACKEND = "clientbase.portal.backends.PortalBackend"


def made_cursor(payload) -> str:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.fixture
def two_customers(portal_user_factory):
    """(a portal user of Acme, Acme's contacts, Bravo's contacts): Bravo's rows match every tier
    of the searches below as well as Acme's do."""
    own = CustomerFactory(name="Acme Marine")
    other = CustomerFactory(name="Bravo Marlin")
    LocationFactory(customer=own, name="Mar Own Site")
    LocationFactory(customer=other, name="Mar Other Site")
    mine = [
        ContactFactory(customer=own, first_name="Mark", last_name="Martin", phone="+13125550100"),
        ContactFactory(customer=own, first_name="Omar", last_name="Zed"),
        ContactFactory(customer=own, first_name="Zoe", last_name="Lamarck"),
    ]
    theirs = [
        ContactFactory(
            customer=other, first_name="Mara", last_name="Marsh", phone="+13125550199", title="marmot"
        ),
        ContactFactory(customer=other, first_name="Marge", last_name="Hidden", email="secret@bravo.example"),
        ContactFactory(customer=other, first_name="Zack", last_name="Omarr"),
        ContactFactory(customer=other, first_name="x%y", last_name="a_b\\c", email=""),
    ]
    user = portal_user_factory(own, ("edit_contacts",))
    return user, mine, theirs


def ids_of_every_page(client, url, params) -> list[int]:
    """The ids of the first page, every page after it by `next`, then every page back by
    `previous`."""
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:300]
    page = response.json()
    seen = [row["id"] for row in page["results"]]
    for link in ("next", "previous"):
        while page[link]:
            response = client.get(page[link])
            assert response.status_code == 200, response.content[:300]
            page = response.json()
            seen += [row["id"] for row in page["results"]]
    return seen


SEARCHES = [
    "mar",
    "ma",
    "m",
    "marsh",
    "secret",
    "bravo",
    "marlin",
    "omarr",
    "marmot",
    "3125550199",
    "+1 312 555 0199",
    "(312)",
    "555",
    "%",
    "_",
    "\\",
    "mar%",
    "%mar",
    "_ar",
    "a_b",
    "x%y",
    "b\\c",
    "' OR 1=1 --",
    '"mar"',
    "''",
    "mar*",
    "NEAR(mar)",
    "mar OR secret",
    "\uff2d\uff21\uff32",  # full-width MAR
    "…",
    "--",
    "...",
    "\x01\x02mar",
]


@pytest.mark.parametrize("text", SEARCHES)
@pytest.mark.parametrize("size", [1, 2, 50])
def test_a_portal_search_through_the_api_pages_only_its_own_customer(api, two_customers, text, size):
    user, mine, theirs = two_customers
    seen = ids_of_every_page(api(user), "/api/v1/contacts/", {"search": text, "page_size": size})
    assert not set(seen) & {contact.pk for contact in theirs}
    assert set(seen) <= {contact.pk for contact in mine} | {user.contact.pk}


@pytest.mark.parametrize("text", SEARCHES)
def test_a_portal_search_by_page_number_answers_only_its_own_customer(api, two_customers, text):
    user, _mine, theirs = two_customers
    for number in (1, 2, 3):
        response = api(user).get("/api/v1/contacts/", {"search": text, "page": number, "page_size": 1})
        assert response.status_code in (200, 404)
        if response.status_code == 200:
            assert not {row["id"] for row in response.json()["results"]} & {c.pk for c in theirs}


@pytest.mark.parametrize("text", ["mar", "marsh", "3125550199", "omarr"])
def test_a_search_of_customers_and_locations_by_a_portal_user_stays_its_own(api, two_customers, text):
    user, mine, _theirs = two_customers
    own = mine[0].customer
    for url in ("/api/v1/customers/", "/api/v1/locations/"):
        response = api(user).get(url, {"search": text})
        assert response.status_code == 200
        for row in response.json()["results"]:
            assert row.get("customer", row["id"]) == own.pk


# Cursors made up by hand ---------------------------------------------------------------------------

MADE_UP = [
    {"t": -1, "v": ["", 0], "d": "n"},
    {"t": 3, "v": [0], "d": "n"},
    {"t": 99, "v": [0], "d": "n"},
    {"t": 2**70, "v": [0], "d": "n"},
    {"t": True, "v": ["", 0], "d": "n"},
    {"t": 1.0, "v": ["", 0], "d": "n"},
    {"t": "1", "v": ["", 0], "d": "n"},
    {"t": None, "v": ["", 0], "d": "n"},
    {"t": 2, "v": ["1 OR 1=1"], "d": "n"},
    {"t": 2, "v": ["x"], "d": "n"},
    {"t": 2, "v": [2**64], "d": "n"},
    {"t": 2, "v": [True], "d": "n"},
    {"t": 2, "v": [None], "d": "n"},
    {"t": 2, "v": [1.5], "d": "n"},
    {"t": 0, "v": [0], "d": "n"},
    {"t": 0, "v": ["x", "y"], "d": "n"},
    {"t": 0, "v": ["x", 1, 2, 3], "d": "n"},
    {"t": 0, "v": [["x"], 1], "d": "n"},
    {"t": 0, "v": [{"x": 1}, 1], "d": "n"},
    {"t": 0, "v": ["x", 1], "d": "x"},
    {"t": 0, "v": ["x", 1]},
    {"t": 0, "v": "x", "d": "n"},
    [0, ["x", 1], "n"],
    "not json",
    "null",
    "1",
]


@pytest.mark.parametrize("payload", MADE_UP)
@pytest.mark.parametrize("text", ["mar", "ma", ""])
def test_a_made_up_cursor_is_a_400_on_the_api(api, two_customers, payload, text):
    user, _mine, _theirs = two_customers
    response = api(user).get("/api/v1/contacts/", {"search": text, "cursor": made_cursor(payload)})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("cursor", ["%%%", "é", "a" * 10_000, "====", "e30"])
def test_a_cursor_that_is_no_base64_json_is_a_400(api, two_customers, cursor):
    user, _mine, _theirs = two_customers
    response = api(user).get("/api/v1/contacts/", {"search": "mar", "cursor": cursor})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"v": ["", 0], "d": "n"},
        {"t": 1, "v": ["", 0], "d": "n"},
        {"t": 2, "v": [0], "d": "n"},
        {"t": 2, "v": [2**62], "d": "p"},
        {"t": 1, "v": ["zzzz", 2**62], "d": "p"},
        {"t": 0, "v": ["' OR 1=1 --", "1"], "d": "n"},
        {"t": 0, "v": ["a" * 2_000, 1], "d": "n"},
        {"t": 0, "v": [12, 1], "d": "p"},
    ],
)
def test_a_cursor_naming_any_position_answers_only_its_own_customer(api, two_customers, payload):
    user, _mine, theirs = two_customers
    response = api(user).get("/api/v1/contacts/", {"search": "mar", "cursor": made_cursor(payload)})
    assert response.status_code == 200
    assert not {row["id"] for row in response.json()["results"]} & {c.pk for c in theirs}


def test_a_cursor_longer_than_any_position_is_refused(api, two_customers):
    user, _mine, _theirs = two_customers
    payload = {"t": 0, "v": ["a" * 100_000, 1], "d": "n"}
    response = api(user).get("/api/v1/contacts/", {"search": "mar", "cursor": made_cursor(payload)})
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize("payload", MADE_UP[:12])
def test_a_made_up_cursor_shows_the_first_page_on_the_staff_list(client, admin_user, two_customers, payload):
    client.force_login(admin_user)
    first = client.get("/contacts/", {"search": "mar"})
    response = client.get("/contacts/", {"search": "mar", "cursor": made_cursor(payload)})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].rows] == [row.pk for row in first.context["page"].rows]


@pytest.mark.parametrize("payload", MADE_UP[:12])
def test_a_made_up_cursor_shows_the_first_page_on_the_portal(two_customers, payload):
    user, _mine, theirs = two_customers
    client = Client()
    client.force_login(user, backend=PORTAL_BACKEND)
    first = client.get("/portal/contacts/", {"search": "mar"})
    response = client.get("/portal/contacts/", {"search": "mar", "cursor": made_cursor(payload)})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].rows] == [row.pk for row in first.context["page"].rows]
    assert not {row.pk for row in response.context["page"].rows} & {c.pk for c in theirs}


@pytest.mark.parametrize("text", ["mar", "m", "marsh", "secret", "3125550199", "%", "' OR 1=1 --"])
def test_the_portal_contacts_page_searches_only_its_own_customer(two_customers, text):
    user, _mine, theirs = two_customers
    client = Client()
    client.force_login(user, backend=PORTAL_BACKEND)
    response = client.get("/portal/contacts/", {"search": text})
    assert response.status_code == 200
    pages = [response]
    while response.context["page"].next_link:
        response = client.get("/portal/contacts/" + response.context["page"].next_link)
        assert response.status_code == 200
        pages.append(response)
    for page in pages:
        assert not {row.pk for row in page.context["page"].rows} & {c.pk for c in theirs}
        for contact in theirs:
            assert contact.last_name.encode() not in page.content


# The start page ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", SEARCHES)
def test_the_start_page_answers_any_search_text(client, admin_user, two_customers, text):
    client.force_login(admin_user)
    assert client.get("/", {"q": text}).status_code == 200


def test_the_start_page_shows_no_group_a_staff_user_may_not_view(client, nobody, two_customers):
    client.force_login(nobody)
    response = client.get("/", {"q": "mar"})
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert response.context["groups"] == []
    assert b"Marsh" not in response.content


def test_a_portal_user_gets_no_staff_start_page(two_customers):
    user, _mine, _theirs = two_customers
    client = Client()
    client.force_login(user, backend=PORTAL_BACKEND)
    response = client.get("/", {"q": "mar"})
    assert response.status_code in (302, 403, 404)
    assert b"Marsh" not in response.content


def test_a_staff_user_without_contacts_gets_a_403_from_the_api_search(api, nobody, two_customers):
    assert api(nobody).get("/api/v1/contacts/", {"search": "mar"}).status_code == 403


def test_an_anonymous_search_is_a_401(api, two_customers):
    response = api(None).get("/api/v1/contacts/", {"search": "mar"})
    assert response.status_code in (401, 403)
    assert b"Marsh" not in response.content


@pytest.mark.parametrize("text", ["mar", "ma", "marsh", "3125550199", "omar"])
def test_an_export_of_a_search_holds_what_the_list_pages_through(
    client, api, admin_user, two_customers, text
):
    client.force_login(admin_user)
    listed = ids_of_every_page(api(admin_user), "/api/v1/contacts/", {"search": text, "page_size": 2})
    response = client.get("/exports/contacts/", {"search": text, "format": "csv"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) - 1 == len(set(listed))


@pytest.mark.parametrize("text", ["mar", "marsh", "3125550199"])
def test_a_portal_search_naming_another_customer_or_its_site_finds_nothing(api, two_customers, text):
    user, _mine, theirs = two_customers
    other = theirs[0].customer
    site = other.locations.get()
    for params in (
        {"customer": other.pk},
        {"location": site.pk},
        {"customer": other.pk, "location": site.pk},
    ):
        response = api(user).get("/api/v1/contacts/", {"search": text, **params})
        assert response.status_code in (200, 400, 404)
        if response.status_code == 200:
            assert response.json()["results"] == []
