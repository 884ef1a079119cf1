"""The portal's part of a person's personal data: the contact's portal login. Registered with
`clientbase.contacts.privacy` from the app's ready()."""

from __future__ import annotations

from typing import Any

from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import PrivacySource
from clientbase.portal.services.accounts import close_portal_account


def collect(contact: Contact, viewer: Any) -> dict[str, Any] | None:
    """The login's facts (username, last sign-in, when it was made, whether a password is set);
    never the password hash or a token. None without a login."""
    user = contact.user
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "active": user.is_active,
        "last_login": user.last_login.isoformat() if user.last_login else None,
        "date_joined": user.date_joined.isoformat() if user.date_joined else None,
        "has_password": user.has_usable_password(),
    }


def erase(contact: Contact, acting_user: Any) -> int:
    """The login is closed (sessions and API tokens ended, password unusable, username neutral;
    an open one's end recorded in the audit log as `portal.revoked`, reason "erased") and its names
    and e-mail blanked. Answers 1 with a login, else 0."""
    user = contact.user
    if user is None:
        return 0
    if user.is_active:
        close_portal_account(user, contact=contact, acting_user=acting_user, reason="erased")
    user.first_name = user.last_name = user.email = ""
    user.save(update_fields=["first_name", "last_name", "email"])
    return 1


SOURCE = PrivacySource(key="portal_login", collect=collect, erase=erase)
