"""Throttling of the portal's password-reset mails, in Django's cache.

Failed sign-ins are counted by `clientbase.lockout`, the one lockout policy of every way of
signing in (the portal's included)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache

from clientbase import lockout

PREFIX = "clientbase.portal.throttle"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def allow_reset_mail(email: str) -> bool:
    """At most `CLIENTBASE_PORTAL_RESET_MAILS` (3) password-reset mails per address per lock-out
    period, so the form cannot be used to flood someone's mailbox."""
    key = _key("reset", email)
    sent = cache.get(key) or 0
    if sent >= settings.CLIENTBASE_PORTAL_RESET_MAILS:
        return False
    cache.set(key, sent + 1, lockout.lockout_seconds())
    return True
