"""The contact page's e-mail and activity section, and the navigation entries of these apps."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from clientbase.notifications.models import Activity, Message
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_dispatcher_sees_the_send_test_email_action_and_it_queues_a_message(dispatcher):
    contact = ContactFactory(email="mike@example.com")
    client = client_for(dispatcher)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert "E-mail and activity" in page
    assert "Send test e-mail" in page
    response = client.post(f"/contacts/{contact.pk}/send-test-email/")
    assert response.status_code == 302
    assert Message.objects.filter(contact=contact, to="mike@example.com").count() == 1


def test_no_action_without_an_address_or_the_right_to_change(dispatcher, technician):
    without_email = ContactFactory(email="")
    assert (
        "Send test e-mail"
        not in client_for(dispatcher).get(f"/contacts/{without_email.pk}/").content.decode()
    )
    with_email = ContactFactory(email="ann@example.com")
    assert (
        "Send test e-mail" not in client_for(technician).get(f"/contacts/{with_email.pk}/").content.decode()
    )
    refused = client_for(technician).post(f"/contacts/{with_email.pk}/send-test-email/")
    assert refused.status_code == 403
    assert not Message.objects.exists()


def test_navigation_offers_work_orders_and_outbox_to_those_who_may_see_them(admin_user):
    page = client_for(admin_user).get("/contacts/").content.decode()
    assert 'href="/work-orders/"' in page
    assert 'href="/outbox/"' in page


def test_staff_record_a_call_on_the_contact_page_and_it_shows_in_its_activity(dispatcher):
    contact = ContactFactory(email="mike@example.com")
    client = client_for(dispatcher)
    response = client.post(
        f"/contacts/{contact.pk}/activities/new/", {"kind": "call", "summary": "Asked about the chiller"}
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.kind, activity.contact, activity.customer_id, activity.user) == (
        "call",
        contact,
        contact.customer_id,
        dispatcher,
    )
    assert "Asked about the chiller" in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_a_blank_summary_or_a_message_kind_is_refused_and_nothing_recorded(dispatcher):
    contact = ContactFactory()
    client = client_for(dispatcher)
    client.post(f"/contacts/{contact.pk}/activities/new/", {"kind": "call", "summary": "  "})
    client.post(f"/contacts/{contact.pk}/activities/new/", {"kind": "message", "summary": "Fake mail"})
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert not Activity.objects.exists()
    assert "Summary: This field may not be blank." in page


def test_recording_needs_the_permission(technician):
    contact = ContactFactory()
    assert (
        client_for(technician)
        .post(f"/contacts/{contact.pk}/activities/new/", {"kind": "note", "summary": "x"})
        .status_code
        == 403
    )
    assert not Activity.objects.exists()


def test_the_contact_page_counts_the_messages_waiting_in_the_outbox(admin_user):
    from tests.notifications.factories import MessageFactory

    contact = ContactFactory(email="mike@example.com", first_name="Mike", last_name="Johnson")
    page = client_for(admin_user).get(f"/contacts/{contact.pk}/").content.decode()
    assert 'id="waiting-messages"' not in page
    MessageFactory(contact=contact, customer=contact.customer, to=contact.email)
    MessageFactory(contact=contact, customer=contact.customer, to=contact.email)
    MessageFactory(
        contact=contact, customer=contact.customer, to=contact.email, status="sent", sent_at=timezone.now()
    )
    page = client_for(admin_user).get(f"/contacts/{contact.pk}/").content.decode()
    assert "2 messages to Mike Johnson wait in the" in page
    assert f'href="/outbox/?contact={contact.pk}&amp;status=pending"' in page
    # Who may not read the outbox is not told of it.
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    reader = UserFactory(username="reader", is_staff=True)
    reader.user_permissions.add(*Permission.objects.filter(codename__in=["view_contact", "view_customer"]))
    assert 'id="waiting-messages"' not in client_for(reader).get(f"/contacts/{contact.pk}/").content.decode()
