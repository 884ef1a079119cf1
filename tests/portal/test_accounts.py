"""Portal accounts: granting access (API `portal` field, staff form) creates the login in the same
transaction and writes the invitation; re-send; revoke ends the sessions at once; the login
follows the contact's e-mail and the old address is told; one address, one portal login."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from knox.models import AuthToken

from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict
from clientbase.notifications.mail import build_email
from clientbase.notifications.models import Message
from clientbase.portal.models import PortalSession
from tests.factories import ContactFactory
from tests.helpers import assert_unchanged
from tests.portal.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
User = get_user_model()
CONTACTS = "/api/v1/contacts/"


def invitations(contact) -> list[Message]:
    return list(Message.objects.filter(contact=contact, event="portal.invitation").order_by("id"))


def test_granting_access_through_the_api_creates_the_login_and_queues_the_invitation(
    api, dispatcher, northwind
):
    customer, _, _ = northwind
    contact = ContactFactory(
        customer=customer, first_name="Mia", last_name="Wong", email="Mia.Wong@Northwind.example"
    )
    response = api(dispatcher).patch(
        f"{CONTACTS}{contact.pk}/", {"portal": {"enabled": True, "permissions": ["billing"]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["portal"]["enabled"] is True
    contact.refresh_from_db()
    user = contact.user
    assert user is not None
    assert (user.username, user.email, user.is_staff, user.is_active) == (
        f"mia.wong@northwind.example#{customer.pk}",
        "Mia.Wong@northwind.example",
        False,
        True,
    )
    assert not user.has_usable_password()  # chosen through the link, never mailed
    [message] = invitations(contact)
    assert message.to == contact.email and message.status == "pending"
    assert message.customer_id == customer.pk
    # The outbox holds a marker, not the link: the worker makes the link when it sends.
    assert "/portal/set-password/" not in str(message.context)
    assert "http://testserver/portal/set-password/" in build_email(message).body
    assert PASSWORD not in str(message.context)


def test_granting_access_at_creation_through_the_api(api, dispatcher, northwind):
    customer, _, _ = northwind
    response = api(dispatcher).post(
        CONTACTS,
        {
            "customer": customer.pk,
            "last_name": "Ng",
            "email": "ng@northwind.example",
            "portal": {"enabled": True, "permissions": ["admin"]},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.user.username == f"ng@northwind.example#{contact.customer_id}"
    assert len(invitations(contact)) == 1


def test_portal_access_needs_a_valid_e_mail_and_nothing_is_created_without(api, dispatcher, northwind):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="")
    response = api(dispatcher).patch(f"{CONTACTS}{contact.pk}/", {"portal": {"enabled": True}}, format="json")
    assert response.status_code == 400
    assert response.json() == {"portal": ["Portal access needs a valid e-mail address."]}
    contact.refresh_from_db()
    assert contact.user is None and not contact.portal_enabled
    assert not Message.objects.exists()


def test_two_contacts_of_one_customer_cannot_share_a_portal_address_and_the_refusal_changes_nothing(
    api, dispatcher, northwind, make_portal_contact
):
    """An address is one contact's within a customer (ignoring case), so no second contact of the
    customer can take a portal user's address, with or without portal access."""
    customer, _, _ = northwind
    first = make_portal_contact(
        customer, ["admin"], first_name="Ann", last_name="First", email="shared@example.com"
    )
    twin = ContactFactory(customer=customer, email="twin@example.com")
    response = api(dispatcher).patch(
        f"{CONTACTS}{twin.pk}/",
        {"email": "SHARED@example.com", "portal": {"enabled": True}},
        format="json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Another contact of this customer, Ann First, already has the e-mail {first.email}."
    }
    twin.refresh_from_db()
    assert twin.email == "twin@example.com"
    assert not twin.portal_enabled and twin.user is None
    assert not Message.objects.filter(contact=twin).exists()


def test_one_address_signs_in_at_two_customers_and_the_password_picks_the_login(
    api, dispatcher, northwind, contoso, make_portal_contact
):
    """A facilities firm's engineer is a contact of two customers: a login at each, one address;
    nothing about one customer's logins stands in the way of (or is told to) the other's."""
    customer, _, _ = northwind
    first = make_portal_contact(customer, ["admin"], email="shared@example.com")
    twin = ContactFactory(customer=contoso, email="SHARED@example.com")
    response = api(dispatcher).patch(f"{CONTACTS}{twin.pk}/", {"portal": {"enabled": True}}, format="json")
    assert response.status_code == 200, response.json()
    twin.refresh_from_db()
    assert twin.user is not None and twin.user != first.user
    twin.user.set_password("another-long-passphrase-2")
    twin.user.save()
    first.user.set_password("the-first-long-passphrase-1")
    first.user.save()
    for password, expected in (("the-first-long-passphrase-1", first), ("another-long-passphrase-2", twin)):
        client = Client()
        assert (
            client.post("/portal/login/", {"email": "Shared@Example.com", "password": password}).status_code
            == 302
        )
        assert int(client.session["_auth_user_id"]) == expected.user.pk
    assert (
        Client().post("/portal/login/", {"email": "shared@example.com", "password": "neither"}).status_code
        == 200
    )
    # A reset mail for each login, each of its own customer.
    Client().post("/portal/password-reset/", {"email": "shared@example.com"})
    resets = Message.objects.filter(event="portal.password_reset").order_by("pk")
    assert {message.customer_id for message in resets} == {customer.pk, contoso.pk}


