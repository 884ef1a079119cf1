"""Delivery of the outbox to a real SMTP server (aiosmtpd, in the test process): what arrives, an
outage, a bounce, a poison message, a worker that dies, two workers racing. Time is passed in
(`now`), so no test waits for a backoff or a lease."""

from __future__ import annotations

import datetime
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.notifications import delivery
from clientbase.notifications.events import TEMPLATES
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.services import send_test_email
from clientbase.workorders import facts
from clientbase.workorders import services as workorder_services
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.notifications.factories import MessageFactory

pytestmark = pytest.mark.django_db


def plain(email) -> str:
    return email.get_body(preferencelist=("plain",)).get_content()


def html(email) -> str:
    return email.get_body(preferencelist=("html",)).get_content()


def deliver_all(now=None, worker="w1"):
    """Run rounds until nothing is due at `now`; answer the outcomes counted."""
    total = {}
    while outcomes := delivery.process_due(worker=worker, now=now):
        for key, value in outcomes.items():
            total[key] = total.get(key, 0) + value
    return total


@pytest.fixture
def work_order_scene(dispatcher):
    """A work order at a site with an asset, notifying the site contact; plus things no recipient
    may see: internal notes, another contact's address, another customer."""
    customer = CustomerFactory(name="Northwind Hospitals", notes="INTERNAL: slow payer")
    north = LocationFactory(
        customer=customer,
        name="North Campus",
        code="N",
        access_notes="GATE CODE 4711",
        address={"street": "1 Main St", "postal_code": "60601", "city": "Chicago"},
    )
    unit = AssetFactory(
        location=north,
        name="Rooftop unit 3",
        asset_tag="RTU-3",
        serial_number="SN-123456",
        manufacturer="Carrier",
        model="48FC",
    )
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        email="mike@northwind.example",
        role_site=True,
        notify_work_orders=True,
        locations=[north],
        notes="INTERNAL: only call after 10",
    )
    ContactFactory(
        customer=customer,
        first_name="Susan",
        last_name="Williams",
        email="susan@northwind.example",
        is_primary=True,
        mobile="+13125550199",
    )
    other = CustomerFactory(name="Contoso Offices")
    ContactFactory(customer=other, email="robert@contoso.example", notify_work_orders=True)
    work_order = workorder_services.create_work_order(
        acting_user=dispatcher,
        data={
            "customer": customer,
            "location": north,
            "asset": unit,
            "summary": "Not cooling <b>urgent</b>",
            "description": "Unit trips after 5 minutes.",
        },
    )
    return {"customer": customer, "mike": mike, "work_order": work_order}


# Normal delivery ---------------------------------------------------------------------------------------


def test_delivers_a_work_order_mail_with_the_facts_and_nothing_else(smtp_server, work_order_scene):
    message = Message.objects.get()
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    number = work_order_scene["work_order"].number
    assert email["To"] == "Mike Johnson <mike@northwind.example>"
    assert email["From"] == "Northwind Service <service@clientbase.example>"
    assert email["Subject"] == f"Work order {number} opened: Not cooling <b>urgent</b>"
    assert email["Message-ID"] == message.message_id
    assert email["Auto-Submitted"] == "auto-generated"
    assert email.get_content_type() == "multipart/alternative"
    text, page = plain(email), html(email)
    for fact in (
        number,
        "Northwind Hospitals",
        "North Campus",
        "1 Main St",
        "Chicago 60601",
        "Rooftop unit 3",
        "RTU-3",
        "SN-123456",
        "Carrier 48FC",
        "Unit trips after 5 minutes.",
        "Mike Johnson",
    ):
        assert fact in text, fact
        assert fact in page, fact
    assert "Not cooling <b>urgent</b>" in text
    assert "Not cooling &lt;b&gt;urgent&lt;/b&gt;" in page and "<b>urgent</b>" not in page
    for secret in ("INTERNAL", "GATE CODE", "susan@northwind.example", "5550199", "Contoso", "robert@"):
        assert secret not in text and secret not in page, secret
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("sent", 1, "")
    assert message.sent_at is not None and message.claimed_by == ""
    activity = Activity.objects.get(kind="message")
    assert (activity.contact, activity.customer, activity.summary) == (
        work_order_scene["mike"],
        work_order_scene["customer"],
        message.subject,
    )


