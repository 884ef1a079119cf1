"""A `Message` row as an e-mail: plain-text and HTML bodies from the templates under
`notifications/mail/`, the stable Message-ID, the recipient by name."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clientbase.notifications.events import LABELS, TEMPLATES
from clientbase.notifications.models import Message


def mail_context(message: Message) -> dict[str, Any]:
    return {
        "event": message.event,
        "event_label": LABELS.get(message.event, message.event),
        "subject": message.subject,
        "recipient_name": message.recipient_name,
        "reason": message.reason,
        "facts": message.context.get("facts", {}),
        **{key: value for key, value in message.context.items() if key != "facts"},
    }


def render_bodies(message: Message) -> tuple[str, str]:
    """(plain text, HTML); the HTML is autoescaped, the text is not (it is not HTML)."""
    template = TEMPLATES[message.event]
    context = mail_context(message)
    text = render_to_string(f"notifications/mail/{template}.txt", context)
    html = render_to_string(f"notifications/mail/{template}.html", context)
    return text, html


def build_email(message: Message) -> EmailMultiAlternatives:
    """The e-mail of `message`, ready for an SMTP connection. Raises on a template error or an
    address that cannot be a header: such a message can never be sent."""
    text, html = render_bodies(message)
    recipient = formataddr((message.recipient_name, message.to)) if message.recipient_name else message.to
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={
            "Message-ID": message.message_id,
            "Auto-Submitted": "auto-generated",
            "X-Clientbase-Event": message.event,
        },
    )
    email.attach_alternative(html, "text/html")
    email.message()  # header problems (a line break in an address) surface here, before any SMTP
    return email
