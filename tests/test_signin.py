"""One lockout policy for every way of signing in (staff login, /admin/login/, portal login, API
token), counted per sign-in name and per client address, with X-Forwarded-For believed only from a
trusted proxy; the token endpoint's portal gates; a portal user's password never confirmed by the
staff or admin login."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from knox.models import AuthToken

from clientbase.api.throttling import ClientIpMixin
from clientbase.contacts.models import Contact
from clientbase.portal.services.accounts import revoke_portal_access
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "correct horse battery"
PORTAL_PASSWORD = "tulip-harbour-9-lantern"
PATHS = ["staff", "admin", "portal", "token"]
LOCKED = "Too many failed sign-in attempts"


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_user(db):
    return UserFactory(username="dispatcher", is_staff=True)


@pytest.fixture
def portal_contact(db):
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(
        customer=customer,
        first_name="Alice",
        last_name="Admin",
        email="Alice@northwind.example",
        portal_enabled=True,
        portal_permissions=["admin"],
    )
    user = UserFactory(username=contact.email.lower(), email=contact.email, is_staff=False)
    user.set_password(PORTAL_PASSWORD)
    user.save()
    contact.user = user
    contact.save(update_fields=["user"])
    return contact


def sign_in(path: str, name: str, password: str, *, remote: str = "192.0.2.10", forwarded: str | None = None):
    """One sign-in through `path`; answers (outcome, response), outcome one of ok, refused, locked."""
    client = Client(REMOTE_ADDR=remote)
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    if path == "staff":
        response = client.post("/accounts/login/", {"username": name, "password": password}, **extra)
    elif path == "admin":
        response = client.post(
            "/admin/login/?next=/admin/", {"username": name, "password": password, "next": "/admin/"}, **extra
        )
    elif path == "portal":
        response = client.post("/portal/login/", {"email": name, "password": password}, **extra)
    else:
        response = client.post(
            "/api/v1/auth/token/",
            {"username": name, "password": password},
            content_type="application/json",
            **extra,
        )
        if response.status_code == 200:
            return "ok", response
        if response.status_code == 429 and LOCKED in response.json()["detail"]:
            assert int(response["Retry-After"]) > 0
            return "locked", response
        assert response.status_code == 400, response.content
        assert "token" not in response.json()
        return "refused", response
    if response.status_code == 302:
        return "ok", response
    assert response.status_code == 200, response.status_code
    assert "_auth_user_id" not in client.session
    return ("locked" if LOCKED in response.content.decode() else "refused"), response


def identity(path: str, staff_user, portal_contact) -> tuple[str, str]:
    if path == "portal":
        return portal_contact.email, PORTAL_PASSWORD
    return staff_user.username, STAFF_PASSWORD


# N wrong, then locked ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_wrong_passwords_lock_the_name_and_then_the_right_password_is_refused(
    path, staff_user, portal_contact, settings
):
    name, password = identity(path, staff_user, portal_contact)
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        assert sign_in(path, name, f"guess-{n}")[0] == "refused"
    outcome, response = sign_in(path, name, password)
    assert outcome == "locked"
    if path == "token":
        assert "token" not in response.json()
    assert not AuthToken.objects.exists()
    # Locked from another address too: the count is the name's.
    assert sign_in(path, name, password, remote="198.51.100.77")[0] == "locked"


@pytest.mark.parametrize("path", PATHS)
def test_fewer_failures_do_not_lock_and_the_right_password_clears_them(
    path, staff_user, portal_contact, settings
):
    name, password = identity(path, staff_user, portal_contact)
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS - 1):
        assert sign_in(path, name, f"guess-{n}")[0] == "refused"
    assert sign_in(path, name, password)[0] == "ok"
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS - 1):
        assert sign_in(path, name, f"again-{n}")[0] == "refused"
    assert sign_in(path, name, password)[0] == "ok"


def test_one_count_per_person_across_every_sign_in_path(portal_contact, settings):
    settings.CLIENTBASE_LOGIN_ATTEMPTS = 4
    login_name = portal_contact.user.username
    assert sign_in("portal", portal_contact.email, "guess-1")[0] == "refused"
    assert sign_in("token", login_name, "guess-2")[0] == "refused"
    assert sign_in("staff", login_name, "guess-3")[0] == "refused"
    assert sign_in("admin", login_name.upper(), "guess-4")[0] == "refused"
    assert sign_in("portal", portal_contact.email, PORTAL_PASSWORD)[0] == "locked"
    assert sign_in("token", login_name, PORTAL_PASSWORD)[0] == "locked"


# Per client address ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_failures_from_one_address_lock_every_name_tried_from_it(path, staff_user, portal_contact, settings):
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 3
    name, password = identity(path, staff_user, portal_contact)
    for n in range(3):
        assert sign_in(path, f"nobody{n}@northwind.example", "guess", remote="203.0.113.9")[0] == "refused"
    assert sign_in(path, name, password, remote="203.0.113.9")[0] == "locked"
    assert sign_in(path, name, password, remote="198.51.100.7")[0] == "ok"


def test_an_ipv6_client_is_counted_by_its_64_network(staff_user, settings):
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 3
    for n in range(3):
        assert sign_in("staff", f"nobody{n}", "guess", remote=f"2001:db8:1:2::{n + 1}")[0] == "refused"
    assert sign_in("staff", "dispatcher", STAFF_PASSWORD, remote="2001:db8:1:2:ffff::9")[0] == "locked"
    assert sign_in("staff", "dispatcher", STAFF_PASSWORD, remote="2001:db8:1:3::1")[0] == "ok"


@pytest.mark.parametrize("path", PATHS)
def test_x_forwarded_for_is_ignored_from_an_untrusted_peer(path, staff_user, portal_contact, settings):
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 3
    settings.CLIENTBASE_TRUSTED_PROXIES = []
    name, password = identity(path, staff_user, portal_contact)
    for n in range(3):
        outcome, _ = sign_in(
            path, f"nobody{n}@example.com", "guess", remote="203.0.113.9", forwarded=f"10.1.1.{n}"
        )
        assert outcome == "refused"
    # A new X-Forwarded-For does not make a new client.
    assert sign_in(path, name, password, remote="203.0.113.9", forwarded="10.9.9.9")[0] == "locked"


@pytest.mark.parametrize("path", PATHS)
def test_x_forwarded_for_is_honoured_from_a_trusted_proxy(path, staff_user, portal_contact, settings):
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 3
    settings.CLIENTBASE_TRUSTED_PROXIES = ["10.0.0.0/8"]
    name, password = identity(path, staff_user, portal_contact)
    for n in range(3):
        outcome, _ = sign_in(
            path, f"nobody{n}@example.com", "guess", remote="10.0.0.2", forwarded="198.51.100.1"
        )
        assert outcome == "refused"
    # The guesser behind the proxy is locked, even when it writes another address to the left.
    assert sign_in(path, name, password, remote="10.0.0.2", forwarded="198.51.100.1")[0] == "locked"
    assert (
        sign_in(path, name, password, remote="10.0.0.3", forwarded="192.0.2.99, 198.51.100.1")[0] == "locked"
    )
    # Another client behind the same proxy is not.
    assert sign_in(path, name, password, remote="10.0.0.2", forwarded="198.51.100.2")[0] == "ok"


# The token endpoint's portal gates -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["alice@northwind.example", "Alice@Northwind.EXAMPLE"])
def test_a_current_portal_user_gets_a_working_token(portal_contact, name):
    outcome, response = sign_in("token", name, PORTAL_PASSWORD)
    assert outcome == "ok"
    client = Client(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"/api/v1/contacts/{portal_contact.pk}/").status_code == 200


def test_no_token_for_a_locked_out_portal_user(portal_contact, settings):
    for n in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        sign_in("portal", portal_contact.email, f"guess-{n}")
    outcome, response = sign_in("token", portal_contact.user.username, PORTAL_PASSWORD)
    assert outcome == "locked"
    assert "token" not in response.json()
    assert not AuthToken.objects.exists()


def test_no_token_for_a_revoked_portal_user_answered_like_a_wrong_password(portal_contact, staff_user):
    username = portal_contact.user.username
    revoke_portal_access(contact=portal_contact, acting_user=UserFactory(username="root", is_superuser=True))
    _, wrong = sign_in("token", username, "not-the-password", remote="198.51.100.1")
    outcome, revoked = sign_in("token", username, PORTAL_PASSWORD, remote="198.51.100.2")
    assert outcome == "refused"
    assert (revoked.status_code, revoked.json()) == (wrong.status_code, wrong.json())
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"support_end": -1}, "Your portal access ended on"),
        ({"support_start": 3}, "Your portal access starts on"),
        ({"portal_enabled": False}, "Your portal access has been switched off"),
        ({"status": "inactive"}, "Your contact record is inactive"),
    ],
)
def test_no_token_outside_the_portal_gates_with_the_portals_reason(portal_contact, change, reason):
    today = timezone.localdate()
    values = {
        key: (today + datetime.timedelta(days=value) if key.startswith("support_") else value)
        for key, value in change.items()
    }
    Contact.objects.filter(pk=portal_contact.pk).update(**values)  # the login stays open
    outcome, response = sign_in("token", portal_contact.user.username, PORTAL_PASSWORD)
    assert outcome == "refused"
    assert reason in response.json()["non_field_errors"][0]
    assert not AuthToken.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"support_end": -1}, "Your portal access ended on"),
        ({"portal_enabled": False}, "Your portal access has been switched off"),
        ({"status": "inactive"}, "Your contact record is inactive"),
    ],
)
def test_a_portal_users_token_stops_working_when_its_access_does(portal_contact, change, reason):
    """A token made while the access was current is refused (401, the portal's reason) once the
    support end passes, access is switched off or the contact made inactive, as its sessions end;
    nothing is read or changed through it."""
    _, response = sign_in("token", portal_contact.user.username, PORTAL_PASSWORD)
    client = Client(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get(f"/api/v1/contacts/{portal_contact.pk}/").status_code == 200
    today = timezone.localdate()
    values = {
        key: (today + datetime.timedelta(days=value) if key.startswith("support_") else value)
        for key, value in change.items()
    }
    Contact.objects.filter(pk=portal_contact.pk).update(**values)
    before = list(Contact.objects.order_by("pk").values_list())

    read = client.get(f"/api/v1/contacts/{portal_contact.pk}/")
    write = client.patch(
        f"/api/v1/contacts/{portal_contact.pk}/", {"title": "Changed"}, content_type="application/json"
    )
    for refused in (read, write):
        assert refused.status_code == 401
        assert reason in refused.json()["detail"]
        assert "Alice@northwind.example" not in refused.content.decode()
    assert list(Contact.objects.order_by("pk").values_list()) == before


# Staff and admin logins never confirm a portal user's password ---------------------------------------


@pytest.mark.parametrize("path", ["staff", "admin"])
def test_a_portal_users_right_password_is_answered_like_a_wrong_one(path, portal_contact):
    username = portal_contact.user.username
    _, wrong = sign_in(path, username, "not-the-password", remote="198.51.100.1")
    outcome, right = sign_in(path, username, PORTAL_PASSWORD, remote="198.51.100.2")
    assert outcome == "refused"
    assert right.status_code == wrong.status_code == 200
    assert right.context["form"].errors == wrong.context["form"].errors
    assert PORTAL_PASSWORD not in right.content.decode()


def test_the_staff_login_counts_a_portal_users_right_password_as_a_failure(portal_contact, settings):
    username = portal_contact.user.username
    for _ in range(settings.CLIENTBASE_LOGIN_ATTEMPTS):
        assert sign_in("staff", username, PORTAL_PASSWORD)[0] == "refused"
    assert sign_in("staff", username, PORTAL_PASSWORD)[0] == "locked"


# Every DRF throttle counts per the one client address ---------------------------------------------------


def _views(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = pattern.callback
            yield getattr(view, "cls", None) or getattr(view, "view_class", None)


def test_every_api_throttle_uses_the_one_client_address():
    throttles = {
        throttle
        for view in _views(get_resolver().url_patterns)
        if view is not None
        for throttle in getattr(view, "throttle_classes", ())
    }
    assert throttles  # the token endpoint has one
    assert all(issubclass(throttle, ClientIpMixin) for throttle in throttles), throttles


def test_the_token_throttle_believes_x_forwarded_for_only_from_a_trusted_proxy(settings):
    settings.CLIENTBASE_TRUSTED_PROXIES = ["10.0.0.1"]
    for n in range(10):  # the rate: 10 a minute per client (different names: no lockout)
        sign_in("token", f"user{n}", "guess", remote="203.0.113.5", forwarded=f"198.51.100.{n}")
    untrusted = Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.200")
    assert untrusted.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code == 429
    for n in range(10):
        sign_in("token", f"proxied{n}", "guess", remote="10.0.0.1", forwarded="198.51.100.1")
    same = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert same.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code == 429
    other = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert other.post("/api/v1/auth/token/", {"username": "x", "password": "y"}).status_code == 400


# Settings ---------------------------------------------------------------------------------------------


def _settings_in_subprocess(tmp_path, **env_values) -> dict:
    import json
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CLIENTBASE_LOGIN_", "CLIENTBASE_PORTAL_LOGIN_", "CLIENTBASE_TOKEN_TTL"))
        and k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(CLIENTBASE_VAR_DIR=str(tmp_path / "var"), **env_values)
    code = (
        "import json; from clientbase import settings as s; ttl = s.REST_KNOX['TOKEN_TTL']; "
        "print(json.dumps([s.CLIENTBASE_LOGIN_ATTEMPTS, s.CLIENTBASE_LOGIN_IP_ATTEMPTS, "
        "s.CLIENTBASE_LOGIN_LOCKOUT, ttl and ttl.total_seconds()]))"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_login_limits_read_the_new_and_the_former_names_and_tokens_never_expire_by_default(tmp_path):
    assert _settings_in_subprocess(tmp_path) == [5, 20, 900, None]
    assert _settings_in_subprocess(
        tmp_path,
        CLIENTBASE_PORTAL_LOGIN_ATTEMPTS="7",
        CLIENTBASE_PORTAL_LOGIN_IP_ATTEMPTS="30",
        CLIENTBASE_PORTAL_LOGIN_LOCKOUT="60",
    ) == [7, 30, 60, None]
    assert _settings_in_subprocess(
        tmp_path,
        CLIENTBASE_LOGIN_ATTEMPTS="3",
        CLIENTBASE_PORTAL_LOGIN_ATTEMPTS="7",
        CLIENTBASE_TOKEN_TTL="3600",
    ) == [3, 20, 900, 3600.0]


# Parallel guesses ---------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # the threads record failures in the audit log
def test_parallel_guesses_get_no_more_password_checks_than_the_limit(settings):
    """Each attempt is counted before the password check, so guesses sent at once cannot all pass
    the check before the first failure is counted (exact with an atomic cache such as Redis or
    the local-memory cache used here)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from django.test import RequestFactory

    from clientbase import lockout
    from clientbase.audit import events
    from clientbase.audit.models import AuditEvent

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "par"}
    }
    settings.CLIENTBASE_LOGIN_IP_ATTEMPTS = 1000
    start = threading.Barrier(20)
    checked = []

    def guess(n):
        request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.5")
        start.wait(timeout=10)
        try:
            with lockout.attempt(request, "dispatcher"):
                checked.append(n)
                time.sleep(0.2)  # a password check takes a while
                raise ValueError("wrong password")
        except lockout.LockedOut:
            return "locked"
        except ValueError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(guess, range(20)))
    assert len(checked) == settings.CLIENTBASE_LOGIN_ATTEMPTS
    assert outcomes.count("refused") == settings.CLIENTBASE_LOGIN_ATTEMPTS
    assert outcomes.count("locked") == 20 - settings.CLIENTBASE_LOGIN_ATTEMPTS
    failures = AuditEvent.objects.filter(type=events.LOGIN_FAILED, username="dispatcher")
    assert failures.filter(detail__reason="invalid").count() == settings.CLIENTBASE_LOGIN_ATTEMPTS
    assert failures.filter(detail__reason="locked_out").count() == 20 - settings.CLIENTBASE_LOGIN_ATTEMPTS
    assert AuditEvent.objects.filter(type=events.LOCKOUT).count() == 1
