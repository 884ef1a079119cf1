"""The notification events and their emission into the outbox.

`emit` is called by the services that change work orders, quotes and invoices, inside their
transaction: it resolves the recipients (`clientbase.notifications.routing`) and writes one
`Message` per recipient, so the messages exist exactly when the change does. The facts a mail
shows are a snapshot of the change (`clientbase.notifications.facts`) rendered by the worker."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientbase.vocabulary import NotificationCategory

if TYPE_CHECKING:
    from clientbase.customers.models import Customer
    from clientbase.notifications.routing import Routing

WORK_ORDER_CREATED = "work_order.created"
WORK_ORDER_UPDATED = "work_order.updated"
WORK_ORDER_COMPLETED = "work_order.completed"
QUOTE_SENT = "quote.sent"
INVOICE_ISSUED = "invoice.issued"
TEST_EMAIL = "contact.test_email"


@dataclass(frozen=True)
class EventSpec:
    """What an event is called, which `notify` category opts into it, its mail template and subject."""

    name: str
    label: str
    category: NotificationCategory
    template: str
    subject: str


EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        EventSpec(
            WORK_ORDER_CREATED,
            "Work order created",
            NotificationCategory.WORK_ORDERS,
            "work_order",
            "Work order {number} opened: {summary}",
        ),
        EventSpec(
            WORK_ORDER_UPDATED,
            "Work order updated",
            NotificationCategory.WORK_ORDERS,
            "work_order",
            "Work order {number} updated: {summary}",
        ),
        EventSpec(
            WORK_ORDER_COMPLETED,
            "Work order completed",
            NotificationCategory.COMPLETIONS,
            "work_order",
            "Work order {number} completed: {summary}",
        ),
        EventSpec(
            QUOTE_SENT,
            "Quote sent",
            NotificationCategory.QUOTES,
            "quote",
            "Quote {number} for {customer_name}: {amount} awaiting approval",
        ),
        EventSpec(
            INVOICE_ISSUED,
            "Invoice issued",
            NotificationCategory.INVOICES,
            "invoice",
            "Invoice {number} for {customer_name}: {amount}",
        ),
    )
}
TEMPLATES = {**{name: spec.template for name, spec in EVENTS.items()}, TEST_EMAIL: "test_email"}
LABELS = {**{name: spec.label for name, spec in EVENTS.items()}, TEST_EMAIL: "Test e-mail"}


def register_mail_event(event: str, *, template: str, label: str) -> None:
    """Let the outbox render and name an event another app queues (its templates live in
    `notifications/mail/<template>.txt|.html`)."""
    TEMPLATES.setdefault(event, template)
    LABELS.setdefault(event, label)


def new_message_id() -> str:
    """A Message-ID made once per message and kept across every delivery attempt."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "clientbase.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


def subject_for(event: str, facts: Mapping[str, Any]) -> str:
    return EVENTS[event].subject.format_map(dict(facts))[:255]


@transaction.atomic(savepoint=False)
def emit(
    *,
    event: str,
    customer: Customer,
    facts: Mapping[str, Any],
    location_id: int | None = None,
    amount: Decimal | None = None,
) -> Routing:
    """Write one pending message per recipient of `event`; answer the routing (recipients with
    their reasons, warnings). Joins the caller's transaction (no savepoint of its own), so the
    messages commit or roll back with the change that caused them. Two queries, whatever the
    number of recipients: the resolver's read and one insert (SQLite splits very large inserts
    into batches)."""
    from clientbase.notifications.models import Message
    from clientbase.notifications.routing import resolve_recipients

    routing = resolve_recipients(event=event, customer_id=customer.pk, location_id=location_id, amount=amount)
    if not routing.recipients:
        return routing
    event_id = uuid.uuid4()
    now = timezone.now()
    subject = subject_for(event, facts)
    Message.objects.bulk_create(
        [
            Message(
                event=event,
                event_id=event_id,
                message_id=new_message_id(),
                customer=customer,
                contact_id=recipient.contact_id,
                to=recipient.email,
                recipient_name=recipient.name,
                reason=recipient.reason[:255],
                subject=subject,
                context={"facts": dict(facts)},
                next_attempt_at=now,
            )
            for recipient in routing.recipients
        ]
    )
    return routing