def test_an_update_mail_says_what_changed(smtp_server, work_order_scene, dispatcher):
    deliver_all()
    workorder_services.update_work_order(
        work_order=work_order_scene["work_order"],
        acting_user=dispatcher,
        data={"status": "scheduled", "scheduled_start": timezone.now() + datetime.timedelta(days=1)},
    )
    assert deliver_all() == {"sent": 1}
    update = smtp_server.received[-1]
    assert "has been scheduled" in plain(update)
    # The visit and who does it, with the site contact called so.
    work_order_scene["work_order"].refresh_from_db()
    moment = facts.moment(work_order_scene["work_order"].scheduled_start)
    assert f"Visit:       {moment}" in plain(update) and f"<p>Visit: {moment}</p>" in html(update)
    assert "Site contact: Mike Johnson" in plain(update) and "On site" not in plain(update)
    assert "- Status: Open -> Scheduled" in plain(update)
    assert "Status: Open &rarr; Scheduled" in html(update)
    assert "- Scheduled start: " in plain(update)


def test_every_event_has_its_mail(smtp_server, accounts_clerk):
    customer = CustomerFactory(name="Northwind Hospitals")
    ContactFactory(customer=customer, role_approver=True, notify_quotes=True, email="dave@northwind.example")
    ContactFactory(customer=customer, role_billing=True, notify_invoices=True, email="ap@northwind.example")
    from tests.workorders.factories import InvoiceFactory, QuoteFactory

    workorder_services.send_quote(
        quote=QuoteFactory(customer=customer, amount=Decimal("12500")), acting_user=accounts_clerk
    )
    workorder_services.issue_invoice(
        invoice=InvoiceFactory(customer=customer, amount=Decimal("99.5")), acting_user=accounts_clerk
    )
    assert deliver_all() == {"sent": 2}
    by_recipient = {email["To"].addresses[0].addr_spec: email for email in smtp_server.received}
    assert "12,500.00" in plain(by_recipient["dave@northwind.example"])
    assert "awaits your approval" in html(by_recipient["dave@northwind.example"])
    assert "99.50" in plain(by_recipient["ap@northwind.example"])


# An outage ------------------------------------------------------------------------------------------------


def test_smtp_down_then_up_delivers_exactly_one_copy(smtp, work_order_scene):
    t0 = timezone.now()
    message = Message.objects.get()
    assert deliver_all(now=t0) == {"retry": 1}
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claimed_by) == ("pending", 1, "")
    assert "ConnectionRefused" in message.last_error
    assert t0 + timedelta(seconds=2.5) <= message.next_attempt_at <= t0 + timedelta(seconds=5)
    smtp.start()
    assert deliver_all(now=t0 + timedelta(seconds=1)) == {}  # not due yet: the backoff holds
    assert deliver_all(now=t0 + timedelta(seconds=61)) == {"sent": 1}
    assert deliver_all(now=t0 + timedelta(minutes=10)) == {}
    assert len(smtp.received) == 1
    assert smtp.received[0]["Message-ID"] == message.message_id
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)


def test_each_failed_attempt_waits_its_own_backoff(smtp, work_order_scene, settings):
    """The wait after the n-th failed attempt lies in [base * 2^(n-1) / 2, base * 2^(n-1)], capped:
    pinned per attempt, so a delay counted from the wrong attempt fails here."""
    settings.CLIENTBASE_MAIL_RETRY_BASE = 5
    settings.CLIENTBASE_MAIL_RETRY_MAX = 60
    now = timezone.now()
    for attempt, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (6, 60)]:
        assert deliver_all(now=now) == {"retry": 1}
        message = Message.objects.get()
        waited = (message.next_attempt_at - now).total_seconds()
        assert message.attempts == attempt and ceiling / 2 <= waited <= ceiling, (attempt, waited)
        now = message.next_attempt_at


