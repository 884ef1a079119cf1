"""The one lockout policy of every way of signing in: the staff login (`/accounts/login/`), the
Django admin's login (`/admin/login/`), the portal login (`/portal/login/`) and the API's
`POST /api/v1/auth/token/`.

Failed sign-ins count against the sign-in name tried (a staff username or a portal e-mail address,
compared without case; portal users sign in by their address only, on every path
(`clientbase.backends.StaffBackend` takes no portal login's username), so all four paths share one
count per person) and against the client's address (`clientbase.clientip.rate_limit_key`: the IP
address, an IPv6 client's /64; `X-Forwarded-For` only from `CLIENTBASE_TRUSTED_PROXIES`).
Once a name has `CLIENTBASE_LOGIN_ATTEMPTS` failures (5) or an address
`CLIENTBASE_LOGIN_IP_ATTEMPTS` (20: an office behind one address shares it), further tries are
refused without looking at the password until `CLIENTBASE_LOGIN_LOCKOUT` seconds (900) have passed
since the last counted attempt. The former names `CLIENTBASE_PORTAL_LOGIN_ATTEMPTS`,
`..._IP_ATTEMPTS` and `..._LOCKOUT` are read as well (`settings.py`). A successful sign-in clears
the name's count (not the address's, so one known password does not reset a guesser's budget).
Refusing a portal user at the staff or admin login counts as a failure: those answer it exactly
like a wrong password.

Every failed sign-in (with the name tried and the path) and the failure that starts a lockout are
recorded in the audit log (`clientbase.audit`).

Each attempt is counted *before* the password is checked and taken back when it succeeds, so that
parallel guesses cannot overshoot the limit between the check and the count: with an atomic cache
(Redis, memcached, local memory) the limits are exact; the file cache of a single machine is
atomic enough for guessing at these rates.

The counts live in Django's default cache, which every server process and machine shares once
configured so (the file cache in `var/` for one machine; a shared Redis for several): a lockout
then holds whichever process or path the next guess arrives at.

Why not django-axes: it applies one failure limit to every lockout parameter, so "5 per name and
20 per address" cannot be said in it; it keeps a second client-IP logic (ipware) beside the one
the API throttles use, and it needs its own wiring for the token endpoint. This module is the
portal's throttle that existed, generalised to all four paths."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache

from clientbase.audit import events
from clientbase.clientip import rate_limit_key

PREFIX = "clientbase.lockout"


class LockedOut(Exception):
    """Too many recent failures for the name or from the address; `retry_after` in seconds."""

    def __init__(self, retry_after: int):
        super().__init__(lockout_message())
        self.retry_after = retry_after


def attempts_per_name() -> int:
    return int(settings.CLIENTBASE_LOGIN_ATTEMPTS)


def attempts_per_address() -> int:
    return int(settings.CLIENTBASE_LOGIN_IP_ATTEMPTS)


def lockout_seconds() -> int:
    return int(settings.CLIENTBASE_LOGIN_LOCKOUT)


def lockout_minutes() -> int:
    return max(1, round(lockout_seconds() / 60))


def lockout_message() -> str:
    return f"Too many failed sign-in attempts. Please wait {lockout_minutes()} minutes and try again."


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"{PREFIX}:{kind}:{digest}"


def _keys(request: Any, name: str) -> list[tuple[str, int]]:
    return [
        (_key("name", name), attempts_per_name()),
        (_key("ip", rate_limit_key(request)), attempts_per_address()),
    ]


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def _increment(key: str) -> int:
    """Add one to the count of `key` (atomically where the cache can) and restart its lockout."""
    timeout = lockout_seconds()
    if cache.add(key, 1, timeout):
        return 1
    try:
        value = int(cache.incr(key))
    except ValueError:  # lapsed between add and incr
        cache.set(key, 1, timeout)
        return 1
    cache.touch(key, timeout)  # some caches' incr keeps the old expiry, the file cache's resets it
    return value


def _decrement(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:  # lapsed meanwhile
        return
    cache.touch(key, lockout_seconds())


def _audit(type: str, request: Any, name: str, **detail: Any) -> None:
    """Record a failed sign-in or the start of a lockout (`clientbase.audit`) with the name tried."""
    path = getattr(request, "path", "")
    events.record(type, username=name, ip=events.request_ip(request), detail={"path": path, **detail})


def refused(request: Any, name: str, reason: str) -> None:
    """Record a sign-in refused after the password was found right (a portal login whose access is
    not current): a failed sign-in in the audit log, not counted towards a lockout."""
    _audit(events.LOGIN_FAILED, request, name, reason=reason)


@contextmanager
def attempt(request: Any, name: str) -> Iterator[None]:
    """Guard one sign-in as `name`: raises `LockedOut` before the block runs when the name or the
    client is locked out. The block checks the credentials: leaving it with an exception counts a
    failure (the exception goes on), leaving it normally a success.

        with lockout.attempt(request, username):
            user = authenticate(request, username=username, password=password)
            if user is None:
                raise ...
    """
    keys = _keys(request, name)
    if any(_count(key) >= limit for key, limit in keys):
        _audit(events.LOGIN_FAILED, request, name, reason="locked_out")
        raise LockedOut(lockout_seconds())
    counts = [_increment(key) for key, _ in keys]
    if any(count > limit for count, (_, limit) in zip(counts, keys, strict=True)):
        for key, _ in keys:  # a parallel attempt took the last one
            _decrement(key)
        _audit(events.LOGIN_FAILED, request, name, reason="locked_out")
        raise LockedOut(lockout_seconds())
    try:
        yield  # an exception from the block leaves the attempt counted as a failure
    except BaseException:
        _audit(events.LOGIN_FAILED, request, name, reason="invalid")
        reached = [
            kind
            for kind, count, (_, limit) in zip(("name", "address"), counts, keys, strict=True)
            if count == limit
        ]
        if reached:  # this failure starts the lockout
            _audit(events.LOCKOUT, request, name, reason=",".join(reached), seconds=lockout_seconds())
        raise
    name_key, ip_key = keys[0][0], keys[1][0]
    cache.delete(name_key)
    _decrement(ip_key)
