"""The client's IP address, the one answer that the sign-in lockout and every API throttle use.

`X-Forwarded-For` is a header anyone can send, so it counts only when the request comes from a
proxy this site trusts: setting `CLIENTBASE_TRUSTED_PROXIES` (environment variable of the same
name), comma-separated addresses or networks such as `127.0.0.1,10.0.0.0/8,::1`; empty by
default, when `REMOTE_ADDR` (the peer of the connection) is the client.

With a trusted peer, the header is read from the right: each proxy appends the address it got the
request from, so the right-most entries are the hops between the client and this site. Trusted
hops are skipped; the first address that is not trusted is the client (a client cannot forge it:
everything it sends itself ends up to the left). When every hop is trusted, the left-most one is
the client. An entry that is not an IP address ends the walk at the last trusted hop.

`rate_limit_key` groups an IPv6 client by its /64 network, since one host commonly holds a whole
/64 and would otherwise have 2**64 addresses to spread its guesses over."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "unknown"


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as error:
            raise ImproperlyConfigured(
                f"CLIENTBASE_TRUSTED_PROXIES: {entry!r} is not an IP address or network."
            ) from error
    return tuple(networks)


def trusted_proxies() -> tuple[IPNetwork, ...]:
    """The networks of `CLIENTBASE_TRUSTED_PROXIES` (ImproperlyConfigured for a bad entry)."""
    entries: Sequence[str] = getattr(settings, "CLIENTBASE_TRUSTED_PROXIES", ()) or ()
    if isinstance(entries, str):
        entries = entries.split(",")
    return _networks(tuple(entry for entry in entries if entry.strip()))


def parse_address(value: str) -> IPAddress | None:
    """An address as proxies write it (`1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:443`, `::1`),
    IPv4-mapped IPv6 as IPv4; None when it is not one."""
    text = value.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_ip(request: Any) -> str:
    """The client's address as text (`"unknown"` when the peer address is missing or garbled).
    `request` is a Django or DRF request (anything with `META`)."""
    meta = request.META
    peer = parse_address(str(meta.get("REMOTE_ADDR") or ""))
    if peer is None:
        return UNKNOWN
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return str(peer)
    client = peer
    forwarded = str(meta.get("HTTP_X_FORWARDED_FOR") or "")
    for entry in reversed([item for item in forwarded.split(",") if item.strip()]):
        hop = parse_address(entry)
        if hop is None:
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


def rate_limit_key(request: Any) -> str:
    """What the lockout and the throttles count per client: its IPv4 address, or its IPv6 /64."""
    text = client_ip(request)
    address = parse_address(text)
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return text
