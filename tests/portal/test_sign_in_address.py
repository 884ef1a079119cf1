"""The address a portal login in use signs in with is changed by a portal user only on its own
profile page, confirmed with its password: neither the API nor the contact forms let a session or
token (perhaps stolen) move a login to another address, its own or a colleague's. A portal admin
may still correct a colleague's address until its invitation is used; staff change it anywhere."""

from __future__ import annotations

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from tests.factories import ContactFactory, UserFactory
from tests.portal.conftest import BACKEND, PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(contact) -> Client:
    client = Client()
    client.force_login(contact.user, backend=BACKEND)
    return client


def stored(contact) -> tuple:
    contact.refresh_from_db()
    return contact.email, contact.user.username, contact.user.email


def assert_refused(response, contact, before):
    assert response.status_code == 403, response.content.decode()[:500]
    assert "“email”" in response.content.decode() and "profile page" in response.content.decode()
    assert stored(contact) == before


def test_a_portal_admin_moves_no_login_in_use_through_the_api(api, admin_contact, make_portal_contact):
    other_admin = make_portal_contact(admin_contact.customer, ["admin"], email="bob@northwind.example")
    client = api(admin_contact.user)
    for contact in (admin_contact, other_admin):
        before = stored(contact)
        response = client.patch(
            f"/api/v1/contacts/{contact.pk}/", {"email": "mine@attacker.example"}, format="json"
        )
        assert_refused(response, contact, before)


def test_a_portal_admin_moves_no_login_in_use_through_the_contact_form(admin_contact):
    from tests.contacts.test_field_rules import colleague_post

    before = stored(admin_contact)
    response = signed_in(admin_contact).post(
        f"/portal/contacts/{admin_contact.pk}/edit/",
        colleague_post(admin_contact, email="mine@attacker.example"),
    )
    assert_refused(response, admin_contact, before)


def test_the_profile_page_with_the_password_and_staff_change_it(api, dispatcher, admin_contact):
    response = signed_in(admin_contact).post(
        "/portal/profile/email/", {"email": "alice.new@northwind.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert stored(admin_contact)[0] == "alice.new@northwind.example"
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{admin_contact.pk}/", {"email": "alice.third@northwind.example"}, format="json"
    )
    assert response.status_code == 200
    assert stored(admin_contact)[0] == "alice.third@northwind.example"


def test_a_portal_admin_corrects_an_invitation_not_yet_used(api, admin_contact):
    login = UserFactory(username="newbie@typo.example", email="newbie@typo.example", is_staff=False)
    login.set_unusable_password()
    login.save()
    invited = ContactFactory(
        customer=admin_contact.customer, email="newbie@typo.example", portal_enabled=True, user=login
    )
    response = api(admin_contact.user).patch(
        f"/api/v1/contacts/{invited.pk}/", {"email": "newbie@northwind.example"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Contact.objects.get(pk=invited.pk).user.email == "newbie@northwind.example"
