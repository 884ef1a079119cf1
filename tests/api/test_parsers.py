"""Deeply nested JSON is a 400 on every endpoint, counted before anything parses it (never a
RecursionError and its 500), and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache

from clientbase.api.parsers import MAX_DEPTH, nesting_depth
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.notifications.models import Activity
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

DEEP = 100_000


def deep_arrays(depth: int = DEEP) -> str:
    return "[" * depth + "]" * depth


def deep_objects(depth: int = DEEP) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def nested_in_a_field(depth: int = DEEP) -> str:
    return '{"last_name": "Deep", "address": {"street": ' + deep_arrays(depth) + "}}"


BODIES = {"arrays": deep_arrays(), "objects": deep_objects(), "inside a field": nested_in_a_field()}


def dump() -> list:
    return [
        list(Contact.objects.order_by("pk").values()),
        list(Customer.objects.order_by("pk").values()),
        Contact.history.count(),
        Activity.objects.count(),
    ]


@pytest.fixture(autouse=True)
def _clear_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("body", list(BODIES), ids=list(BODIES))
@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/contacts/"),
        ("patch", "/api/v1/contacts/{contact}/"),
        ("put", "/api/v1/customers/{customer}/"),
        ("post", "/api/v1/customers/"),
        ("post", "/api/v1/activities/"),
        ("post", "/api/v1/quotes/"),
        ("post", "/api/v1/auth/token/"),
    ],
)
def test_deeply_nested_json_is_a_400_naming_the_nesting_and_changes_nothing(
    api, admin_user, method, path, body
):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, last_name="Johnson")
    before = dump()
    client = api(admin_user)
    client.raise_request_exception = False
    url = path.format(contact=contact.pk, customer=customer.pk)
    response = getattr(client, method)(url, BODIES[body], content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert f"nested deeper than {MAX_DEPTH} levels" in response.json()["detail"]
    assert "Johnson" not in response.content.decode()
    assert dump() == before


def test_the_limit_is_the_nesting_of_the_body_not_its_size(api, admin_user):
    """At the limit the body parses and is judged by the serializer's rules; one level deeper is
    refused before parsing."""
    client = api(admin_user)
    at_limit = '{"last_name": "Deep", "address": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}"
    over = '{"last_name": "Deep", "address": ' + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "}"
    accepted_shape = client.post("/api/v1/contacts/", at_limit, content_type="application/json")
    assert accepted_shape.status_code == 400
    assert "address" in accepted_shape.json()  # the serializer's refusal, not the parser's
    refused = client.post("/api/v1/contacts/", over, content_type="application/json")
    assert refused.status_code == 400
    assert "nested deeper" in refused.json()["detail"]
    assert not Contact.objects.exists()
    # A long flat body is no deeper than its structure.
    wide = json.dumps({"last_name": "Wide", "notes": "[" * 10_000})
    created = client.post("/api/v1/contacts/", wide, content_type="application/json")
    assert created.status_code == 201, created.content
    assert Contact.objects.get().notes == "[" * 10_000


def test_form_and_multipart_bodies_still_parse(api, admin_user):
    client = api(admin_user)
    response = client.post("/api/v1/customers/", {"name": "Form Posted Ltd"}, format="multipart")
    assert response.status_code == 201, response.content
    assert Customer.objects.filter(name="Form Posted Ltd").exists()


@pytest.mark.parametrize(
    "body, depth",
    [
        (b"1", 0),
        (b'"[[[["', 0),
        (b'["\\"[[", {"a": [1, {"b": []}]}]', 5),
        (b'{"a\\\\": "]]]", "b": [[]]}', 3),
        (b"[" * 50, 50),
        (b'["unterminated [[[', 1),  # malformed: left for the decoder, counted up to the string
        (b'"\\"' * 1000 + b"[[", 0),  # escaped quotes never close the string
        (b"]]][", 0),
        ("[\u00e9, [\u202e]]".encode(), 2),
    ],
)
def test_nesting_depth_skips_brackets_inside_strings(body, depth):
    assert nesting_depth(body) == depth


def test_deep_nesting_inside_a_form_field_is_a_400_not_a_500(admin_user):
    """DRF's JSONField parses a form value itself, past the JSON parser's nesting check."""
    from rest_framework.test import APIClient

    from tests.factories import ContactFactory

    contact = ContactFactory(first_name="Deep")
    client = APIClient()
    client.force_authenticate(admin_user)
    body = "address=" + "[" * 50_000 + "]" * 50_000
    response = client.generic(
        "PATCH", f"/api/v1/contacts/{contact.pk}/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    contact.refresh_from_db()
    assert contact.address == {} or not contact.address
