"""Factories of outbox messages and activities."""

from __future__ import annotations

import factory
from django.utils import timezone

from clientbase.notifications.models import Activity, Message
from clientbase.notifications.outbox import new_message_id
from tests.factories import ContactFactory


class MessageFactory(factory.django.DjangoModelFactory):
    """A pending work-order message to a contact, due now."""

    class Meta:
        model = Message

    contact = factory.SubFactory(ContactFactory)
    customer = factory.LazyAttribute(lambda m: m.contact.customer)
    event = Message.Event.WORK_ORDER_CREATED
    message_id = factory.LazyFunction(new_message_id)
    to = factory.LazyAttribute(lambda m: m.contact.email)
    recipient_name = factory.LazyAttribute(lambda m: m.contact.full_name)
    reason = "Opted into work order notifications."
    subject = factory.Sequence(lambda n: f"Work order W-{n:06d} opened: Boiler {n} leaking")
    context = factory.LazyAttribute(
        lambda m: {
            "facts": {
                "number": "W-000001",
                "summary": "Boiler leaking",
                "description": "",
                "status": "Open",
                "site_contact_name": "",
                "requested_by_name": "",
                "changes": [],
                "customer_name": m.contact.customer.name if m.contact.customer else "",
                "customer_number": "",
                "location": None,
                "asset": None,
            }
        }
    )
    next_attempt_at = factory.LazyFunction(timezone.now)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    contact = factory.SubFactory(ContactFactory)
    customer = factory.LazyAttribute(lambda a: a.contact.customer)
    contact_name = factory.LazyAttribute(lambda a: a.contact.full_name)
    kind = Activity.Kind.CALL
    summary = factory.Sequence(lambda n: f"Called about visit {n}")