def test_a_long_outage_never_waits_more_than_the_cap(smtp, work_order_scene):
    """However many attempts failed, the next one is at most a minute away: delivery resumes within
    two minutes of the server coming back."""
    now = timezone.now()
    for _ in range(12):
        deliver_all(now=now)
        message = Message.objects.get()
        assert message.next_attempt_at - now <= timedelta(seconds=60)
        now = message.next_attempt_at
    assert message.status == "pending" and message.attempts == 12
    assert message.next_attempt_at - now <= timedelta(seconds=60)
    smtp.start()
    assert deliver_all(now=now + timedelta(seconds=60)) == {"sent": 1}


def test_backoff_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.CLIENTBASE_MAIL_RETRY_BASE = 5
    settings.CLIENTBASE_MAIL_RETRY_MAX = 60
    for attempts, ceiling in [(1, 5), (2, 10), (3, 20), (4, 40), (5, 60), (50, 60)]:
        delays = {delivery.retry_delay(attempts).total_seconds() for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays), (attempts, delays)
        assert len(delays) > 1  # jitter


def test_a_temporary_refusal_is_retried(smtp_server, work_order_scene):
    smtp_server.handler.rcpt_reply = "451 4.3.0 Mailbox temporarily unavailable"
    t0 = timezone.now()
    assert deliver_all(now=t0) == {"retry": 1}
    message = Message.objects.get()
    assert message.status == "pending" and "451" in message.last_error
    smtp_server.handler.rcpt_reply = None
    assert deliver_all(now=t0 + timedelta(minutes=1)) == {"sent": 1}
    assert len(smtp_server.received) == 1


# Bounces and poison ----------------------------------------------------------------------------------------


def test_a_550_fails_the_message_and_marks_the_address_bounced(smtp_server, work_order_scene):
    mike = work_order_scene["mike"]
    fine = MessageFactory(contact=ContactFactory(email="ok@example.com"))
    smtp_server.handler.unknown = {mike.email}
    assert deliver_all() == {"failed": 1, "sent": 1}
    message = Message.objects.get(contact=mike)
    assert (message.status, message.attempts) == ("failed", 1)
    assert "550" in message.last_error and "User unknown" in message.last_error
    mike.refresh_from_db()
    assert mike.email_status == "bounced"
    assert Activity.objects.filter(contact=mike, summary__contains="bounced").exists()
    assert Message.objects.get(pk=fine.pk).status == "sent"
    assert [e["To"] for e in smtp_server.received] == [f"{fine.recipient_name} <ok@example.com>"]


def test_pending_mail_to_a_known_bounced_address_is_not_sent(smtp_server):
    contact = ContactFactory(email="gone@example.com", email_status="bounced")
    message = MessageFactory(contact=contact)
    assert deliver_all() == {"bounced": 1}
    assert Message.objects.get(pk=message.pk).status == "bounced"
    assert smtp_server.received == []


def test_mail_to_a_contact_deleted_meanwhile_is_not_sent(smtp_server, admin_user):
    from clientbase.contacts.services import delete_contact

    message = MessageFactory()
    address = message.contact.email
    delete_contact(contact=message.contact, acting_user=admin_user)
    message.refresh_from_db()
    assert (message.contact_id, message.to) == (None, address)  # the log keeps the address
    assert deliver_all() == {"failed": 1}
    message.refresh_from_db()
    assert message.last_error == "Not sent: the contact was deleted."
    assert smtp_server.received == []


def test_a_poison_message_fails_alone_and_the_next_one_goes(smtp_server, monkeypatch):
    header_injection = MessageFactory(to="victim@example.com\nBcc: everyone@example.com")
    monkeypatch.setitem(TEMPLATES, "invoice.issued", "no-such-template")
    broken_template = MessageFactory(event="invoice.issued")
    good = MessageFactory()
    assert deliver_all() == {"failed": 2, "sent": 1}
    for poison in (header_injection, broken_template):
        poison.refresh_from_db()
        assert poison.status == "failed" and poison.last_error.startswith("Cannot be sent")
    assert Message.objects.get(pk=good.pk).status == "sent"
    assert len(smtp_server.received) == 1


# Workers -------------------------------------------------------------------------------------------------------