def test_granting_through_the_staff_contact_form(client, admin_user, northwind):
    customer, north, _ = northwind
    client.force_login(admin_user)
    response = client.post(
        "/contacts/new/",
        {
            "customer": customer.pk,
            "last_name": "Form",
            "first_name": "Fay",
            "email": "fay@northwind.example",
            "preferred_channel": "email",
            "status": "active",
            "locations": [north.pk],
            "portal_enabled": "on",
            "portal_permissions": ["reports"],
            "notify_from_roles": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contact = Contact.objects.get(email="fay@northwind.example")
    assert contact.portal_enabled and contact.user is not None
    assert len(invitations(contact)) == 1


def test_the_login_and_the_invitation_roll_back_with_the_change(dispatcher, northwind):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="roll@northwind.example")
    with pytest.raises(Conflict):
        # A later rule refusing the same change (here: the primary-contact constraint, after the hook
        # ran) would roll everything back; simulate it by raising inside the same transaction.
        from django.db import transaction

        with transaction.atomic():
            contact_services.update_contact(
                contact=contact, acting_user=dispatcher, data={"portal": {"enabled": True}}
            )
            raise Conflict("later refusal")
    contact.refresh_from_db()
    assert contact.user is None and not contact.portal_enabled
    assert not User.objects.filter(username="roll@northwind.example").exists()
    assert not Message.objects.exists()


# Re-send and revoke ---------------------------------------------------------------------------


def test_staff_re_send_the_invitation_through_the_api(api, dispatcher, northwind):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="re@northwind.example")
    contact_services.update_contact(
        contact=contact, acting_user=dispatcher, data={"portal": {"enabled": True}}
    )
    response = api(dispatcher).post(f"{CONTACTS}{contact.pk}/portal-invitation/")
    assert response.status_code == 202, response.json()
    assert response.json()["to"] == "re@northwind.example"
    _first, second = invitations(contact)
    assert response.json()["id"] == second.pk
    assert "http://testserver/portal/set-password/" in build_email(second).body


def test_re_sending_needs_portal_access_and_a_visible_contact(
    api, dispatcher, technician, northwind, portal_user_factory, contoso
):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="none@northwind.example")
    refused = api(dispatcher).post(f"{CONTACTS}{contact.pk}/portal-invitation/")
    assert refused.status_code == 409
    assert "has no portal access" in refused.json()["detail"]
    assert api(technician).post(f"{CONTACTS}{contact.pk}/portal-invitation/").status_code == 403
    outsider = portal_user_factory(contoso, permissions=["admin"], email="o@contoso.example")
    assert api(outsider).post(f"{CONTACTS}{contact.pk}/portal-invitation/").status_code == 404
    assert not Message.objects.exists()


