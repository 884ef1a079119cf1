"""The notification preview, the outbox (`messages/`), the activity log (`activities/`), the
send-test-email action and the verification link."""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.notifications.mail import build_email
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.services import verification_token
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged
from tests.notifications.factories import ActivityFactory, MessageFactory

pytestmark = pytest.mark.django_db
PREVIEW, MESSAGES, ACTIVITIES = "/api/v1/notifications/preview/", "/api/v1/messages/", "/api/v1/activities/"


# Preview -----------------------------------------------------------------------------------------------


def test_preview_lists_each_recipient_with_the_reason(api, dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        email="mike@example.com",
        notify_work_orders=True,
        locations=[north],
    )
    ContactFactory(customer=customer, notify_work_orders=True, locations=[south])
    response = api(dispatcher).get(
        PREVIEW, {"event": "work_order.created", "customer": customer.pk, "location": north.pk}
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "event": "work_order.created",
        "recipients": [
            {
                "contact": mike.pk,
                "name": "Mike Johnson",
                "email": "mike@example.com",
                "reason": "Opted into work order notifications; linked to this location.",
            }
        ],
        "warnings": [],
    }


def test_preview_of_a_quote_nobody_may_approve_warns(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, is_primary=True)
    ContactFactory(customer=customer, role_approver=True, notify_quotes=True, approval_limit=Decimal("100"))
    response = api(accounts_clerk).get(
        PREVIEW, {"event": "quote.sent", "customer": customer.pk, "amount": "250.00"}
    )
    assert response.status_code == 200
    assert response.json()["recipients"] == []
    assert "No approver qualifies" in response.json()["warnings"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"customer": 1}, "event"),
        ({"event": "work_order.exploded", "customer": 1}, "event"),
        ({"event": "work_order.created"}, "customer"),
        ({"event": "work_order.created", "customer": "abc"}, "customer"),
        ({"event": "work_order.created", "customer": 1, "location": "north"}, "location"),
        ({"event": "quote.sent", "customer": 1}, "amount"),
        ({"event": "quote.sent", "customer": 1, "amount": "lots"}, "amount"),
        ({"event": "quote.sent", "customer": 1, "amount": "-1"}, "amount"),
        ({"event": "work_order.created", "customer": 1, "colour": "red"}, "colour"),
    ],
)
def test_preview_names_a_bad_or_missing_parameter(api, dispatcher, params, field):
    CustomerFactory()
    response = api(dispatcher).get(PREVIEW, params)
    assert response.status_code == 400
    assert field in response.json()


