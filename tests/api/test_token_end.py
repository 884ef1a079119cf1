"""A new password ends every API token of its user, whatever sets it; a user ends its own tokens
with `POST auth/logout/` (this one) and `POST auth/logoutall/` (all)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from clientbase.api.authentication import create_token
from tests.factories import UserFactory
from tests.helpers import assert_unchanged
from tests.test_signin import PORTAL_PASSWORD, STAFF_PASSWORD, _fresh_counts, portal_contact  # noqa: F401

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-passphrase-77"


def with_token(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def staff_user(db):
    return UserFactory(username="dispatcher", is_staff=True, groups=["Dispatcher"])


def test_the_staff_password_form_ends_the_tokens(staff_user):
    key = create_token(staff_user)
    assert with_token(key).get("/api/v1/customers/").status_code == 200
    client = Client()
    client.force_login(staff_user)
    response = client.post(
        "/accounts/password/", {"old_password": STAFF_PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/v1/customers/").status_code == 401
    assert not AuthToken.objects.filter(user=staff_user).exists()
    assert client.get("/customers/").status_code == 200  # the session it was changed in goes on


def test_the_portal_password_form_and_the_command_end_the_tokens(portal_contact, staff_user):  # noqa: F811
    user = portal_contact.user
    key = create_token(user)
    client = Client()
    client.force_login(user, backend="clientbase.portal.backends.PortalBackend")
    response = client.post(
        "/portal/profile/password/",
        {"old_password": PORTAL_PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert with_token(key).get("/api/v1/customers/").status_code == 401
    staff_key = create_token(staff_user)
    staff_user.set_password("yet-another-passphrase-3")
    staff_user.save()
    assert with_token(staff_key).get("/api/v1/customers/").status_code == 401


def test_saving_a_user_without_a_new_password_keeps_the_tokens(staff_user):
    key = create_token(staff_user)
    staff_user.first_name = "Dana"
    staff_user.save()
    staff_user.save(update_fields=["last_login"])
    assert with_token(key).get("/api/v1/customers/").status_code == 200
    call_command("token", staff_user.username, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert AuthToken.objects.filter(user=staff_user).count() == 2


def test_logout_ends_this_token_and_logoutall_every_token(staff_user):
    first, second, third = (create_token(staff_user) for _ in range(3))
    assert with_token(first).post("/api/v1/auth/logout/").status_code == 204
    assert with_token(first).get("/api/v1/customers/").status_code == 401
    assert with_token(second).get("/api/v1/customers/").status_code == 200
    assert with_token(second).post("/api/v1/auth/logoutall/").status_code == 204
    assert with_token(third).get("/api/v1/customers/").status_code == 401
    create_token(staff_user)
    with assert_unchanged(AuthToken):
        assert APIClient().post("/api/v1/auth/logoutall/").status_code == 401
        assert APIClient().post("/api/v1/auth/logout/").status_code == 401