def test_a_worker_killed_between_claim_and_send_loses_nothing(smtp_server, work_order_scene):
    t0 = timezone.now()
    claimed = delivery.claim_due(worker="dead-worker", now=t0)
    assert len(claimed) == 1  # ... and the worker dies here, before sending
    assert deliver_all(now=t0 + timedelta(seconds=1), worker="alive") == {}
    assert smtp_server.received == []
    after_lease = t0 + delivery.lease_duration() + timedelta(seconds=1)
    assert deliver_all(now=after_lease, worker="alive") == {"sent": 1}
    assert deliver_all(now=after_lease + timedelta(minutes=5), worker="alive") == {}
    assert len(smtp_server.received) == 1


def test_a_worker_does_not_send_what_another_worker_holds(smtp_server, work_order_scene):
    t0 = timezone.now()
    [pk] = delivery.claim_due(worker="a", now=t0)
    assert delivery.deliver([pk], worker="b", now=t0) == {"skipped": 1}
    assert delivery.deliver([pk], worker="a", now=t0) == {"sent": 1}
    assert len(smtp_server.received) == 1


def test_a_stopping_worker_releases_the_rest_of_its_batch(smtp_server):
    messages = MessageFactory.create_batch(3)
    ids = delivery.claim_due(worker="w", now=timezone.now())
    assert delivery.deliver(ids, worker="w", should_stop=lambda: True) == {}
    assert not Message.objects.exclude(claimed_by="").exists()
    assert deliver_all(worker="other") == {"sent": 3}
    assert {e["Message-ID"] for e in smtp_server.received} == {m.message_id for m in messages}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_send_each_message_once(smtp_server):
    """Threads on a transactional database: PostgreSQL claims with SKIP LOCKED, SQLite serialises
    the claims with its IMMEDIATE transactions; either way each message goes out once."""
    customer = CustomerFactory()
    messages = [MessageFactory(contact=ContactFactory(customer=customer)) for _ in range(30)]
    errors = []

    def work(name):
        try:
            while delivery.process_due(worker=name, limit=3):
                pass
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    received_ids = [email["Message-ID"] for email in smtp_server.received]
    assert sorted(received_ids) == sorted(m.message_id for m in messages)
    assert Message.objects.filter(status="sent").count() == 30
    assert Activity.objects.filter(kind="message").count() == 30


def test_without_email_host_nothing_is_sent_and_messages_stay_pending(settings, work_order_scene):
    settings.EMAIL_HOST = ""
    assert deliver_all() == {}
    assert Message.objects.get().status == "pending"


# The test e-mail ----------------------------------------------------------------------------------------------


def test_the_test_email_carries_a_verification_link(smtp_server, dispatcher, client):
    contact = ContactFactory(email="new@example.com")
    send_test_email(contact=contact, acting_user=dispatcher, base_url="http://testserver/")
    assert deliver_all() == {"sent": 1}
    [email] = smtp_server.received
    link = next(word for word in plain(email).split() if word.startswith("http://testserver/mail/verify/"))
    assert link in html(email)
    assert client.get(link).status_code == 200
    contact.refresh_from_db()
    assert contact.email_status == "unverified"  # opening the link only asks to confirm
    assert client.post(link).status_code == 200
    contact.refresh_from_db()
    assert contact.email_status == "verified" and contact.last_verified_at is not None


def test_a_test_email_goes_out_even_to_a_bounced_address_and_a_550_keeps_it_bounced(
    smtp_server, dispatcher, settings
):
    settings.CLIENTBASE_TEST_EMAIL_INTERVAL = 0  # two in a row to one contact: lift the limit
    contact = ContactFactory(email="maybe@example.com", email_status="bounced")
    send_test_email(contact=contact, acting_user=dispatcher, base_url="http://testserver/")
    smtp_server.handler.unknown = {"maybe@example.com"}
    assert deliver_all() == {"failed": 1}
    smtp_server.handler.unknown = set()
    send_test_email(contact=contact, acting_user=dispatcher, base_url="http://testserver/")
    assert deliver_all() == {"sent": 1}
    assert Contact.objects.get(pk=contact.pk).email_status == "bounced"  # until the link is used
