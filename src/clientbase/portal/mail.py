"""The portal's mails, written to the transactional outbox of `clientbase.notifications`.

Each is one `Message` row for one recipient, written in the caller's transaction (so it exists
exactly when the change that caused it commits) and delivered over SMTP by `clientbase worker`
with the outbox's retries. The notifications app renders a message from the templates named for
its event in `notifications.events.TEMPLATES`; `register_mail_events` (run when the app is ready)
adds the portal's three events there, with templates under
`portal/templates/notifications/mail/portal_*.{txt,html}`. The links in them are single-use and
expiring (`clientbase.portal.tokens`); no password is ever mailed.

The set-password link is a secret (whoever holds it chooses the password): the outbox row holds
only a marker (`clientbase.notifications.secret_links`) naming the user, the site address and the
account's state, and the worker makes the link when it sends the mail (`set_password_link`). Staff
reading the outbox see a placeholder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.crypto import constant_time_compare

from clientbase.contacts.models import Contact
from clientbase.notifications import secret_links
from clientbase.notifications.events import register_mail_event
from clientbase.notifications.secret_links import LinkExpired
from clientbase.notifications.services import queue_message
from clientbase.portal import links, tokens

INVITATION = "portal.invitation"
PASSWORD_RESET = "portal.password_reset"  # noqa: S105 (an event name)
EMAIL_CHANGED = "portal.email_changed"
# The kind of secret link of the invitation and reset mails.
SET_PASSWORD_LINK = "portal.set_password"  # noqa: S105 (a name)

MAIL_EVENTS = {
    INVITATION: ("portal_invitation", "Portal invitation"),
    PASSWORD_RESET: ("portal_password_reset", "Portal password reset"),
    EMAIL_CHANGED: ("portal_email_changed", "Portal sign-in e-mail changed"),
}


def register_mail_events() -> None:
    """Let the outbox's renderer find the portal's templates and labels, and make its links."""
    for event, (template, label) in MAIL_EVENTS.items():
        register_mail_event(event, template=template, label=label)
    secret_links.register(
        SET_PASSWORD_LINK,
        label="set-password link",
        make=set_password_link,
        url_name="portal:set-password",
        url_args=2,
        legacy_keys=("link",),
    )


def _set_password_marker(user: Any) -> dict[str, Any]:
    return secret_links.marker(
        SET_PASSWORD_LINK, user=user.pk, base=links.base_url(), state=tokens.state_fingerprint(user)
    )


def set_password_link(params: Mapping[str, Any]) -> str:
    """The set-password link of an invitation or reset mail, made when the worker sends it, from
    its marker: `user` (id), `base` (the site address when it was queued), `state` (the account's
    `tokens.state_fingerprint` then). Raises `LinkExpired` when the login is gone or closed, or its
    state changed since (a password set, a sign-in, a new e-mail, access revoked): a link made at
    queue time would not work any more either."""
    user = get_user_model()._default_manager.filter(pk=params["user"]).first()
    if (
        user is None
        or not user.is_active
        or not constant_time_compare(tokens.state_fingerprint(user), str(params["state"]))
    ):
        raise LinkExpired(
            "its set-password link would no longer work: the portal login changed since the mail was "
            "queued (a password was set, the user signed in, the e-mail changed or access ended)"
        )
    return str(params["base"]).rstrip("/") + tokens.set_password_path(user)


def _queue(
    *, event: str, contact: Contact, to: str, subject: str, reason: str, context: dict[str, Any]
) -> Any:
    return queue_message(event=event, contact=contact, to=to, subject=subject, reason=reason, context=context)


def _actor_name(acting_user: Any) -> str:
    from clientbase import access

    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return ""
    contact = access.portal_contact(acting_user)
    if contact is not None:
        return contact.full_name
    return acting_user.get_full_name() or acting_user.get_username()


def _customer_name(contact: Contact) -> str:
    return contact.customer.name if contact.customer is not None else ""


def queue_invitation(*, contact: Contact, user: Any, acting_user: Any) -> Any:
    """The invitation: a link to choose a password, valid for PASSWORD_RESET_TIMEOUT, once."""
    actor = _actor_name(acting_user)
    customer = _customer_name(contact)
    return _queue(
        event=INVITATION,
        contact=contact,
        to=contact.email,
        subject=f"Your access to the customer portal{f' for {customer}' if customer else ''}",
        reason=f"Portal access was granted to you by {actor}."
        if actor
        else "Portal access was granted to you.",
        context={
            "link": _set_password_marker(user),
            "login_url": links.absolute(reverse("portal:login")),
            "valid_days": tokens.valid_days(),
            "customer_name": customer,
            "invited_by": actor,
            "email": contact.email,
        },
    )


def queue_password_reset(*, contact: Contact, user: Any) -> Any:
    return _queue(
        event=PASSWORD_RESET,
        contact=contact,
        to=contact.email,
        subject="Reset your customer portal password",
        reason="Someone asked to reset the portal password of this address.",
        context={
            "link": _set_password_marker(user),
            "login_url": links.absolute(reverse("portal:login")),
            "valid_days": tokens.valid_days(),
            "customer_name": _customer_name(contact),
        },
    )


def queue_email_changed(*, contact: Contact, old_email: str, acting_user: Any) -> Any:
    """To the old address: the sign-in e-mail changed (so a takeover does not go unnoticed)."""
    actor = _actor_name(acting_user)
    return _queue(
        event=EMAIL_CHANGED,
        contact=contact,
        to=old_email,
        subject="Your customer portal sign-in e-mail was changed",
        reason="This was the address you signed in to the customer portal with.",
        context={
            "old_email": old_email,
            "new_email": contact.email,
            "changed_by": actor,
            "customer_name": _customer_name(contact),
        },
    )
