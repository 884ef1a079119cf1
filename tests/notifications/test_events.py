"""Emitting an event: one message per recipient, written in a constant number of queries."""

from __future__ import annotations

import pytest
from django.db import connection

from clientbase.contacts.models import Contact
from clientbase.notifications import events, outbox
from clientbase.notifications.models import Message
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
FACTS = {"number": "W-000001", "summary": "Leak", "customer_name": "Northwind"}


@pytest.mark.parametrize("count", [1, 10, 1000])
def test_an_event_is_written_in_two_queries_whatever_the_number_of_recipients(
    count, django_assert_num_queries
):
    if count == 1000 and connection.vendor == "sqlite":
        pytest.skip("SQLite caps the parameters of one statement, so Django splits a large insert in batches")
    customer = CustomerFactory()
    Contact.objects.bulk_create(
        [
            Contact(
                customer=customer, last_name=f"Lee{i}", email=f"lee{i}@example.com", notify_work_orders=True
            )
            for i in range(count)
        ]
    )
    with django_assert_num_queries(2):  # the resolver's read, one insert
        routing = outbox.emit(event=events.WORK_ORDER_CREATED, customer=customer, facts=FACTS)
    assert len(routing.recipients) == count
    messages = Message.objects.all()
    assert messages.count() == count
    assert len({m.message_id for m in messages}) == count
    assert len({m.event_id for m in messages}) == 1
    assert {m.subject for m in messages} == {"Work order W-000001 opened: Leak"}


def test_nobody_to_notify_writes_nothing(django_assert_num_queries):
    customer = CustomerFactory()
    with django_assert_num_queries(1):
        routing = outbox.emit(
            event=events.INVOICE_ISSUED, customer=customer, facts={**FACTS, "amount": "1.00"}
        )
    assert routing.recipients == [] and routing.warnings
    assert not Message.objects.exists()


def test_the_database_refuses_two_messages_of_one_event_to_one_contact():
    from django.db import IntegrityError, transaction

    from tests.helpers import assert_refused_by
    from tests.notifications.factories import MessageFactory

    first = MessageFactory()
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        MessageFactory(contact=first.contact, event_id=first.event_id)
    assert_refused_by(error.value, Message, "notifications_message_once_per_event_and_contact")


def test_message_ids_are_unique_and_use_the_senders_domain(settings):
    settings.DEFAULT_FROM_EMAIL = "Service <service@northwind.example>"
    ids = {outbox.new_message_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(i.startswith("<") and i.endswith("@northwind.example>") for i in ids)
