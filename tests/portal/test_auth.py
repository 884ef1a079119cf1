"""Signing in and out of the portal: e-mail and password, the support dates, the throttle, staff
kept out (and portal users kept out of the staff pages), sessions ending when access does."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.portal.models import PortalSession
from tests.factories import UserFactory
from tests.helpers import assert_unchanged
from tests.portal.conftest import PASSWORD, login, signed_in, today

pytestmark = pytest.mark.django_db


def test_signs_in_with_e_mail_and_password_in_any_case_and_lands_on_home(client, admin_contact):
    response = login(client, "ALICE@Northwind.EXAMPLE")
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Welcome, Alice" in home.content.decode()
    assert PortalSession.objects.filter(user=admin_contact.user).count() == 1


def test_goes_on_to_the_page_asked_for(client, admin_contact):
    response = client.get("/portal/contacts/")
    assert response.status_code == 302
    assert response["Location"] == "/portal/login/?next=/portal/contacts/"
    response = client.post(
        "/portal/login/?next=/portal/contacts/",
        {"email": admin_contact.email, "password": PASSWORD, "next": "/portal/contacts/"},
    )
    assert response["Location"] == "/portal/contacts/"


def test_refuses_a_wrong_password_without_saying_which_part_is_wrong(client, admin_contact):
    wrong_password = login(client, admin_contact.email, "not-it")
    unknown_address = login(client, "nobody@northwind.example")
    for response in (wrong_password, unknown_address):
        assert response.status_code == 200
        assert "The e-mail address or the password is not right" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (1, None, "Your portal access starts on"),
        (None, -1, "Your portal access ended on"),
        (5, 10, "Your portal access starts on"),
        (-10, -5, "Your portal access ended on"),
    ],
)
def test_refuses_sign_in_outside_the_support_dates_with_the_reason(
    client, admin_contact, start, end, expected
):
    admin_contact.support_start = today() + datetime.timedelta(days=start) if start is not None else None
    admin_contact.support_end = today() + datetime.timedelta(days=end) if end is not None else None
    admin_contact.save()
    response = login(client, admin_contact.email)
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_signs_in_on_the_first_and_on_the_last_day_of_support(client, admin_contact):
    admin_contact.support_start = admin_contact.support_end = today()
    admin_contact.save()
    assert login(client, admin_contact.email).status_code == 302


def test_support_dates_are_days_in_the_configured_time_zone(client, admin_contact, settings, monkeypatch):
    """ "Today" is the date in TIME_ZONE: at 23:30 UTC on the last day it is already the next day
    in Auckland, so access has ended there."""
    from django.utils import timezone as tz

    moment = datetime.datetime(2030, 6, 30, 23, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(tz, "now", lambda: moment)
    admin_contact.support_end = datetime.date(2030, 6, 30)
    admin_contact.save()
    settings.TIME_ZONE = "UTC"
    assert login(client, admin_contact.email).status_code == 302
    client.logout()
    settings.TIME_ZONE = "Pacific/Auckland"
    response = login(client, admin_contact.email)
    assert "Your portal access ended on" in response.content.decode()


def test_refuses_when_access_is_off_or_the_contact_inactive(client, admin_contact):
    Contact.objects.filter(pk=admin_contact.pk).update(status="inactive")
    assert "Your contact record is inactive" in login(client, admin_contact.email).content.decode()
    Contact.objects.filter(pk=admin_contact.pk).update(status="active", portal_enabled=False)
    assert "Your portal access has been switched off" in login(client, admin_contact.email).content.decode()


def test_staff_cannot_sign_in_to_the_portal(client, db):
    staff = UserFactory(username="dispatch@example.com", email="dispatch@example.com", is_staff=True)
    staff.set_password(PASSWORD)
    staff.save()
    response = login(client, "dispatch@example.com")
    assert "The e-mail address or the password is not right" in response.content.decode()


def test_a_signed_in_staff_user_is_refused_portal_pages(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/portal/contacts/")
    assert response.status_code == 403
    assert "Staff use the staff pages" in response.content.decode()


def test_portal_users_cannot_open_staff_pages_or_the_admin(admin_contact):
    client = signed_in(admin_contact)
    assert client.get("/contacts/").status_code == 403
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    with assert_unchanged(admin_contact.user):
        assert (
            client.post(
                "/accounts/login/", {"username": admin_contact.user.username, "password": PASSWORD}
            ).status_code
            == 200
        )
    assert client.get("/contacts/").status_code == 403


def test_signing_out_ends_the_session(client, admin_contact):
    login(client, admin_contact.email)
    response = client.post("/portal/logout/")
    assert response["Location"] == "/portal/login/"
    assert client.get("/portal/").status_code == 302
    assert not PortalSession.objects.exists()


# Throttle -------------------------------------------------------------------------------------


def test_five_failures_lock_the_address_even_for_the_right_password(client, admin_contact, settings):
    for _ in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        assert "not right" in login(client, admin_contact.email, "guess").content.decode()
    response = login(client, admin_contact.email)
    assert response.status_code == 200
    assert "Too many failed sign-in attempts. Please wait 15 minutes" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_lockout(client, admin_contact, settings):
    from django.core.cache import cache

    for _ in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        login(client, admin_contact.email, "guess")
    assert "Too many" in login(client, admin_contact.email).content.decode()
    cache.clear()  # what the cache does when the 15 minutes are over
    assert login(client, admin_contact.email).status_code == 302


def test_fewer_failures_do_not_lock_and_a_success_clears_them(client, admin_contact, settings):
    for _ in range(settings.CLIENTBASE_LOGIN_ATTEMPTS - 1):
        login(client, admin_contact.email, "guess")
    assert login(client, admin_contact.email).status_code == 302
    client.post("/portal/logout/")
    for _ in range(settings.CLIENTBASE_LOGIN_ATTEMPTS - 1):
        login(client, admin_contact.email, "guess")
    assert login(client, admin_contact.email).status_code == 302


def test_failures_from_one_ip_address_lock_every_address_tried_from_it(client, admin_contact, settings):
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 3
    for n in range(3):
        login(client, f"someone{n}@northwind.example", "guess", REMOTE_ADDR="203.0.113.9")
    locked = login(client, admin_contact.email, REMOTE_ADDR="203.0.113.9")
    assert "Too many failed sign-in attempts" in locked.content.decode()
    elsewhere = Client()
    assert login(elsewhere, admin_contact.email, REMOTE_ADDR="198.51.100.7").status_code == 302


# Sessions that end --------------------------------------------------------------------------------


def test_an_open_session_ends_when_the_support_end_date_passes(client, admin_contact, monkeypatch):
    admin_contact.support_end = today()
    admin_contact.save()
    assert login(client, admin_contact.email).status_code == 302
    assert client.get("/portal/contacts/").status_code == 200

    from django.utils import timezone as tz

    tomorrow = tz.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(tz, "now", lambda: tomorrow)
    response = client.get("/portal/contacts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/portal/login/")
    page = client.get(response["Location"])
    assert "You have been signed out. Your portal access ended on" in page.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_session_ends_on_the_next_api_request_too(client, admin_contact):
    login(client, admin_contact.email)
    assert client.get("/api/v1/contacts/").status_code == 200
    Contact.objects.filter(pk=admin_contact.pk).update(status="inactive")
    assert client.get("/api/v1/contacts/").status_code in (401, 403)
    assert "_auth_user_id" not in client.session


def test_a_login_whose_contact_was_deleted_is_signed_out(client, admin_contact):
    login(client, admin_contact.email)
    Contact.objects.filter(pk=admin_contact.pk).delete()
    response = client.get("/portal/")
    assert response.status_code == 302
    assert "not linked to a customer contact" in client.get(response["Location"]).content.decode()


def test_sessions_that_ended_are_forgotten_at_the_next_sign_in(admin_contact):
    first = Client()
    login(first, admin_contact.email)
    first.post("/portal/logout/")
    second = Client()
    login(second, admin_contact.email)
    stale = Client()
    login(stale, admin_contact.email)
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key=stale.session.session_key).delete()  # expired and cleared
    login(Client(), admin_contact.email)
    assert PortalSession.objects.filter(user=admin_contact.user).count() == 2
