"""Throttling of failed portal sign-ins (and of password-reset mails), in Django's cache.

A failure counts against the e-mail address tried and against the client's IP address. Once the
address has `CLIENTBASE_PORTAL_LOGIN_ATTEMPTS` failures (5), or the IP address
`CLIENTBASE_PORTAL_LOGIN_IP_ATTEMPTS` (20: an office behind one address shares it), further tries
are refused without looking at the password until `CLIENTBASE_PORTAL_LOGIN_LOCKOUT` seconds (900)
have passed since the last failure. A successful sign-in clears the address's count (not the IP's,
so one known password does not reset a guesser's budget).

The count lives in the default cache: with several server processes, configure a shared cache
(database or memcached/redis) so they share it."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

PREFIX = "clientbase.portal.throttle"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def client_ip(request: HttpRequest) -> str:
    """The peer address. X-Forwarded-For is not trusted: anyone can send it."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _keys(request: HttpRequest, email: str) -> list[tuple[str, int]]:
    return [
        (_key("email", email), settings.CLIENTBASE_PORTAL_LOGIN_ATTEMPTS),
        (_key("ip", client_ip(request)), settings.CLIENTBASE_PORTAL_LOGIN_IP_ATTEMPTS),
    ]


def is_locked(request: HttpRequest, email: str) -> bool:
    """Too many recent failures for this address or from this client."""
    return any((cache.get(key) or 0) >= limit for key, limit in _keys(request, email))


def record_failure(request: HttpRequest, email: str) -> None:
    """Count one failed sign-in; the lock-out runs from the latest failure."""
    timeout = settings.CLIENTBASE_PORTAL_LOGIN_LOCKOUT
    for key, _ in _keys(request, email):
        cache.set(key, (cache.get(key) or 0) + 1, timeout)


def clear(email: str) -> None:
    cache.delete(_key("email", email))


def lockout_minutes() -> int:
    return max(1, round(settings.CLIENTBASE_PORTAL_LOGIN_LOCKOUT / 60))


def allow_reset_mail(email: str) -> bool:
    """At most `CLIENTBASE_PORTAL_RESET_MAILS` (3) password-reset mails per address per lock-out
    period, so the form cannot be used to flood someone's mailbox."""
    key = _key("reset", email)
    sent = cache.get(key) or 0
    if sent >= settings.CLIENTBASE_PORTAL_RESET_MAILS:
        return False
    cache.set(key, sent + 1, settings.CLIENTBASE_PORTAL_LOGIN_LOCKOUT)
    return True
