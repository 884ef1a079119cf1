"""“Send test e-mail” is limited on every surface (one per contact per
CLIENTBASE_TEST_EMAIL_INTERVAL, CLIENTBASE_TEST_EMAIL_PER_HOUR per user within an hour), and the mail
names nobody of ours; the activity log says who asked."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from clientbase import groups
from clientbase.errors import Throttled
from clientbase.notifications.mail import build_email, render_bodies
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.services import TEST_EMAIL_REASON, TEST_EMAIL_REQUESTED, send_test_email
from tests.factories import ContactFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
BASE = "http://testserver/"


def url_of(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/send-test-email/"


def outbox() -> tuple[int, int]:
    """The test e-mails queued and the requests recorded."""
    return (
        Message.objects.filter(event="contact.test_email").count(),
        Activity.objects.filter(summary=TEST_EMAIL_REQUESTED).count(),
    )


def assert_no_secret(text: str) -> None:
    assert "/mail/verify/" not in text and "secret-link" not in text.lower()


@pytest.fixture
def contact(customer_with_two_sites):
    return ContactFactory(customer=customer_with_two_sites[0], email="new@example.com", last_name="Okafor")


def test_a_second_test_email_within_the_interval_is_429_in_the_api(api, dispatcher, technician, contact):
    assert api(dispatcher).post(url_of(contact)).status_code == 202
    before = outbox()
    response = api(dispatcher).post(url_of(contact))
    assert response.status_code == 429
    assert 290 <= int(response["Retry-After"]) <= 300
    detail = response.json()["detail"]
    assert "less than 5 minutes ago" in detail and "Try again in 5 minutes." in detail
    assert_no_secret(response.content.decode())
    assert outbox() == before == (1, 1)
    # Who may not send at all hears that, not when to try again.
    with assert_unchanged(contact, Message, Activity):
        assert api(technician).post(url_of(contact)).status_code == 403


def test_a_second_test_email_within_the_interval_is_a_message_on_the_page(dispatcher, contact):
    client = Client()
    client.force_login(dispatcher)
    first = client.post(f"/contacts/{contact.pk}/send-test-email/", follow=True)
    assert "Test e-mail to new@example.com queued." in first.content.decode()
    before = outbox()
    response = client.post(f"/contacts/{contact.pk}/send-test-email/", follow=True)
    assert response.redirect_chain[-1] == (f"/contacts/{contact.pk}/", 302)
    page = response.content.decode()
    assert "was queued less than 5 minutes ago; nothing was sent. Try again in 5 minutes." in page
    assert "Test e-mail to new@example.com queued." not in page
    swapped = client.post(f"/contacts/{contact.pk}/send-test-email/", HTTP_HX_REQUEST="true")
    assert swapped.status_code == 429 and 290 <= int(swapped["Retry-After"]) <= 300
    assert "Try again in 5 minutes." in swapped.content.decode()
    assert_no_secret(page + swapped.content.decode())
    assert outbox() == before == (1, 1)


def test_the_interval_holds_for_portal_users_and_across_users(api, dispatcher, portal_user_factory, contact):
    portal_user = portal_user_factory(contact.customer, permissions=["edit_contacts"], email="me@example.com")
    assert api(portal_user).post(url_of(contact)).status_code == 202
    before = outbox()
    again = api(portal_user).post(url_of(contact))
    assert again.status_code == 429 and "Try again in 5 minutes." in again.json()["detail"]
    assert api(dispatcher).post(url_of(contact)).status_code == 429  # per contact, whoever asks
    assert outbox() == before == (1, 1)
    # Once the interval has passed, the next one goes out.
    Message.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=301))
    assert api(dispatcher).post(url_of(contact)).status_code == 202


def test_a_user_asks_for_at_most_the_hourly_number(api, dispatcher, portal_user_factory, settings):
    settings.CLIENTBASE_TEST_EMAIL_PER_HOUR = 3
    contacts = [ContactFactory(email=f"c{n}@example.com") for n in range(5)]
    for target in contacts[:3]:
        send_test_email(contact=target, acting_user=dispatcher, base_url=BASE)
    before = outbox()
    with pytest.raises(Throttled) as refused:
        send_test_email(contact=contacts[3], acting_user=dispatcher, base_url=BASE)
    assert refused.value.message == (
        "You asked for 3 test e-mails within the last hour, the most allowed; nothing was sent. "
        "Try again in 60 minutes."
    )
    response = api(dispatcher).post(url_of(contacts[3]))
    assert response.status_code == 429 and response.json()["detail"] == refused.value.message
    assert outbox() == before == (3, 3)
    # Another user's budget is its own.
    other = UserFactory(username="second-dispatcher", groups=[groups.DISPATCHER])
    send_test_email(contact=contacts[4], acting_user=other, base_url=BASE)
    # The hour slides: once the oldest request is 50 minutes old, the next is 10 minutes away;
    # once it is over an hour old, one more is allowed.
    oldest = Activity.objects.filter(user=dispatcher).order_by("created_at").first()
    Activity.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=50))
    with pytest.raises(Throttled) as later:
        send_test_email(contact=contacts[3], acting_user=dispatcher, base_url=BASE)
    assert 590 <= later.value.retry_after <= 600 and "Try again in 10 minutes." in later.value.message
    Activity.objects.filter(pk=oldest.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    send_test_email(contact=contacts[3], acting_user=dispatcher, base_url=BASE)
    assert outbox() == (5, 5)


def test_zero_lifts_the_limits(dispatcher, contact, settings):
    settings.CLIENTBASE_TEST_EMAIL_INTERVAL = 0
    settings.CLIENTBASE_TEST_EMAIL_PER_HOUR = 0
    for _ in range(3):
        send_test_email(contact=contact, acting_user=dispatcher, base_url=BASE)
    assert outbox() == (3, 3)


def test_the_mail_names_no_staff_user_and_the_activity_log_does(contact):
    asker = UserFactory(username="jdoe-dispatch", first_name="Jane", groups=[groups.DISPATCHER])
    message = send_test_email(contact=contact, acting_user=asker, base_url=BASE)
    assert message.reason == TEST_EMAIL_REASON
    text, html = render_bodies(message)
    email = build_email(message)  # what the worker sends
    sent_html = email.alternatives[0][0]
    for part in (text, html, email.body, str(sent_html), email.subject, message.reason):
        assert "jdoe" not in part.lower() and "jane" not in part.lower()
    assert f"You receive this e-mail because: {TEST_EMAIL_REASON}" in email.body
    assert TEST_EMAIL_REASON in str(sent_html)
    request = Activity.objects.get(summary=TEST_EMAIL_REQUESTED)
    assert (request.user, request.contact, request.body) == (asker, contact, "To new@example.com.")
