"""Secret links never readable once queued, and message bodies for administrators only.

The outbox row of a portal invitation, a password reset or a test e-mail holds a marker instead of
its link; the worker makes the link when it sends (and the mail's link works), every other surface
(staff page, its HTML frame, the API, the Django admin) shows a placeholder or nothing. Staff other
than administrators see a message's envelope, never its body."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from clientbase import groups
from clientbase.contacts import services as contact_services
from clientbase.notifications import delivery, secret_links
from clientbase.notifications.mail import build_email, render_bodies
from clientbase.notifications.models import Message
from clientbase.notifications.services import send_test_email
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "saffron-lighthouse-72"
SET_PASSWORD_PLACEHOLDER = "[set-password link, sent only in the mail]"
VERIFY_PLACEHOLDER = "[e-mail verification link, sent only in the mail]"
# What a leaked link or body would look like in a response.
LINK_TRACES = ("/portal/set-password/", "set-password/", "/mail/verify/")
BODY_TRACES = ("Choose your password here", "We never send passwords by e-mail", "Dear Mia Wong")
LEGACY_LINK = "http://testserver/portal/set-password/MTIzNDU/cz5lx3-0123456789abcdef0123456789abcdef/"


def deliver_all() -> dict[str, int]:
    total: dict[str, int] = {}
    while outcomes := delivery.process_due(worker="secrets-tests"):
        for key, value in outcomes.items():
            total[key] = total.get(key, 0) + value
    return total


def plain(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def link_in(text: str) -> str:
    return re.search(r"http://testserver/portal/set-password/\S+/", text).group(0)


def page_of(client: Client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def assert_nothing_secret(text: str) -> None:
    for trace in LINK_TRACES:
        assert trace not in text, trace


@pytest.fixture
def administrator(db):
    return UserFactory(username="boss", groups=[groups.ADMINISTRATOR])


@pytest.fixture
def mia(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    return ContactFactory(
        customer=customer, first_name="Mia", last_name="Wong", email="mia@northwind.example"
    )


@pytest.fixture
def invitation(api, dispatcher, mia):
    """Mia given portal access by staff through the API: her invitation waits in the outbox."""
    response = api(dispatcher).patch(
        f"/api/v1/contacts/{mia.pk}/", {"portal": {"enabled": True, "permissions": ["admin"]}}, format="json"
    )
    assert response.status_code == 200, response.json()
    mia.refresh_from_db()
    return Message.objects.get(event="portal.invitation")


def test_the_outbox_row_holds_a_marker_never_the_link(invitation, mia):
    assert_nothing_secret(str(invitation.context))
    marker = invitation.context["link"]
    assert secret_links.is_marker(marker)
    assert set(marker) == {secret_links.MARKER_KEY, "user", "base", "state"}
    assert marker["user"] == mia.user_id and marker["base"] == "http://testserver"


@pytest.mark.parametrize("who", ["technician", "dispatcher"])
def test_staff_other_than_administrators_see_the_envelope_not_the_body(request, client, api, invitation, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    status, page = page_of(client, f"/outbox/{invitation.pk}/")
    assert status == 200
    assert "Your access to the customer portal" in page and "mia@northwind.example" in page
    assert "Only administrators read the body of a message." in page
    assert_nothing_secret(page)
    for trace in BODY_TRACES:
        assert trace not in page
    assert f"/outbox/{invitation.pk}/html/" not in page
    # The frame's document is refused too, and says nothing of the body.
    status, frame = page_of(client, f"/outbox/{invitation.pk}/html/")
    assert status == 403
    assert_nothing_secret(frame)
    assert "Choose your password" not in frame
    # The API: the message, its envelope only.
    for url in (f"/api/v1/messages/{invitation.pk}/", "/api/v1/messages/"):
        response = api(user).get(url)
        assert response.status_code == 200
        text = response.content.decode()
        assert "Your access to the customer portal" in text
        assert_nothing_secret(text)
        for trace in BODY_TRACES:
            assert trace not in text
        assert "context" not in response.json().get("results", [response.json()])[0]


def test_administrators_read_the_body_with_the_link_masked(client, api, administrator, invitation):
    client.force_login(administrator)
    status, page = page_of(client, f"/outbox/{invitation.pk}/")
    assert status == 200
    assert "Choose your password here" in page and "We never send passwords by e-mail." in page
    assert SET_PASSWORD_PLACEHOLDER in page
    assert_nothing_secret(page)
    status, frame = page_of(client, f"/outbox/{invitation.pk}/html/")
    assert status == 200
    assert SET_PASSWORD_PLACEHOLDER in frame
    assert_nothing_secret(frame)
    assert_nothing_secret(api(administrator).get(f"/api/v1/messages/{invitation.pk}/").content.decode())


def test_the_mail_sent_carries_a_working_link(smtp_server, invitation, mia, administrator):
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    link = link_in(plain(email))
    # Sent: the row still holds no link, and the page still masks it.
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert_nothing_secret(str(invitation.context))
    admin_page = Client()
    admin_page.force_login(administrator)
    assert link not in page_of(admin_page, f"/outbox/{invitation.pk}/")[1]
    # Following the link sets the password; Mia signs in with it.
    browser = Client()
    opened = browser.get(link.removeprefix("http://testserver"))
    assert opened.status_code == 302
    form_url = opened["Location"]
    done = browser.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/portal/login/"
    mia.user.refresh_from_db()
    assert mia.user.check_password(NEW_PASSWORD)


def test_a_reset_mail_masks_its_link_too_and_sends_a_working_one(client, administrator, smtp_server, mia):
    contact_services.update_contact(
        contact=mia, acting_user=administrator, data={"portal": {"enabled": True, "permissions": ["admin"]}}
    )
    Message.objects.all().delete()
    assert Client().post("/portal/password-reset/", {"email": mia.email}).status_code == 302
    reset = Message.objects.get(event="portal.password_reset")
    assert_nothing_secret(str(reset.context))
    client.force_login(administrator)
    page = page_of(client, f"/outbox/{reset.pk}/")[1]
    assert SET_PASSWORD_PLACEHOLDER in page
    assert_nothing_secret(page)
    assert deliver_all() == {"sent": 1}
    assert link_in(plain(smtp_server.received[0]))


def test_a_link_that_would_no_longer_work_is_not_sent(smtp_server, invitation, mia, dispatcher):
    """The account changed between queueing and sending (here: a new sign-in address): a link
    made at queue time would be dead, so the one made at send time must not work either."""
    contact_services.update_contact(contact=mia, acting_user=dispatcher, data={"email": "mia@new.example"})
    outcomes = deliver_all()
    invitation.refresh_from_db()
    assert invitation.status == "failed"
    assert "set-password link would no longer work" in invitation.last_error
    assert_nothing_secret(invitation.last_error)
    assert outcomes.get("failed") == 1
    assert all("set-password" not in plain(email) for email in smtp_server.received)


def test_the_test_email_link_is_masked_and_made_when_sent(client, administrator, dispatcher, smtp_server):
    contact = ContactFactory(email="new@example.com")
    message = send_test_email(contact=contact, acting_user=dispatcher, base_url="http://testserver/")
    assert_nothing_secret(str(message.context))
    text, html = render_bodies(message)
    assert VERIFY_PLACEHOLDER in text and VERIFY_PLACEHOLDER in html
    assert_nothing_secret(text + html)
    client.force_login(administrator)
    page = page_of(client, f"/outbox/{message.pk}/")[1]
    assert VERIFY_PLACEHOLDER in page
    assert_nothing_secret(page)
    assert "http://testserver/mail/verify/" in build_email(message).body
    assert deliver_all() == {"sent": 1}
    link = re.search(r"http://testserver/mail/verify/\S+/", plain(smtp_server.received[0])).group(0)
    assert Client().post(link.removeprefix("http://testserver")).status_code == 200
    contact.refresh_from_db()
    assert contact.email_status == "verified"


def test_a_test_email_to_an_address_changed_meanwhile_is_not_sent(smtp_server, dispatcher):
    contact = ContactFactory(email="old@example.com")
    message = send_test_email(contact=contact, acting_user=dispatcher, base_url="http://testserver/")
    contact_services.update_contact(
        contact=contact, acting_user=dispatcher, data={"email": "new@example.com"}
    )
    deliver_all()
    message.refresh_from_db()
    assert message.status == "failed" and "e-mail address changed" in message.last_error
    assert smtp_server.received == []


# Rows written before markers existed ---------------------------------------------------------------


@pytest.fixture
def legacy_invitation(mia):
    """An invitation row as older versions wrote it: the link as text in the context."""
    return MessageFactory(
        contact=mia,
        event="portal.invitation",
        subject="Your access to the customer portal",
        context={
            "link": LEGACY_LINK,
            "login_url": "http://testserver/portal/login/",
            "valid_days": 3,
            "customer_name": "Northwind Hospitals",
            "invited_by": "",
            "email": mia.email,
            "note": f"Copy of {LEGACY_LINK} kept elsewhere",
        },
    )


@pytest.mark.parametrize("who", ["technician", "dispatcher", "administrator", "admin_user"])
def test_a_link_stored_as_text_by_older_versions_is_never_shown(request, client, legacy_invitation, who):
    client.force_login(request.getfixturevalue(who))
    for url in (
        f"/outbox/{legacy_invitation.pk}/",
        f"/outbox/{legacy_invitation.pk}/html/",
        f"/admin/notifications/message/{legacy_invitation.pk}/change/",
    ):
        status, text = page_of(client, url)
        assert status in (200, 302, 403), (url, status)  # 302: the admin is for superusers only
        assert LEGACY_LINK not in text and "cz5lx3" not in text, url
        assert_nothing_secret(text)


def test_masking_reaches_every_value_and_the_worker_still_sends_an_old_link(legacy_invitation, smtp_server):
    masked = secret_links.mask(legacy_invitation.context)
    assert masked["link"] == SET_PASSWORD_PLACEHOLDER
    assert masked["note"] == f"Copy of {SET_PASSWORD_PLACEHOLDER} kept elsewhere"
    assert masked["login_url"] == "http://testserver/portal/login/"  # not a secret
    assert secret_links.mask({"facts": {"links": [LEGACY_LINK.removeprefix("http://testserver")]}}) == {
        "facts": {"links": [SET_PASSWORD_PLACEHOLDER]}
    }
    assert secret_links.mask({"x": {secret_links.MARKER_KEY: "no.such_kind"}}) == {
        "x": "[secret link, sent only in the mail]"
    }
    assert deliver_all() == {"sent": 1}
    assert LEGACY_LINK in plain(smtp_server.received[0])


def test_the_django_admin_shows_the_context_masked_to_superusers_only(
    client, technician, administrator, admin_user, invitation
):
    url = f"/admin/notifications/message/{invitation.pk}/change/"
    for staff in (technician, administrator):
        client.force_login(staff)
        status, page = page_of(client, url)
        assert status == 302
        assert "Your access to the customer portal" not in page and "valid_days" not in page
    client.force_login(admin_user)
    status, page = page_of(client, url)
    assert status == 200
    assert "What the mail shows" in page and SET_PASSWORD_PLACEHOLDER in page
    assert_nothing_secret(page)


def test_administrators_hold_the_body_permission_and_the_other_groups_do_not(
    administrator, dispatcher, technician, accounts_clerk, admin_user
):
    assert administrator.has_perm("notifications.view_message_body")
    assert admin_user.has_perm("notifications.view_message_body")
    for user in (dispatcher, technician, accounts_clerk):
        assert not user.has_perm("notifications.view_message_body")