def test_preview_refuses_a_location_of_another_customer(
    api, dispatcher, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    foreign = other_customer.locations.get()
    response = api(dispatcher).get(
        PREVIEW, {"event": "work_order.created", "customer": customer.pk, "location": foreign.pk}
    )
    assert response.status_code == 400
    assert "location" in response.json()


def test_preview_permissions(api, nobody, portal_user_factory, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    params = {"event": "work_order.created", "customer": other_customer.pk}
    assert api().get(PREVIEW, params).status_code == 401
    assert api(nobody).get(PREVIEW, params).status_code == 403
    portal = api(portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com"))
    assert portal.get(PREVIEW, params).status_code == 404
    assert portal.get(PREVIEW, {**params, "customer": customer.pk}).status_code == 200
    billing = api(portal_user_factory(customer, permissions=["billing", "reports"], email="b@example.com"))
    assert billing.get(PREVIEW, {**params, "customer": customer.pk}).status_code == 403


def test_preview_answers_in_a_constant_number_of_queries(api, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    client = api(dispatcher)
    params = {"event": "work_order.created", "customer": customer.pk, "location": north.pk}
    ContactFactory(customer=customer, notify_work_orders=True)
    client.get(PREVIEW, params)  # warm the user's permission cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(PREVIEW, params).status_code == 200
    Contact.objects.bulk_create(
        [
            Contact(customer=customer, last_name=f"L{i}", email=f"l{i}@example.com", notify_work_orders=True)
            for i in range(50)
        ]
    )
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(PREVIEW, params).json()["recipients"]) == 51
    assert len(few) == len(many)


# Messages -------------------------------------------------------------------------------------------------


def test_messages_list_the_outbox_with_api_md_fields(api, dispatcher):
    message = MessageFactory(attempts=2, last_error="451 try later")
    response = api(dispatcher).get(MESSAGES)
    assert response.status_code == 200
    [row] = response.json()["results"]
    for field in (
        "event",
        "contact",
        "to",
        "subject",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ):
        assert field in row
    assert (row["id"], row["status"], row["attempts"], row["to"]) == (message.pk, "pending", 2, message.to)


def test_messages_filter_by_status_contact_and_customer(api, dispatcher):
    sent = MessageFactory(status="sent", sent_at=timezone.now())
    pending = MessageFactory()
    client = api(dispatcher)
    assert [r["id"] for r in client.get(MESSAGES, {"status": "sent"}).json()["results"]] == [sent.pk]
    assert [r["id"] for r in client.get(MESSAGES, {"contact": pending.contact_id}).json()["results"]] == [
        pending.pk
    ]
    assert [r["id"] for r in client.get(MESSAGES, {"customer": sent.customer_id}).json()["results"]] == [
        sent.pk
    ]
    assert client.get(MESSAGES, {"status": "lost"}).status_code == 400


def test_messages_are_read_only(api, admin_user):
    message = MessageFactory()
    client = api(admin_user)
    with assert_unchanged(Message):
        assert client.post(MESSAGES, {"to": "x@example.com"}, format="json").status_code == 405
        assert client.patch(f"{MESSAGES}{message.pk}/", {"status": "sent"}, format="json").status_code == 405
        assert client.delete(f"{MESSAGES}{message.pk}/").status_code == 405


def test_messages_permissions(api, nobody, technician, portal_user_factory, customer_with_two_sites):
    message = MessageFactory()
    assert api().get(MESSAGES).status_code == 401
    assert api().get(f"{MESSAGES}{message.pk}/").status_code == 401
    assert api(nobody).get(MESSAGES).status_code == 403
    assert api(nobody).get(f"{MESSAGES}{message.pk}/").status_code == 403
    assert api(technician).get(f"{MESSAGES}{message.pk}/").status_code == 200
    portal = api(
        portal_user_factory(customer_with_two_sites[0], permissions=["admin"], email="me@example.com")
    )
    assert portal.get(MESSAGES).status_code == 403
    assert portal.get(f"{MESSAGES}{message.pk}/").status_code == 403
    assert api(technician).get(f"{MESSAGES}999999/").status_code == 404


def test_messages_list_keeps_a_query_budget(api, dispatcher):
    client = api(dispatcher)
    MessageFactory.create_batch(2)
    client.get(MESSAGES)  # warm the user's permission cache
    with CaptureQueriesContext(connection) as few:
        client.get(MESSAGES)
    MessageFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(MESSAGES, {"page_size": 200}).json()["results"]) == 32
    assert len(few) == len(many) == 1


# Activities ---------------------------------------------------------------------------------------------------


def test_records_a_call_about_a_contact(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, first_name="Mike", last_name="Johnson")
    response = api(dispatcher).post(
        ACTIVITIES,
        {
            "contact": contact.pk,
            "kind": "call",
            "summary": " Confirmed Tuesday visit ",
            "body": "Gate code changes",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["customer"],
        body["contact"],
        body["contact_name"],
        body["kind"],
        body["summary"],
        body["user"],
    ) == (customer.pk, contact.pk, "Mike Johnson", "call", "Confirmed Tuesday visit", "dispatcher")


def test_records_a_note_about_a_customer(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    response = api(accounts_clerk).post(
        ACTIVITIES, {"customer": customer.pk, "kind": "note", "summary": "Pays late"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["contact"] is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "message", "summary": "x"}, "kind"),
        ({"kind": "fax", "summary": "x"}, "kind"),
        ({"kind": "call", "summary": "  "}, "summary"),
        ({"kind": "call", "summary": "x", "customer": None}, "customer"),
        ({"kind": "call", "summary": "x", "user": "boss"}, "user"),
    ],
)
def test_bad_activities_are_refused(api, dispatcher, body, field):
    response = api(dispatcher).post(ACTIVITIES, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Activity.objects.exists()


def test_a_contact_of_another_customer_is_refused(api, dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    stranger = ContactFactory(customer=other_customer)
    with assert_unchanged(Activity):
        response = api(dispatcher).post(
            ACTIVITIES,
            {"customer": customer.pk, "contact": stranger.pk, "kind": "note", "summary": "x"},
            format="json",
        )
    assert response.status_code == 400 and "contact" in response.json()


def test_activities_filter_by_contact_and_customer_and_survive_the_contact(
    api, admin_user, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, first_name="Gone", last_name="Soon")
    mine = ActivityFactory(contact=contact)
    ActivityFactory()
    client = api(admin_user)
    assert [r["id"] for r in client.get(ACTIVITIES, {"contact": contact.pk}).json()["results"]] == [mine.pk]
    assert [r["id"] for r in client.get(ACTIVITIES, {"customer": customer.pk}).json()["results"]] == [mine.pk]
    assert client.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 204
    [row] = client.get(ACTIVITIES, {"customer": customer.pk}).json()["results"]
    assert (row["contact"], row["contact_name"]) == (None, "Gone Soon")


def test_activities_permissions(
    api, nobody, technician, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    activity = ActivityFactory(contact=ContactFactory(customer=other_customer))
    body = {"customer": customer.pk, "kind": "note", "summary": "x"}
    assert api().get(ACTIVITIES).status_code == 401
    assert api().post(ACTIVITIES, body, format="json").status_code == 401
    assert api(nobody).get(ACTIVITIES).status_code == 403
    assert api(nobody).post(ACTIVITIES, body, format="json").status_code == 403
    assert api(technician).get(f"{ACTIVITIES}{activity.pk}/").status_code == 200
    assert api(technician).post(ACTIVITIES, body, format="json").status_code == 403
    portal = api(portal_user_factory(customer, permissions=["admin"], email="me@example.com"))
    assert portal.get(f"{ACTIVITIES}{activity.pk}/").status_code == 403
    assert api(technician).get(f"{ACTIVITIES}999999/").status_code == 404
    assert (
        api(technician).patch(f"{ACTIVITIES}{activity.pk}/", {"summary": "y"}, format="json").status_code
        == 405
    )
    assert Activity.objects.count() == 1


def test_activities_list_keeps_a_query_budget(api, dispatcher):
    client = api(dispatcher)
    ActivityFactory.create_batch(2)
    client.get(ACTIVITIES)  # warm the user's permission cache
    with CaptureQueriesContext(connection) as few:
        client.get(ACTIVITIES)
    ActivityFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        client.get(ACTIVITIES)
    assert len(few) == len(many) == 1


# Send test e-mail and the link ------------------------------------------------------------------------------


def url_of(contact) -> str:
    return f"/api/v1/contacts/{contact.pk}/send-test-email/"


def test_send_test_email_queues_a_message(api, dispatcher, customer_with_two_sites):
    contact = ContactFactory(customer=customer_with_two_sites[0], email="new@example.com")
    response = api(dispatcher).post(url_of(contact))
    assert response.status_code == 202, response.json()
    assert (response.json()["event"], response.json()["to"], response.json()["status"]) == (
        "contact.test_email",
        "new@example.com",
        "pending",
    )
    message = Message.objects.get()
    # The outbox holds a marker, not the link: the worker makes the link when it sends.
    assert "/mail/verify/" not in str(message.context)
    assert "http://testserver/mail/verify/" in build_email(message).body


def test_send_test_email_refusals(
    api, dispatcher, technician, nobody, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    no_address = ContactFactory(customer=customer, email="")
    contact = ContactFactory(customer=customer)
    stranger = ContactFactory(customer=other_customer)
    portal = api(portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com"))
    with assert_unchanged(Contact, Message, Activity):
        response = api(dispatcher).post(url_of(no_address))
        assert response.status_code == 409 and "no e-mail address" in response.json()["detail"]
        assert api().post(url_of(contact)).status_code == 401
        assert api(nobody).post(url_of(contact)).status_code == 403
        assert api(technician).post(url_of(contact)).status_code == 403
        assert portal.post(url_of(stranger)).status_code == 404
        assert api(dispatcher).post("/api/v1/contacts/999999/send-test-email/").status_code == 404
    assert not Message.objects.exists()


@pytest.fixture
def link(customer_with_two_sites):
    contact = ContactFactory(customer=customer_with_two_sites[0], email="new@example.com")
    return contact, f"/mail/verify/{verification_token(contact, timezone.now())}/"


def test_the_link_verifies_once(client, link):
    contact, url = link
    page = client.get(url)
    assert page.status_code == 200 and b"new@example.com" in page.content
    assert client.post(url).status_code == 200
    contact.refresh_from_db()
    assert contact.email_status == "verified" and contact.last_verified_at is not None
    assert Activity.objects.filter(contact=contact, summary__contains="verified").exists()
    used = client.post(url)
    assert used.status_code == 400 and b"already been used" in used.content
    assert client.get(url).status_code == 400


def test_a_newer_link_invalidates_older_ones_once_used(client, link):
    contact, old_url = link
    new_url = f"/mail/verify/{verification_token(contact, timezone.now() + datetime.timedelta(seconds=1))}/"
    assert client.post(new_url).status_code == 200
    with assert_unchanged(contact, Activity):
        assert client.post(old_url).status_code == 400


def test_a_link_for_an_address_since_changed_is_refused(client, link):
    contact, url = link
    Contact.objects.filter(pk=contact.pk).update(email="other@example.com")
    response = client.post(url)
    assert response.status_code == 400 and b"changed" in response.content
    assert Contact.objects.get(pk=contact.pk).email_status == "unverified"


def test_an_expired_or_forged_link_is_refused(client, link, monkeypatch):
    contact, url = link
    eight_days_ago = int(time.time()) - 8 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(eight_days_ago))
        expired = f"/mail/verify/{verification_token(contact, timezone.now())}/"
    response = client.post(expired)
    assert response.status_code == 400 and b"expired" in response.content
    forged = client.post(url.replace("/mail/verify/", "/mail/verify/x"))
    assert forged.status_code == 400 and b"not valid" in forged.content
    assert Contact.objects.get(pk=contact.pk).email_status == "unverified"
