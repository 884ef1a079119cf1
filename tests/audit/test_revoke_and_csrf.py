"""Every way a contact's portal access ends is recorded once as `portal.revoked`, naming the
contact and why (the revoke action, switching it off in an update, a move, an erasure, a
deletion), and a request refused by Django's CSRF check is recorded as a refusal like any other
403, then answered with Django's own page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.views.csrf import csrf_failure as django_csrf_failure

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@northwind.example"


@pytest.fixture
def ann(admin_user):
    """A contact of Northwind whose portal access was granted (its login open)."""
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, first_name="Ann", last_name="Mover", email=EMAIL)
    contact_services.update_contact(
        contact=contact, acting_user=admin_user, data={"portal": {"enabled": True}}
    )
    contact.refresh_from_db()
    assert contact.user is not None and contact.user.is_active
    return contact


def revokes() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(type=events.PORTAL_REVOKED))


def login_of(contact: Contact):
    return get_user_model().objects.get(pk=contact.user_id)


def csrf_refusals() -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(type=events.PERMISSION_DENIED)
        if event.detail.get("reason") == "csrf"
    ]


# The end of portal access ------------------------------------------------------------------------


def test_the_revoke_action_records_one_revoke_with_its_reason(api, admin_user, ann):
    username = login_of(ann).username  # the login as it was before its access ended
    response = api(admin_user).post(f"/api/v1/contacts/{ann.pk}/revoke-portal/")

    assert response.status_code == 200, response.content
    [event] = revokes()
    assert (event.user, event.object) == (admin_user, f"contacts.contact:{ann.pk}")
    assert event.detail == {"login": username, "reason": "revoked"}
    assert not login_of(ann).is_active


def test_switching_access_off_in_an_update_records_one_revoke(api, admin_user, ann):
    username = login_of(ann).username  # the login as it was before its access ended
    response = api(admin_user).patch(
        f"/api/v1/contacts/{ann.pk}/", {"portal": {"enabled": False}}, format="json"
    )

    assert response.status_code == 200, response.content
    [event] = revokes()
    assert event.object == f"contacts.contact:{ann.pk}"
    assert event.detail == {"login": username, "reason": "disabled"}


def test_a_move_records_one_revoke(api, admin_user, ann):
    username = login_of(ann).username  # the login as it was before its access ended
    contoso = CustomerFactory(name="Contoso Offices")

    response = api(admin_user).post(
        f"/api/v1/contacts/{ann.pk}/move/", {"customer": contoso.pk}, format="json"
    )

    assert response.status_code == 200, response.content
    [event] = revokes()
    assert (event.user, event.object) == (admin_user, f"contacts.contact:{ann.pk}")
    assert event.detail == {"login": username, "reason": "moved"}
    assert not login_of(ann).is_active


def test_an_erasure_records_one_revoke_without_the_address(api, admin_user, ann):
    response = api(admin_user).post(f"/api/v1/contacts/{ann.pk}/erase/")

    assert response.status_code == 200, response.content
    [event] = revokes()
    assert (event.user, event.object) == (admin_user, f"contacts.contact:{ann.pk}")
    assert event.detail["reason"] == "erased"
    assert EMAIL not in repr(event.detail) and "Mover" not in event.object_repr


def test_a_deletion_records_one_revoke_naming_the_contact(api, admin_user, ann):
    pk, login = ann.pk, login_of(ann)
    username = login.username  # the login as it was before its access ended

    response = api(admin_user).delete(f"/api/v1/contacts/{pk}/")

    assert response.status_code == 204, response.content
    [event] = revokes()
    assert (event.user, event.object, event.object_repr) == (
        admin_user,
        f"contacts.contact:{pk}",
        "Ann Mover",
    )
    assert event.detail == {"login": username, "reason": "deleted"}
    login.refresh_from_db()
    assert not login.is_active


def test_deactivation_keeps_the_login_and_records_no_revoke(api, admin_user, ann):
    """An inactive contact cannot sign in, but its portal access stays on (active again, it signs
    in again): its sessions end, its login is not closed, nothing is revoked."""
    response = api(admin_user).patch(f"/api/v1/contacts/{ann.pk}/", {"status": "inactive"}, format="json")

    assert response.status_code == 200, response.content
    assert revokes() == []
    assert login_of(ann).is_active


def test_revoking_access_that_is_off_records_nothing(api, admin_user, ann):
    assert api(admin_user).post(f"/api/v1/contacts/{ann.pk}/revoke-portal/").status_code == 200
    assert api(admin_user).post(f"/api/v1/contacts/{ann.pk}/revoke-portal/").status_code == 200
    assert len(revokes()) == 1


def test_a_refused_revoke_records_no_revoke_and_changes_nothing(api, technician, ann):
    before = tuple(Contact.objects.filter(pk=ann.pk).values_list())

    response = api(technician).post(f"/api/v1/contacts/{ann.pk}/revoke-portal/")

    assert response.status_code == 403
    assert EMAIL not in response.content.decode()
    assert revokes() == []
    assert tuple(Contact.objects.filter(pk=ann.pk).values_list()) == before
    assert login_of(ann).is_active


# CSRF refusals ---------------------------------------------------------------------------------


def test_a_post_without_the_token_is_refused_recorded_and_answered_as_django_does(admin_user, ann):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.10")
    client.force_login(admin_user)
    assert client.get(f"/contacts/{ann.pk}/").status_code == 200  # the browser holds the cookie
    path = f"/portal/staff/contacts/{ann.pk}/revoke/"

    response = client.post(path)  # as another site's form would post it: no token

    assert response.status_code == 403
    expected = django_csrf_failure(RequestFactory().post(path), reason="CSRF token missing.")
    assert response.content == expected.content
    assert Contact.objects.get(pk=ann.pk).portal_enabled and login_of(ann).is_active
    assert revokes() == []
    [event] = csrf_refusals()
    assert (event.user, event.username, event.ip) == (admin_user, "admin", "192.0.2.10")
    assert event.detail == {
        "reason": "csrf",
        "check": "CSRF token missing.",
        "path": path,
        "method": "POST",
        "surface": "pages",
    }
    session = client.cookies["sessionid"].value
    assert session not in response.content.decode() and session not in repr(event.detail)


def test_an_anonymous_refusal_is_recorded_without_a_user(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "admin", "password": "guess"})

    assert response.status_code == 403
    [event] = csrf_refusals()
    assert (event.user, event.username) == (None, "")
    assert event.detail["path"] == "/accounts/login/"
    assert not AuditEvent.objects.filter(type=events.LOGIN_FAILED).exists()  # never got that far


def test_a_post_with_the_token_records_no_refusal(admin_user, ann):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.get(f"/contacts/{ann.pk}/").status_code == 200  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    response = client.post(f"/portal/staff/contacts/{ann.pk}/revoke/", {"csrfmiddlewaretoken": token})

    assert response.status_code == 302, response.content
    assert csrf_refusals() == []
    assert not AuditEvent.objects.filter(type=events.PERMISSION_DENIED).exists()
    [event] = revokes()
    assert event.detail["reason"] == "revoked"
