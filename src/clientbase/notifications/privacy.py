"""The notifications app's part of a person's personal data: the messages addressed to a contact
(or its e-mail) and the activities about it. Registered with `clientbase.contacts.privacy` from
the app's ready()."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import ERASED_ADDRESS, ERASED_TEXT, PrivacySource
from clientbase.notifications import secret_links
from clientbase.notifications.models import Activity, Message


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
    """{"messages": [...], "activities": [...]}: each message's event, to, subject, status,
    dates and the facts it shows with every secret link masked (never a live link)."""
    messages = [
        {
            "id": message.pk,
            "event": message.event,
            "to": message.to,
            "recipient_name": message.recipient_name,
            "subject": message.subject,
            "status": message.status,
            "created_at": _iso(message.created_at),
            "sent_at": _iso(message.sent_at),
            "context": secret_links.mask(message.context or {}),
        }
        for message in _messages(contact).order_by("created_at", "pk")
    ]
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


def erase(contact: Contact, acting_user: Any) -> int:
    """Messages: neutral address, subject "[erased]", no recipient name, reason, context or
    error text. Activities:
    no contact name, summary "[erased]", no body. Answers the number of rows rewritten."""
    rows = _messages(contact).update(
        to=ERASED_ADDRESS, recipient_name="", reason="", subject=ERASED_TEXT, context={}, last_error=""
    )
    rows += _activities(contact).update(contact_name="", summary=ERASED_TEXT, body="")
    return rows


SOURCE = PrivacySource(key="messages", collect=collect, erase=erase)
