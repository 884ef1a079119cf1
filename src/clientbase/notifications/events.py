"""The catalogue of notification events: each event's category, template, label and subject, and
the mail events other apps register (`register_mail_event`). Writing an event's messages into
the outbox is `clientbase.notifications.outbox.emit`'s."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientbase.vocabulary import NotificationCategory

WORK_ORDER_CREATED = "work_order.created"
WORK_ORDER_UPDATED = "work_order.updated"
WORK_ORDER_COMPLETED = "work_order.completed"
QUOTE_SENT = "quote.sent"
INVOICE_ISSUED = "invoice.issued"
TEST_EMAIL = "contact.test_email"
# An e-mail a staff user wrote to one contact from its record (`services.send_email`).
CONTACT_EMAIL = "contact.email"


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
            # `done`: what the update did ("updated", "scheduled", "cancelled", …); a message written
            # before the facts had it says "updated".
            "Work order {number} {done}: {summary}",
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
TEMPLATES = {
    **{name: spec.template for name, spec in EVENTS.items()},
    TEST_EMAIL: "test_email",
    CONTACT_EMAIL: "contact_email",
}
LABELS = {
    **{name: spec.label for name, spec in EVENTS.items()},
    TEST_EMAIL: "Test e-mail",
    CONTACT_EMAIL: "E-mail written by staff",
}
# Events whose mail a person wrote: sent without the `Auto-Submitted` header of automatic mail,
# with replies going to the writer when its user has an address (`mail.build_email`).
WRITTEN_BY_PEOPLE = frozenset({CONTACT_EMAIL})


def register_mail_event(event: str, *, template: str, label: str) -> None:
    """Let the outbox render and name an event another app queues (its templates live in
    `notifications/mail/<template>.txt|.html`)."""
    TEMPLATES.setdefault(event, template)
    LABELS.setdefault(event, label)


def subject_for(event: str, facts: Mapping[str, Any]) -> str:
    return EVENTS[event].subject.format_map({"done": "updated", **facts})[:255]
