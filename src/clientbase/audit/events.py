"""The types of audit events, and `record()`, the one way to write one.

`record()` writes in the caller's transaction: an event of a change that rolls back is rolled
back with it. Refusals and failed sign-ins are recorded where they are answered (the API's
exception handler, the pages' error handling, the sign-in forms), after the refused work has been
rolled back, so they are kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models

from clientbase import access

LOGIN = "auth.login"
LOGIN_FAILED = "auth.login_failed"
LOCKOUT = "auth.lockout"
TOKEN_CREATED = "auth.token_created"  # noqa: S105 (an event name)
PERMISSION_DENIED = "access.denied"
EXPORT = "data.export"
IMPORT = "data.import"
PERSONAL_DATA = "privacy.personal_data"
ERASURE = "privacy.erasure"
PORTAL_GRANTED = "portal.granted"
PORTAL_REVOKED = "portal.revoked"
PORTAL_CHANGED = "portal.changed"

TYPES: dict[str, str] = {
    LOGIN: "Signed in",
    LOGIN_FAILED: "Sign-in failed",
    LOCKOUT: "Locked out after failed sign-ins",
    TOKEN_CREATED: "API token created",
    PERMISSION_DENIED: "Refused: no permission",
    EXPORT: "Export",
    IMPORT: "Import",
    PERSONAL_DATA: "Personal data given out",
    ERASURE: "Personal data erased",
    PORTAL_GRANTED: "Portal access granted",
    PORTAL_REVOKED: "Portal access revoked",
    PORTAL_CHANGED: "Portal access changed",
}


def request_ip(request: Any) -> str | None:
    """The client's address of `request` (`clientbase.clientip`), None without one."""
    from clientbase.clientip import UNKNOWN, client_ip

    if request is None or not hasattr(request, "META"):
        return None
    address = client_ip(request)
    return None if address == UNKNOWN else address


def record(
    type: str,
    *,
    user: Any = None,
    username: str = "",
    ip: str | None = None,
    object: models.Model | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Any:
    """Write one audit event of `type` (a key of TYPES; ValueError otherwise). `user` is the
    acting user or None; `username` defaults to the user's. Answers the AuditEvent row."""
    from clientbase.audit.models import AuditEvent

    if type not in TYPES:
        raise ValueError(f"Unknown audit event type {type!r}.")
    acting = user if getattr(user, "is_authenticated", False) else None
    event = AuditEvent(
        type=type,
        user=acting,
        username=_storable((username or (_sign_in_name(acting) if acting is not None else ""))[:254]),
        ip=ip or None,
        object=f"{object._meta.label_lower}:{object.pk}" if object is not None else "",
        object_repr=_storable(str(object)[:255]) if object is not None else "",
        detail=_storable(dict(detail or {})),
    )
    event.save()
    return event


def _sign_in_name(user: Any) -> str:
    """The name `user` signs in with: a staff username, a portal user's e-mail address (its
    username also names its customer: `portal.services.accounts.login_username`)."""
    if not access.is_staff(user) and user.email:
        return str(user.email)
    return str(user.get_username())


def _storable(value: Any) -> Any:
    """`value` with every NUL character of its texts (keys included) replaced by U+FFFD: what an
    attacker sends (a path with `%00`, a name tried) is recorded, and neither PostgreSQL's text nor
    its jsonb can hold NUL."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, Mapping):
        return {_storable(key): _storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_storable(item) for item in value]
    return value


def record_refusal(request: Any, reason: str, *, surface: str) -> Any:
    """Record a 403 answered to `request` (an API or page request): the path, method and reason."""
    return record(
        PERMISSION_DENIED,
        user=getattr(request, "user", None),
        ip=request_ip(request),
        detail={
            "path": str(request.path)[:500],
            "method": request.method,
            "reason": reason[:300],
            "surface": surface,
        },
    )
