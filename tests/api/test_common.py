"""What every endpoint shares: token and session auth, the schema and docs, errors as JSON."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from tests.access.matrix import ROUTES
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


def test_token_for_username_and_password_then_token_auth(dispatcher):
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": "dispatcher", "password": "correct horse battery"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert client.get("/api/v1/contacts/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/contacts/").status_code == 200
    again = APIClient().post(
        "/api/v1/auth/token/", {"username": "dispatcher", "password": "correct horse battery"}, format="json"
    )
    assert again.status_code == 200
    assert again.json()["token"] != token  # stored hashed: each request makes a new token
    client.credentials(HTTP_AUTHORIZATION=f"Token {again.json()['token']}")
    assert client.get("/api/v1/contacts/").status_code == 200


def test_wrong_password_gets_no_token(dispatcher):
    with assert_unchanged(AuthToken, dispatcher):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "dispatcher", "password": "wrong"}, format="json"
        )
    assert response.status_code == 400
    assert "token" not in response.json()


def test_unknown_fields_in_token_request_are_named(dispatcher):
    with assert_unchanged(AuthToken, dispatcher):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "dispatcher", "password": "x", "otp": "1"}, format="json"
        )
    assert response.status_code == 400
    assert response.json()["otp"] == ["Unknown field."]


def test_token_requests_are_throttled_against_guessing(dispatcher, settings):
    # Different names, so that the sign-in lockout (5 per name) does not answer first.
    client = APIClient()
    with assert_unchanged(AuthToken):
        statuses = [
            client.post(
                "/api/v1/auth/token/", {"username": f"user{n}", "password": f"guess{n}"}, format="json"
            ).status_code
            for n in range(12)
        ]
    assert statuses[:10] == [400] * 10
    assert statuses[-1] == 429


def test_bad_token_is_401():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/customers/").status_code == 401


def test_session_auth_needs_csrf_for_writes(dispatcher):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="dispatcher", password="correct horse battery")
    assert client.get("/api/v1/customers/").status_code == 200
    with assert_unchanged(Customer):
        assert client.post("/api/v1/customers/", {"name": "Acme"}, format="json").status_code == 403


def test_malformed_json_is_a_400_not_a_500(api, dispatcher):
    with assert_unchanged(Contact):
        response = api(dispatcher).post("/api/v1/contacts/", "{not json", content_type="application/json")
    assert response.status_code == 400


def test_non_numeric_ids_are_404(api, dispatcher):
    assert api(dispatcher).get("/api/v1/contacts/abc/").status_code == 404


def test_schema_is_openapi_3_and_names_the_resources(api, dispatcher):
    response = api(dispatcher).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    # Every route of the API, with every method it answers, from the URL configuration.
    for route in ROUTES:
        path = route.path.replace("{pk}", "{id}")
        assert path in paths, path
        assert {method.lower() for method in route.methods} <= set(paths[path]), path
    contact = schema["components"]["schemas"]["Contact"]["properties"]
    assert {"last_name", "roles", "notify", "portal", "locations", "is_primary"} <= set(contact)
    list_params = {p["name"] for p in paths["/api/v1/contacts/"]["get"]["parameters"]}
    assert {
        "customer",
        "location",
        "role",
        "status",
        "is_primary",
        "search",
        "page",
        "page_size",
    } <= list_params


def test_docs_page_serves_local_assets_only(api, dispatcher):
    response = api(dispatcher).get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_inactive_user_cannot_get_a_token():
    gone = UserFactory(username="gone", is_active=False)
    with assert_unchanged(AuthToken, gone):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "gone", "password": "correct horse battery"}, format="json"
        )
    assert response.status_code == 400


def test_errors_never_leak_a_500_for_strange_input(api, dispatcher):
    contact = ContactFactory()
    client = api(dispatcher)
    bodies = (
        [],
        "text",
        {"roles": "site"},
        {"locations": "1"},
        {"notify": []},
        {"portal": "yes"},
        {"address": []},
    )
    with assert_unchanged(contact):
        for body in bodies:
            response = client.patch(f"/api/v1/contacts/{contact.pk}/", body, format="json")
            assert response.status_code == 400, (body, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/contacts/?customer=1e308",
        "/api/v1/contacts/?customer=99999999999999999999999",
        "/api/v1/contacts/?customer=-1",
        "/api/v1/contacts/?location=1.5",
        "/api/v1/work-orders/?customer=-1.0665915007246256e%2B16",
        "/api/v1/messages/?contact=3.402823466e%2B38",
        "/api/v1/contacts/?page=1675504836395105255424",
    ],
)
def test_numbers_no_database_can_hold_are_a_400_naming_the_parameter(api, admin_user, query):
    response = api(admin_user).get(query)
    assert response.status_code == 400, response.content
    parameter = query.split("?")[1].split("=")[0]
    assert parameter in response.json()


@pytest.mark.parametrize(
    "path", ["/api/v1/contacts/99999999999999999999999/", "/contacts/99999999999999999999999/"]
)
def test_an_id_no_database_can_hold_is_a_404(api, admin_user, client, path):
    client.force_login(admin_user)
    response = api(admin_user).get(path) if path.startswith("/api/") else client.get(path)
    assert response.status_code == 404
