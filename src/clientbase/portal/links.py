"""Absolute links for the portal's mails.

A mail is written by a service, often without a request at hand (the API's `portal` field, the
staff form, an import). The link's base is `CLIENTBASE_PORTAL_BASE_URL` when set (the address
customers reach this site at, e.g. `https://service.example.com/`); otherwise the address of the
request being served (recorded by `clientbase.portal.middleware`); otherwise, outside any request,
the first of ALLOWED_HOSTS: `https://host` behind HTTPS (`CLIENTBASE_HTTPS`), else
`http://host:CLIENTBASE_PORT` (8000; `make run PORT=...` sets it), where `clientbase serve` answers."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings

_request_base: contextvars.ContextVar[Callable[[], str] | None] = contextvars.ContextVar(
    "portal_request_base", default=None
)


@contextmanager
def request_base(base: Callable[[], str]) -> Iterator[None]:
    """Links made while serving a request point at the address that request came to (`base` is
    asked only when a link is made)."""
    token = _request_base.set(base)
    try:
        yield
    finally:
        _request_base.reset(token)


def base_url() -> str:
    configured = settings.CLIENTBASE_PORTAL_BASE_URL
    if configured:
        return configured.rstrip("/")
    if (current := _request_base.get()) is not None:
        return current().rstrip("/")
    hosts = [host for host in settings.ALLOWED_HOSTS if host not in ("*", "") and not host.startswith(".")]
    host = hosts[0] if hosts else "127.0.0.1"
    if settings.CLIENTBASE_HTTPS:
        return f"https://{host}"
    return f"http://{host}:{os.environ.get('CLIENTBASE_PORT') or '8000'}"


def absolute(path: str) -> str:
    return base_url() + path
