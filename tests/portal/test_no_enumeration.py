"""A portal user learns nothing about other customers' logins (or staff accounts) from the portal:
granting access to a colleague, re-sending its invitation, or changing one's own sign-in address
succeeds whatever logins other customers (or staff usernames) hold with that address, because a
login's username holds its customer (`portal.services.accounts.login_username`)."""

from __future__ import annotations

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.notifications.models import Message
from tests.factories import ContactFactory, UserFactory
from tests.portal.conftest import BACKEND, PASSWORD

pytestmark = pytest.mark.django_db
TAKEN = "olga@contoso.example"


@pytest.fixture
def taken_elsewhere(contoso, make_portal_contact):
    """The address has a login at Contoso and is a staff username."""
    Contact.objects.filter(customer=contoso, email=TAKEN).delete()
    make_portal_contact(contoso, ["admin"], email=TAKEN)
    UserFactory(username=TAKEN, email=TAKEN, is_staff=True)


def signed_in(contact) -> Client:
    client = Client()
    client.force_login(contact.user, backend=BACKEND)
    return client


def test_a_portal_admin_grants_access_to_an_address_taken_elsewhere(api, admin_contact, taken_elsewhere):
    colleague = ContactFactory(customer=admin_contact.customer, email=TAKEN.upper())
    response = api(admin_contact.user).patch(
        f"/api/v1/contacts/{colleague.pk}/",
        {"portal": {"enabled": True, "permissions": ["reports"]}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.content.decode()
    assert "Contoso" not in body and "already" not in body
    colleague.refresh_from_db()
    assert colleague.user is not None and colleague.user.is_active
    invitation = Message.objects.get(contact=colleague, event="portal.invitation")
    assert invitation.customer_id == admin_contact.customer_id
    # The resend works alike.
    response = api(admin_contact.user).post(
        f"/api/v1/contacts/{colleague.pk}/portal-invitation/", format="json"
    )
    assert response.status_code in (200, 201, 202), response.content


def test_a_portal_admin_changes_its_sign_in_address_to_one_taken_elsewhere(admin_contact, taken_elsewhere):
    response = signed_in(admin_contact).post("/portal/profile/email/", {"email": TAKEN, "password": PASSWORD})
    assert response.status_code == 302
    admin_contact.refresh_from_db()
    assert admin_contact.email == TAKEN
    # Each signs in to its own login with its own password.
    client = Client()
    assert client.post("/portal/login/", {"email": TAKEN, "password": PASSWORD}).status_code == 302
    assert int(client.session["_auth_user_id"]) in set(
        Contact.objects.filter(email=TAKEN).values_list("user_id", flat=True)
    )


def test_a_portal_login_s_username_is_no_way_in(api, dispatcher, admin_contact):
    """Only the address signs a portal user in (so the lockout counts it under one name)."""
    colleague = ContactFactory(customer=admin_contact.customer, email="ben@northwind.example")
    api(dispatcher).patch(f"/api/v1/contacts/{colleague.pk}/", {"portal": {"enabled": True}}, format="json")
    colleague.refresh_from_db()
    colleague.user.set_password(PASSWORD)
    colleague.user.save()
    username = colleague.user.username
    assert username == f"ben@northwind.example#{colleague.customer_id}"
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400 and "token" not in response.json()
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "Ben@northwind.example", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["token"]
