"""A `Message` row as an e-mail: plain-text and HTML bodies from the templates under
`notifications/mail/`, the stable Message-ID, the recipient by name.

Secret links (`clientbase.notifications.secret_links`) are made only by `build_email`, the
worker's renderer; every other rendering (`render_bodies` for the staff pages) shows them masked."""

from __future__ import annotations

from email.utils import formataddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clientbase.notifications import secret_links
from clientbase.notifications.events import LABELS, TEMPLATES, WRITTEN_BY_PEOPLE
from clientbase.notifications.models import Message


def mail_context(message: Message, *, reveal: bool = False) -> dict[str, Any]:
    """The template context of `message`: its snapshot, with secret links masked, or made now
    when `reveal` (for sending only; may raise `secret_links.LinkExpired`)."""
    stored = secret_links.reveal(message.context) if reveal else secret_links.mask(message.context)
    return {
        "event": message.event,
        "event_label": LABELS.get(message.event, message.event),
        "subject": message.subject,
        "recipient_name": message.recipient_name,
        "reason": message.reason,
        "facts": stored.get("facts", {}),
        **{key: value for key, value in stored.items() if key != "facts"},
    }


def render_bodies(message: Message, *, reveal: bool = False) -> tuple[str, str]:
    """(plain text, HTML) of the mail, secret links masked unless `reveal` (the worker's send).

    Both are answered as plain `str`, never marked safe: the HTML is a document of its own
    (autoescaped inside), the text is not HTML at all (the user's text is in it as typed), so
    neither may be put into a page unescaped."""
    template = TEMPLATES[message.event]
    context = mail_context(message, reveal=reveal)
    text = render_to_string(f"notifications/mail/{template}.txt", context)
    html = render_to_string(f"notifications/mail/{template}.html", context)
    return str.__str__(text), str.__str__(html)


def build_email(message: Message) -> EmailMultiAlternatives:
    """The e-mail of `message`, ready for an SMTP connection. Raises on a template error or an
    address that cannot be a header: such a message can never be sent; raises
    `secret_links.LinkExpired` when a secret link it carries must not be made any more. The only
    place where secret links are made."""
    text, html = render_bodies(message, reveal=True)
    recipient = formataddr((message.recipient_name, message.to)) if message.recipient_name else message.to
    headers = {"Message-ID": message.message_id, "X-Clientbase-Event": message.event}
    reply_to: list[str] = []
    if message.event in WRITTEN_BY_PEOPLE:
        # A person wrote it: no Auto-Submitted (RFC 3834), so it reads and is answered as any
        # personal mail; replies go to the writer when its user has an address.
        writer = str(message.context.get("reply_to") or "")
        reply_to = [writer] if writer else []
    else:
        headers["Auto-Submitted"] = "auto-generated"
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=reply_to,
        headers=headers,
    )
    email.attach_alternative(html, "text/html")
    email.message()  # header problems (a line break in an address) surface here, before any SMTP
    return email