def test_revoking_ends_open_sessions_at_once_and_closes_the_login(api, dispatcher, admin_contact):
    browser = Client()
    assert login(browser, admin_contact.email).status_code == 302
    other_device = Client()
    assert login(other_device, admin_contact.email).status_code == 302
    AuthToken.objects.create(user=admin_contact.user)
    assert browser.get("/portal/contacts/").status_code == 200

    response = api(dispatcher).post(f"{CONTACTS}{admin_contact.pk}/revoke-portal/")
    assert response.status_code == 200, response.json()
    assert response.json()["portal"]["enabled"] is False

    for device in (browser, other_device):
        following = device.get("/portal/contacts/")
        assert following.status_code == 302 and following["Location"].startswith("/portal/login/")
    assert not PortalSession.objects.exists()
    assert not AuthToken.objects.exists()
    user = User.objects.get(pk=admin_contact.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert "not right" in login(Client(), admin_contact.email).content.decode()


def test_switching_access_off_through_the_portal_field_closes_the_login_too(api, dispatcher, admin_contact):
    session = Client()
    login(session, admin_contact.email)
    response = api(dispatcher).patch(
        f"{CONTACTS}{admin_contact.pk}/", {"portal": {"enabled": False}}, format="json"
    )
    assert response.status_code == 200
    assert session.get("/portal/").status_code == 302
    assert not User.objects.get(pk=admin_contact.user_id).is_active


def test_re_granting_after_revoking_needs_a_new_password(api, dispatcher, admin_contact):
    api(dispatcher).post(f"{CONTACTS}{admin_contact.pk}/revoke-portal/")
    api(dispatcher).patch(f"{CONTACTS}{admin_contact.pk}/", {"portal": {"enabled": True}}, format="json")
    user = User.objects.get(pk=admin_contact.user_id)
    assert (
        user.is_active
        and user.username == f"alice@northwind.example#{user.contact.customer_id}"
        and not user.has_usable_password()
    )
    assert len(invitations(admin_contact)) == 1


def test_a_revoked_address_can_be_given_to_another_contact(api, dispatcher, admin_contact, contoso):
    api(dispatcher).post(f"{CONTACTS}{admin_contact.pk}/revoke-portal/")
    moved = ContactFactory(customer=contoso, email=admin_contact.email)
    response = api(dispatcher).patch(f"{CONTACTS}{moved.pk}/", {"portal": {"enabled": True}}, format="json")
    assert response.status_code == 200, response.json()


def test_revoking_needs_permission_and_scope(api, technician, admin_contact, contoso, portal_user_factory):
    assert api(technician).post(f"{CONTACTS}{admin_contact.pk}/revoke-portal/").status_code == 403
    outsider = portal_user_factory(contoso, permissions=["admin"], email="o@contoso.example")
    assert api(outsider).post(f"{CONTACTS}{admin_contact.pk}/revoke-portal/").status_code == 404
    admin_contact.refresh_from_db()
    assert admin_contact.portal_enabled


def test_staff_buttons_re_send_and_revoke(client, admin_user, admin_contact):
    client.force_login(admin_user)
    page = client.get(f"/contacts/{admin_contact.pk}/").content.decode()
    assert f'action="/portal/staff/contacts/{admin_contact.pk}/invitation/"' in page
    assert f'action="/portal/staff/contacts/{admin_contact.pk}/revoke/"' in page
    response = client.post(f"/portal/staff/contacts/{admin_contact.pk}/invitation/")
    assert response.status_code == 302
    assert len(invitations(admin_contact)) == 1
    response = client.post(f"/portal/staff/contacts/{admin_contact.pk}/revoke/")
    assert response.status_code == 302
    admin_contact.refresh_from_db()
    assert not admin_contact.portal_enabled


def test_staff_buttons_are_for_staff_only(admin_contact, colleague):
    from tests.portal.conftest import signed_in

    client = signed_in(admin_contact)
    with assert_unchanged(colleague, admin_contact, Message):
        assert client.post(f"/portal/staff/contacts/{colleague.pk}/revoke/").status_code == 403


# The login follows the e-mail ---------------------------------------------------------------------


def test_changing_a_portal_users_e_mail_moves_the_login_and_tells_the_old_address(
    api, dispatcher, admin_contact
):
    response = api(dispatcher).patch(
        f"{CONTACTS}{admin_contact.pk}/", {"email": "alice.new@northwind.example"}, format="json"
    )
    assert response.status_code == 200, response.json()
    user = User.objects.get(pk=admin_contact.user_id)
    assert user.username == f"alice.new@northwind.example#{admin_contact.customer_id}"
    [note] = Message.objects.filter(event="portal.email_changed")
    assert note.to == "alice@northwind.example"
    assert note.context["new_email"] == "alice.new@northwind.example"
    assert login(Client(), "alice.new@northwind.example").status_code == 302
    assert "not right" in login(Client(), "alice@northwind.example").content.decode()


def test_a_contact_with_access_keeps_its_login_when_the_e_mail_only_changes_case(
    api, dispatcher, admin_contact
):
    api(dispatcher).patch(
        f"{CONTACTS}{admin_contact.pk}/", {"email": "ALICE@northwind.example"}, format="json"
    )
    assert not Message.objects.filter(event="portal.email_changed").exists()
    assert login(Client(), "alice@northwind.example").status_code == 302


def test_staff_making_a_portal_user_inactive_ends_its_sessions_at_once(api, dispatcher, admin_contact):
    login(Client(), admin_contact.email)
    assert PortalSession.objects.filter(user=admin_contact.user).exists()
    response = api(dispatcher).patch(f"{CONTACTS}{admin_contact.pk}/", {"status": "inactive"}, format="json")
    assert response.status_code == 200, response.json()
    assert not PortalSession.objects.exists()


def test_the_invitation_shows_in_the_staff_outbox(api, dispatcher, admin_user, northwind):
    customer, _, _ = northwind
    contact = ContactFactory(customer=customer, email="out@northwind.example")
    contact_services.update_contact(
        contact=contact, acting_user=dispatcher, data={"portal": {"enabled": True}}
    )
    response = api(admin_user).get("/api/v1/messages/", {"contact": contact.pk})
    assert response.status_code == 200, response.json()
    [row] = response.json()["results"]
    assert (row["event"], row["to"], row["status"]) == (
        "portal.invitation",
        "out@northwind.example",
        "pending",
    )
