"""DRF throttles that count per client as `clientbase.clientip` decides (X-Forwarded-For only from
`CLIENTBASE_TRUSTED_PROXIES`), the same client address as the sign-in lockout's. Use these, never
DRF's classes directly: DRF's `get_ident` takes the whole X-Forwarded-For header, which anyone can
send, as the client when `NUM_PROXIES` is unset (so each made-up header is a fresh client with a
fresh budget), and counts a whole IPv6 /64 as 2**64 clients."""

from __future__ import annotations

from typing import Any

from rest_framework import throttling

from clientbase.clientip import rate_limit_key


class ClientIpMixin:
    def get_ident(self, request: Any) -> str:
        return rate_limit_key(request)


class ScopedRateThrottle(ClientIpMixin, throttling.ScopedRateThrottle):
    pass


class AnonRateThrottle(ClientIpMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientIpMixin, throttling.UserRateThrottle):
    pass
