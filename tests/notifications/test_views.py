"""The staff pages of the outbox, the contact page's test e-mail action, and the activity section
of the customer page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clientbase import groups
from clientbase.notifications.models import Message
from tests.factories import ContactFactory, UserFactory
from tests.notifications.factories import ActivityFactory, MessageFactory

pytestmark = pytest.mark.django_db
OUTBOX = "/outbox/"


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


def test_without_email_host_the_outbox_shows_the_mail_that_waits(staff, client, settings):
    settings.EMAIL_HOST = ""
    message = MessageFactory(subject="Work order W-000001 opened: Boiler leaking")
    page = staff.get(OUTBOX).content.decode()
    assert "Mail is not being sent" in page and "Boiler leaking" in page
    # Administrators read the body (other staff the envelope only: tests/notifications/test_secrets.py).
    client.force_login(UserFactory(username="boss", groups=[groups.ADMINISTRATOR]))
    detail = client.get(f"{OUTBOX}{message.pk}/").content.decode()
    assert "This is the mail as it will go out" in detail
    assert "A work order has been opened for you." in detail and "W-000001" in detail
    assert message.message_id.replace("<", "&lt;").replace(">", "&gt;") in detail
    assert f'src="/outbox/{message.pk}/html/"' in detail


def test_the_outbox_filters_by_status(staff):
    MessageFactory(subject="Still waiting")
    MessageFactory(subject="Gone out", status="sent", sent_at=timezone.now())
    page = staff.get(OUTBOX, {"status": "sent"}).content.decode()
    assert "Gone out" in page and "Still waiting" not in page
    partial = staff.get(OUTBOX, {"status": "pending"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Still waiting" in partial


def test_a_message_that_cannot_be_rendered_says_why(client, admin_user):
    client.force_login(admin_user)
    message = MessageFactory(event="contact.test_email", context={})
    Message.objects.filter(pk=message.pk).update(event="no.such_event")
    page = client.get(f"{OUTBOX}{message.pk}/").content.decode()
    assert "cannot be rendered" in page


def test_the_outbox_is_for_staff_who_may_view_messages(
    client, nobody, portal_user_factory, customer_with_two_sites
):
    message = MessageFactory()
    assert client.get(OUTBOX).status_code == 302
    client.force_login(nobody)
    assert client.get(OUTBOX).status_code == 403
    assert client.get(f"{OUTBOX}{message.pk}/").status_code == 403
    client.force_login(
        portal_user_factory(customer_with_two_sites[0], permissions=["admin"], email="me@example.com")
    )
    assert client.get(OUTBOX).status_code == 403


def test_send_test_email_from_the_contact_page(staff, settings):
    settings.EMAIL_HOST = ""
    contact = ContactFactory(email="new@example.com")
    response = staff.post(f"/contacts/{contact.pk}/send-test-email/", follow=True)
    assert response.redirect_chain[-1][0] == f"/contacts/{contact.pk}/"
    assert "Test e-mail to new@example.com queued." in response.content.decode()
    assert Message.objects.get().event == "contact.test_email"


def test_send_test_email_refusals_on_the_page(client, technician, dispatcher):
    no_address = ContactFactory(email="")
    client.force_login(dispatcher)
    response = client.post(f"/contacts/{no_address.pk}/send-test-email/", follow=True)
    assert "has no e-mail address" in response.content.decode()
    assert client.get(f"/contacts/{no_address.pk}/send-test-email/").status_code == 405
    assert client.post("/contacts/999999/send-test-email/").status_code == 404
    client.force_login(technician)
    assert client.post(f"/contacts/{ContactFactory().pk}/send-test-email/").status_code == 403
    assert not Message.objects.exists()


def test_the_customer_page_shows_its_activity(staff, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ActivityFactory(
        contact=ContactFactory(customer=customer, first_name="Mike", last_name="Johnson"),
        summary="Confirmed Tuesday visit",
    )
    ActivityFactory(summary="Another customer's call")
    page = staff.get(f"/customers/{customer.pk}/").content.decode()
    assert 'id="activity"' in page and "Confirmed Tuesday visit" in page and "Mike Johnson" in page
    assert "Another customer's call" not in page
