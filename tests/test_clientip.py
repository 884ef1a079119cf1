"""The one client address: REMOTE_ADDR, unless it is a trusted proxy; then X-Forwarded-For read
from the right, skipping trusted hops."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from clientbase.clientip import client_ip, rate_limit_key


def request(remote: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # nobody trusted: the header is ignored
        (["10.0.0.1"], "203.0.113.5", "198.51.100.1", "203.0.113.5"),  # the peer is no proxy of ours
        (["10.0.0.1"], "10.0.0.1", "198.51.100.1", "198.51.100.1"),
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # forged left part
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.1, 10.2.3.4", "198.51.100.1"),  # two trusted hops
        (["10.0.0.0/8"], "10.0.0.1", "10.9.9.9, 10.2.3.4", "10.9.9.9"),  # all trusted: the left-most
        (["10.0.0.0/8"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.0/8"], "10.0.0.1", "not-an-ip, 10.2.3.4", "10.2.3.4"),  # garbage ends the walk
        (["10.0.0.0/8"], "10.0.0.1", "198.51.100.1:4711", "198.51.100.1"),
        (["::1"], "::1", "[2001:db8::5]:443", "2001:db8::5"),
        (["10.0.0.1"], "::ffff:10.0.0.1", "198.51.100.1", "198.51.100.1"),  # IPv4-mapped peer
        ([], "", None, "unknown"),
    ],
)
def test_client_ip(settings, trusted, remote, forwarded, expected):
    settings.CLIENTBASE_TRUSTED_PROXIES = trusted
    assert client_ip(request(remote, forwarded)) == expected


def test_an_ipv6_client_counts_by_its_64(settings):
    settings.CLIENTBASE_TRUSTED_PROXIES = []
    assert rate_limit_key(request("2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64"
    assert rate_limit_key(request("203.0.113.5")) == "203.0.113.5"


def test_a_bad_trusted_proxy_entry_is_a_configuration_error(settings):
    settings.CLIENTBASE_TRUSTED_PROXIES = ["10.0.0.1", "proxy.example"]
    with pytest.raises(ImproperlyConfigured, match=r"proxy\.example"):
        client_ip(request("10.0.0.1", "198.51.100.1"))
