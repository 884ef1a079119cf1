"""The portal's mails over real SMTP (aiosmtpd, in the test process, delivered by the outbox
worker): the invitation's link sets a password once and expires, the reset mail, the note to the
old address. Never a password in a mail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client

from clientbase.contacts import services as contact_services
from clientbase.notifications import delivery
from clientbase.notifications.models import Message
from clientbase.portal.tokens import token_generator
from tests.factories import ContactFactory, UserFactory
from tests.portal.conftest import PASSWORD, login

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "saffron-lighthouse-72"


def deliver_all() -> dict[str, int]:
    total: dict[str, int] = {}
    while outcomes := delivery.process_due(worker="portal-tests"):
        for key, value in outcomes.items():
            total[key] = total.get(key, 0) + value
    return total


def plain(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def html(email) -> str:
    return email.get_body(preferencelist=("html",)).get_content()


def link_in(email) -> str:
    return re.search(r"http://testserver/portal/set-password/\S+/", plain(email)).group(0)


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    """Follow the mailed link as a browser does: it moves the token into the session first."""
    opened = client.get(path_of(link))
    assert opened.status_code == 302, opened.content.decode()[:500]
    form_url = opened["Location"]
    assert client.get(form_url).status_code == 200
    return client.post(form_url, {"new_password1": password, "new_password2": password})


@pytest.fixture
def invited(api, dispatcher, northwind, smtp_server):
    """Mia, just given portal access by staff through the API; her invitation delivered."""
    customer, _, _ = northwind
    mia = ContactFactory(customer=customer, first_name="Mia", last_name="Wong", email="mia@northwind.example")
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{mia.pk}/",
        {"portal": {"enabled": True, "permissions": ["edit_contacts"]}},
        format="json",
    )
    assert response.status_code == 200
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    return mia, email


def test_the_invitation_arrives_with_a_link_and_no_password(invited):
    mia, email = invited
    assert email["To"] == "Mia Wong <mia@northwind.example>"
    assert email["Subject"] == "Your access to the customer portal for Northwind Hospitals"
    assert email["X-Clientbase-Event"] == "portal.invitation"
    link = link_in(email)
    assert link in html(email)
    assert "We never send passwords by e-mail." in plain(email)
    mia.refresh_from_db()
    assert not mia.user.has_usable_password()  # there is no password that could be in it
    assert "http://testserver/portal/login/" in plain(email)
    assert Message.objects.get(event="portal.invitation").status == "sent"


def test_the_invitations_link_sets_the_password_once_then_the_contact_signs_in(invited):
    _mia, email = invited
    link = link_in(email)
    browser = Client()
    done = set_password(browser, link)
    assert done["Location"] == "/portal/login/"
    assert "Your password is set" in browser.get("/portal/login/").content.decode()
    assert login(browser, "mia@northwind.example", NEW_PASSWORD).status_code == 302
    assert browser.get("/portal/contacts/").status_code == 200
    # Used once: the same link does not work again.
    again = Client().get(path_of(link))
    assert again.status_code == 200
    assert "This link does not work any more" in again.content.decode()


def test_a_second_link_stops_working_once_the_password_is_set_through_the_first(
    invited, api, dispatcher, smtp_server
):
    mia, email = invited
    assert api(dispatcher).post(f"/api/v1/contacts/{mia.pk}/portal-invitation/").status_code == 202
    assert deliver_all() == {"sent": 1}
    second_link = link_in(smtp_server.received[1])
    assert set_password(Client(), link_in(email))["Location"] == "/portal/login/"
    assert "does not work any more" in Client().get(path_of(second_link)).content.decode()


def test_a_reset_link_stops_working_once_the_user_signed_in(client, admin_contact, smtp_server):
    client.post("/portal/password-reset/", {"email": admin_contact.email})
    assert deliver_all() == {"sent": 1}
    link = link_in(smtp_server.received[0])
    assert login(Client(), admin_contact.email, PASSWORD).status_code == 302  # remembered it after all
    assert "does not work any more" in Client().get(path_of(link)).content.decode()


def test_the_link_expires(invited, monkeypatch, settings):
    _, email = invited
    link = link_in(email)
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    monkeypatch.setattr(token_generator, "_now", lambda: later)
    response = Client().get(path_of(link))
    assert "This link does not work any more" in response.content.decode()


def test_a_revoked_invitation_link_does_not_work(invited, api, dispatcher):
    mia, email = invited
    api(dispatcher).post(f"/api/v1/contacts/{mia.pk}/revoke-portal/")
    assert "does not work any more" in Client().get(path_of(link_in(email))).content.decode()


def test_a_tampered_or_foreign_link_does_not_work(invited, db):
    _, email = invited
    link = link_in(email)
    assert "does not work any more" in Client().get(path_of(link)[:-3] + "xx/").content.decode()
    staff = UserFactory(username="staffer")
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    staff_link = f"/portal/set-password/{urlsafe_base64_encode(force_bytes(staff.pk))}/{token_generator.make_token(staff)}/"
    assert "does not work any more" in Client().get(staff_link).content.decode()


# Password reset -------------------------------------------------------------------------------------


def test_a_password_reset_mail_lets_the_user_choose_a_new_password(client, admin_contact, smtp_server):
    response = client.post("/portal/password-reset/", {"email": "Alice@Northwind.example"})
    assert response["Location"] == "/portal/password-reset/sent/"
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    assert email["Subject"] == "Reset your customer portal password"
    assert PASSWORD not in plain(email) and PASSWORD not in html(email)
    set_password(Client(), link_in(email))
    assert "not right" in login(Client(), admin_contact.email, PASSWORD).content.decode()
    assert login(Client(), admin_contact.email, NEW_PASSWORD).status_code == 302


def test_a_reset_for_an_unknown_or_staff_address_answers_the_same_and_sends_nothing(client, db, smtp_server):
    UserFactory(username="staff@example.com", email="staff@example.com")
    for address in ("nobody@example.com", "staff@example.com"):
        response = client.post("/portal/password-reset/", {"email": address})
        assert response["Location"] == "/portal/password-reset/sent/"
    assert deliver_all() == {}
    assert not Message.objects.exists()


def test_reset_mails_are_limited_per_address(client, admin_contact, settings):
    for _ in range(settings.CLIENTBASE_PORTAL_RESET_MAILS + 2):
        client.post("/portal/password-reset/", {"email": admin_contact.email})
    assert (
        Message.objects.filter(event="portal.password_reset").count()
        == settings.CLIENTBASE_PORTAL_RESET_MAILS
    )


def test_the_old_address_is_told_of_a_new_sign_in_address(admin_contact, dispatcher, smtp_server):
    contact_services.update_contact(
        contact=admin_contact, acting_user=dispatcher, data={"email": "alice@new.example"}
    )
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    assert email["To"] == "Alice Admin <alice@northwind.example>"
    assert "was changed from alice@northwind.example to alice@new.example" in " ".join(plain(email).split())


def test_links_use_the_configured_portal_address(api, dispatcher, northwind, settings, smtp_server):
    settings.CLIENTBASE_PORTAL_BASE_URL = "https://service.example.com/"
    customer, _, _ = northwind
    mia = ContactFactory(customer=customer, email="mia@northwind.example")
    api(dispatcher).patch(f"/api/v1/contacts/{mia.pk}/", {"portal": {"enabled": True}}, format="json")
    settings.CLIENTBASE_PORTAL_BASE_URL = ""  # the address when it was queued counts
    assert deliver_all() == {"sent": 1}
    assert "https://service.example.com/portal/set-password/" in plain(smtp_server.received[0])
