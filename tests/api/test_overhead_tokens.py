"""A token is looked up in one query by its digest, and every request asks again: a token deleted,
expired, of a user made inactive or of a portal user whose access ended is refused on its next
request, however often it was accepted before."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from knox.signals import token_expired
from rest_framework.test import APIClient

from clientbase.api.authentication import create_token, find_token
from tests.factories import ContactFactory, UserFactory

pytestmark = pytest.mark.django_db


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def stored(key: str) -> AuthToken:
    return AuthToken.objects.get(token_key=key[:15])


def test_a_token_is_read_in_one_query_with_its_user(dispatcher):
    key = create_token(dispatcher)
    with CaptureQueriesContext(connection) as queries:
        found = find_token(key)
    assert found is not None and found.user == dispatcher
    assert len(queries.captured_queries) == 1
    sql = queries.captured_queries[0]["sql"]
    assert '"knox_authtoken"."digest" =' in sql and '"auth_user"' in sql


def test_a_request_reads_its_token_once(dispatcher):
    client = with_token(create_token(dispatcher))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/customers/").status_code == 200
    assert len([q for q in queries.captured_queries if "knox_authtoken" in q["sql"]]) == 1


@pytest.mark.parametrize("key", ["not-a-real-token", "0" * 64, "é" * 20, "a" * 500])
def test_an_unknown_token_is_a_401(key):
    response = with_token(key).get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


def test_a_deleted_token_is_refused_after_being_accepted(dispatcher):
    key = create_token(dispatcher)
    client = with_token(key)
    assert client.get("/api/v1/contacts/").status_code == 200
    assert client.get("/api/v1/contacts/").status_code == 200
    stored(key).delete()
    assert client.get("/api/v1/contacts/").status_code == 401


def test_an_expired_token_is_refused_and_deleted(dispatcher):
    key = create_token(dispatcher)
    client = with_token(key)
    assert client.get("/api/v1/contacts/").status_code == 200
    AuthToken.objects.filter(user=dispatcher).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    expired = []

    def note(sender, username, source, **kwargs):
        expired.append((username, source))

    token_expired.connect(note)
    try:
        response = client.get("/api/v1/contacts/")
    finally:
        token_expired.disconnect(note)
    assert response.status_code == 401 and response.json() == {"detail": "Invalid token."}
    assert not AuthToken.objects.filter(user=dispatcher).exists()
    assert expired == [(dispatcher.username, "auth_token")]


def test_a_token_within_its_lifetime_works(dispatcher):
    key = create_token(dispatcher)
    AuthToken.objects.filter(user=dispatcher).update(expiry=timezone.now() + datetime.timedelta(hours=1))
    assert with_token(key).get("/api/v1/contacts/").status_code == 200


def test_a_new_token_clears_the_users_expired_ones_only(dispatcher, admin_user):
    old, live = create_token(dispatcher), create_token(dispatcher)
    others = create_token(admin_user)
    past = timezone.now() - datetime.timedelta(days=1)
    AuthToken.objects.filter(token_key__in=[old[:15], others[:15]]).update(expiry=past)
    AuthToken.objects.filter(token_key=live[:15]).update(expiry=timezone.now() + datetime.timedelta(days=1))
    newest = create_token(dispatcher)
    keys = set(AuthToken.objects.values_list("token_key", flat=True))
    assert keys == {live[:15], newest[:15], others[:15]}


def test_a_user_made_inactive_is_refused(dispatcher):
    client = with_token(create_token(dispatcher))
    assert client.get("/api/v1/contacts/").status_code == 200
    dispatcher.is_active = False
    dispatcher.save(update_fields=["is_active"])
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401 and response.json() == {"detail": "User inactive or deleted."}


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"portal_enabled": False}, "switched off"),
        ({"status": "inactive"}, "inactive"),
        ({"support_end": datetime.date(2000, 1, 1)}, "ended on"),
    ],
)
def test_a_portal_users_token_is_refused_once_its_access_ends(customer_with_two_sites, change, reason):
    contact = ContactFactory(
        customer=customer_with_two_sites[0],
        portal_enabled=True,
        portal_permissions=["edit_contacts"],
        user=UserFactory(username="portal-person", is_staff=False),
    )
    client = with_token(create_token(contact.user))
    assert client.get("/api/v1/contacts/").status_code == 200
    for name, value in change.items():
        setattr(contact, name, value)
    if change.get("support_end"):
        contact.support_start = None
    contact.save()
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert reason in response.json()["detail"]
