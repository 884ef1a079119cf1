"""Writing into the outbox: `emit` is called by the services that change work orders, quotes and
invoices, inside their transaction: it resolves the recipients (`clientbase.notifications.routing`)
and writes one `Message` per recipient, so the messages exist exactly when the change does. The
facts a mail shows are a snapshot of the change (`clientbase.notifications.facts`) rendered by the
worker. The events themselves are catalogued in `clientbase.notifications.events`."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from decimal import Decimal
from email.utils import parseaddr
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from clientbase.notifications.events import subject_for
from clientbase.notifications.models import Message
from clientbase.notifications.routing import Routing, resolve_recipients

if TYPE_CHECKING:
    from clientbase.customers.models import Customer


def new_message_id() -> str:
    """A Message-ID made once per message and kept across every delivery attempt."""
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "clientbase.invalid"
    return f"<{uuid.uuid4().hex}@{domain}>"


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
