"""A cursor or search text that names nothing the database can hold is refused like any other
made-up cursor: a 400 on the API, the first page on the staff and portal lists, never a server
error. Cursors are the client's text (`?cursor=`, base64 JSON), so each of these is one request
of anyone signed in: a lone surrogate in a cursor's value (JSON `"\\ud800"`, which neither
database driver can encode), a NUL character (which PostgreSQL text cannot hold), JSON nested too
deeply to read."""

from __future__ import annotations

import base64
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
PORTAL_BACKEND = "clientbase.portal.backends.PortalBackend"


def made_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


# JSON as a client may write it: `\ud800` is a lone surrogate once read, `\u0000` a NUL.
SURROGATE_PLAIN = '{"v":["\\ud800","",1],"d":"n"}'
SURROGATE_TIER = '{"t":1,"v":["\\ud800",1],"d":"n"}'
NUL_PLAIN = '{"v":["\\u0000","",1],"d":"n"}'
NUL_TIER = '{"t":1,"v":["\\u0000",1],"d":"n"}'
DEEP = '{"v":' + "[" * 5000


@pytest.fixture
def customer_with_contacts(db):
    customer = CustomerFactory(name="Acme Marine")
    for first, last in [("Mark", "Martin"), ("Mara", "Marsh"), ("Omar", "Zed")]:
        ContactFactory(customer=customer, first_name=first, last_name=last)
    return customer


def staff_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("cursor", "search"),
    [(SURROGATE_PLAIN, ""), (SURROGATE_TIER, "mar")],
    ids=["list", "search"],
)
def test_a_lone_surrogate_in_a_cursor_is_a_400_on_the_api(admin_user, customer_with_contacts, cursor, search):
    response = api_client(admin_user).get(
        "/api/v1/contacts/", {"search": search, "cursor": made_cursor(cursor)}
    )
    assert response.status_code == 400
    assert "cursor" in response.json()


@pytest.mark.parametrize(
    ("cursor", "search"),
    [(SURROGATE_PLAIN, ""), (SURROGATE_TIER, "mar"), (DEEP, ""), (DEEP, "mar")],
    ids=["surrogate-list", "surrogate-search", "deep-list", "deep-search"],
)
def test_a_cursor_no_database_can_hold_shows_the_first_page_of_the_staff_list(
    admin_user, customer_with_contacts, cursor, search
):
    client = staff_client(admin_user)
    first = client.get("/contacts/", {"search": search})
    response = client.get("/contacts/", {"search": search, "cursor": made_cursor(cursor)})
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].rows] == [row.pk for row in first.context["page"].rows]


@pytest.mark.parametrize(
    ("cursor", "search"), [(NUL_PLAIN, ""), (NUL_TIER, "mar")], ids=["nul-list", "nul-search"]
)
def test_a_nul_character_in_a_cursor_is_no_server_error_on_the_staff_list(
    admin_user, customer_with_contacts, cursor, search
):
    """SQLite holds a NUL in text and pages from it; PostgreSQL cannot, and the list must then
    show its first page rather than fail."""
    response = staff_client(admin_user).get("/contacts/", {"search": search, "cursor": made_cursor(cursor)})
    assert response.status_code == 200


@pytest.mark.parametrize("url", ["/customers/", "/locations/"])
def test_a_cursor_nested_too_deeply_shows_the_first_page_of_other_staff_lists(
    admin_user, customer_with_contacts, url
):
    response = staff_client(admin_user).get(url, {"cursor": made_cursor(DEEP)})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [SURROGATE_PLAIN, SURROGATE_TIER, NUL_PLAIN, NUL_TIER, DEEP],
    ids=["surrogate-list", "surrogate-search", "nul-list", "nul-search", "deep"],
)
def test_a_cursor_no_database_can_hold_shows_the_first_page_on_the_portal(
    portal_user_factory, customer_with_contacts, cursor
):
    user = portal_user_factory(customer_with_contacts, ("edit_contacts",))
    client = Client(raise_request_exception=False)
    client.force_login(user, backend=PORTAL_BACKEND)
    for search in ("", "mar"):
        response = client.get("/portal/contacts/", {"search": search, "cursor": made_cursor(cursor)})
        assert response.status_code == 200, search


@pytest.mark.parametrize("cursor", [NUL_PLAIN, NUL_TIER, DEEP], ids=["nul-list", "nul-search", "deep"])
def test_the_api_refuses_or_answers_these_cursors_without_a_server_error(
    admin_user, customer_with_contacts, cursor
):
    for search in ("", "mar"):
        response = api_client(admin_user).get(
            "/api/v1/contacts/", {"search": search, "cursor": made_cursor(cursor)}
        )
        assert response.status_code in (200, 400)


@pytest.mark.parametrize("text", ["abc\x00def", "ma\x00", "\x00"])
def test_a_nul_character_in_the_start_page_search_is_no_server_error(
    admin_user, customer_with_contacts, text
):
    response = staff_client(admin_user).get("/", {"q": text})
    assert response.status_code in (200, 400)


def test_the_cursor_of_a_json_value_of_every_kind_is_checked_before_use():
    """The refusal as the keyset reads it: BadCursor, which every surface turns into its answer."""
    from clientbase.contacts.models import Contact
    from clientbase.keyset import BadCursor, Keyset, keyset_tiers

    tiers = keyset_tiers(Contact.objects.all())
    assert tiers is not None
    for cursor in (SURROGATE_PLAIN, DEEP, json.dumps({"v": ["a", "b", 1], "d": "q"})):
        keyset = Keyset(tiers, made_cursor(cursor), 10, lambda value: value)
        with pytest.raises(BadCursor):
            keyset.page(Contact.objects.all())
