"""The notifications app's part of a person's personal data: the messages addressed to a contact
(or its e-mail) and the activities about it, and the mentions of the person in the mails and
activities of others at its customers. Registered with `clientbase.contacts.privacy` from the
app's ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import (
    ERASED_ADDRESS,
    ERASED_TEXT,
    PrivacySource,
    customers_of,
    mentions_of,
    scrub_rows,
)
from clientbase.notifications import secret_links
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.policies import READ_BODY


def _messages(contact: Contact) -> Any:
    where = Q(contact=contact)
    if contact.email:
        where |= Q(to__iexact=contact.email)
    return Message.objects.filter(where)


def _activities(contact: Contact) -> Any:
    return Activity.objects.filter(contact=contact)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def collect(contact: Contact, viewer: Any) -> dict[str, Any]:
    """{"messages": [...], "activities": [...]}: each message's event, to, subject, status and
    dates; its `context` (the facts the mail shows: its body, with every secret link masked,
    never a live link) only for a `viewer` who may read message bodies
    (`notifications.policies.READ_BODY`: administrators), the rule of the outbox."""
    may_read_body = access.can(viewer, READ_BODY, Message)
    messages = []
    for message in _messages(contact).order_by("created_at", "pk"):
        entry: dict[str, Any] = {
            "id": message.pk,
            "event": message.event,
            "to": message.to,
            "recipient_name": message.recipient_name,
            "subject": message.subject,
            "status": message.status,
            "created_at": _iso(message.created_at),
            "sent_at": _iso(message.sent_at),
        }
        if may_read_body:
            entry["context"] = secret_links.mask(message.context or {})
        messages.append(entry)
    activities = [
        {
            "id": activity.pk,
            "kind": activity.kind,
            "contact_name": activity.contact_name,
            "summary": activity.summary,
            "body": activity.body,
            "created_at": _iso(activity.created_at),
        }
        for activity in _activities(contact).order_by("created_at", "pk")
    ]
    return {"messages": messages, "activities": activities}


def _is_secret_link(value: Any) -> bool:
    return isinstance(value, dict) and secret_links.MARKER_KEY in value


def erase(contact: Contact, acting_user: Any) -> int:
    """Messages to the person: neutral address, subject "[erased]", no recipient name, reason,
    context or error text. Its activities: no contact name, summary "[erased]", no body.

    The other messages and activities of the customers it belongs or belonged to
    (`contacts.privacy.customers_of`) keep no mention of it (`contacts.privacy.Mentions`): each
    becomes "[erased]" in a message's subject, reason and context (a secret link's marker stays
    whole, so the mail still goes out to its recipient) and in an activity's summary and body.
    Answers the number of rows rewritten."""
    mentions = mentions_of(contact)
    rows = _messages(contact).update(
        to=ERASED_ADDRESS, recipient_name="", reason="", subject=ERASED_TEXT, context={}, last_error=""
    )
    rows += _activities(contact).update(contact_name="", summary=ERASED_TEXT, body="")
    customers = customers_of(contact)
    if customers:
        rows += scrub_rows(
            Message.objects.filter(customer_id__in=customers),
            ["subject", "reason", "context"],
            mentions,
            keep=_is_secret_link,
        )
        rows += scrub_rows(
            Activity.objects.filter(
                Q(customer_id__in=customers) | Q(contact__customer_id__in=customers)
            ).exclude(contact=contact),
            ["summary", "body"],
            mentions,
        )
    return rows


SOURCE = PrivacySource(key="messages", collect=collect, erase=erase)
