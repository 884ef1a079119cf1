"""clientbase as a fleet: two app servers and two mail workers, each with a folder of its own (as on
separate hosts), sharing one PostgreSQL database and one Redis. Mail sent through both servers is
delivered exactly once, a sign-in throttle counts the attempts made on either server, and a session
opened on one server works on the other.

Runs in the PostgreSQL run of the suite (it creates a database of its own on that server) with the
Redis at CLIENTBASE_TEST_REDIS (default 127.0.0.1:6379, a database of its own per test process);
under CI=true a missing Redis fails the test instead of skipping it."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.notifications.conftest import SmtpServer, free_port
from tests.served import create_database, drop_database, postgres_url, wait_for

CLIENTBASE = str(Path(sys.executable).with_name("clientbase"))
REDIS_ADDRESS = os.environ.get("CLIENTBASE_TEST_REDIS", "127.0.0.1:6379")
PASSWORD = "fleet-Password-4471"
ATTEMPTS = 4  # CLIENTBASE_LOGIN_ATTEMPTS of the fleet
TIMEOUT = 90
LOCKED = "Too many failed sign-in attempts"


def _redis_db() -> int:
    """A Redis database per test process (gw0: 1, gw1: 2, ...; without xdist: 15)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) + 1 if worker.startswith("gw") else 15


def _redis_or_skip() -> redis.Redis:
    host, port = REDIS_ADDRESS.rsplit(":", 1)
    client = redis.Redis(host=host, port=int(port), db=_redis_db(), socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true and does not answer at {REDIS_ADDRESS}.")
        pytest.skip(f"!!! Redis not reachable at {REDIS_ADDRESS}: the fleet test is SKIPPED !!!")
    return client


@dataclass
class Fleet:
    servers: list[str]  # base URLs
    token: str
    smtp: SmtpServer
    database_url: str
    env: dict[str, str]  # of host a

    def api(self, server: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        request = urllib.request.Request(
            f"{self.servers[server]}/api/v1/{path}",
            data=json.dumps(body).encode() if body is not None else None,
            method=method,
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    suite_url = postgres_url()
    if suite_url is None:
        pytest.skip("the fleet runs in the PostgreSQL run of the suite (it needs a PostgreSQL server)")
    cache = _redis_or_skip()
    cache.flushdb()
    database = create_database(suite_url, "clientbase_fleet")
    database_url = database.url
    smtp = SmtpServer(free_port())
    smtp.start()
    host, port = REDIS_ADDRESS.rsplit(":", 1)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CLIENTBASE_TESTING", "DJANGO_SETTINGS_MODULE", "PROMETHEUS_MULTIPROC_DIR")
    }
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://{host}:{port}/{_redis_db()}",
        SECRET_KEY=secrets.token_urlsafe(50),  # one key for the installation, by environment
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp.port),
        CLIENTBASE_LOGIN_ATTEMPTS=str(ATTEMPTS),
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
        WEB_CONCURRENCY="1",
    )
    processes: list[subprocess.Popen[str]] = []

    def host_env(host_name: str) -> dict[str, str]:
        return {**env, "CLIENTBASE_VAR_DIR": str(tmp_path / host_name)}

    def run(host_name: str, *args: str) -> str:
        done = subprocess.run(
            [CLIENTBASE, *args], env=host_env(host_name), capture_output=True, text=True, timeout=TIMEOUT
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    try:
        run("host-a", "migrate", "--noinput")
        run("host-a", "createsuperuser", "--noinput", "--username", "fleet", "--email", "fleet@example.com")
        token = run("host-b", "token", "fleet").strip().splitlines()[-1]
        servers = []
        for host_name in ("host-a", "host-b"):
            port_number = free_port()
            server = subprocess.Popen(
                [CLIENTBASE, "serve", "--port", str(port_number)],
                env=host_env(host_name),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            processes.append(server)
            servers.append(f"http://127.0.0.1:{port_number}")
        for host_name in ("host-a", "host-b"):
            processes.append(
                subprocess.Popen(
                    [CLIENTBASE, "worker", "--interval", "0.3"],
                    env=host_env(host_name),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
        for base, server in zip(servers, processes, strict=False):
            wait_for(f"{base}/readyz", server, timeout=TIMEOUT, output=lambda p=server: p.communicate()[0])
        yield Fleet(
            servers=servers, token=token, smtp=smtp, database_url=database_url, env=host_env("host-a")
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        smtp.stop()
        cache.flushdb()
        drop_database(database)
        shutil.rmtree(tmp_path, ignore_errors=True)


def _sign_in(base: str, jar: http.cookiejar.CookieJar, password: str) -> tuple[int, str]:
    """A staff sign-in through the login page of `base`; answers the status (302: signed in) and
    the page."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    page = opener.open(f"{base}/accounts/login/", timeout=20).read().decode()
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf, page[:500]
    body = urllib.parse.urlencode(
        {"username": "fleet", "password": password, "csrfmiddlewaretoken": csrf[1]}
    ).encode()
    request = urllib.request.Request(f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/"})
    try:
        with opener.open(request, timeout=20) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def test_two_servers_and_two_workers_share_mail_throttles_and_sessions(fleet: Fleet):
    # Mail sent through both servers is delivered exactly once.
    status, customer = fleet.api(0, "POST", "customers/", {"name": "Fleet Facilities"})
    assert status == 201, customer
    contacts = []
    for number in range(12):
        server = number % 2
        status, contact = fleet.api(
            server,
            "POST",
            "contacts/",
            {
                "customer": customer["id"],
                "first_name": f"Person{number}",
                "last_name": "Fleet",
                "email": f"person{number}@fleet.example",
            },
        )
        assert status == 201, contact
        contacts.append(contact["id"])
    for index, contact_id in enumerate(contacts):  # a test e-mail each, through either server
        status, message = fleet.api(index % 2, "POST", f"contacts/{contact_id}/send-test-email/")
        assert status == 202, message
    sent = len(contacts)
    deadline = time.monotonic() + TIMEOUT
    while len(fleet.smtp.received) < sent and time.monotonic() < deadline:
        time.sleep(0.3)
    time.sleep(2)  # a second delivery, were there one, would arrive by now
    ids = [message["Message-ID"] for message in fleet.smtp.received]
    assert len(ids) == sent, f"{len(ids)} delivered of {sent}"
    assert len(set(ids)) == sent, "a message was delivered twice"
    status, listed = fleet.api(1, "GET", "messages/?status=pending")
    assert status == 200 and listed["results"] == []
    shown = subprocess.run(
        [CLIENTBASE, "worker", "--status"],
        env=fleet.env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    ).stdout
    assert "2 live workers of 2 known" in shown, shown  # both hosts' workers, from either host

    # A session opened on one server works on the other (one SECRET_KEY, sessions in the database).
    jar = http.cookiejar.CookieJar()
    assert _sign_in(fleet.servers[0], jar, PASSWORD)[0] == 302
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    with opener.open(f"{fleet.servers[1]}/contacts/", timeout=20) as page:
        assert page.status == 200
        assert "Person0" in page.read().decode()

    # The sign-in throttle counts attempts made on either server (the shared cache).
    for attempt in range(ATTEMPTS):
        status, page = _sign_in(fleet.servers[attempt % 2], http.cookiejar.CookieJar(), "wrong-password")
        assert status == 200 and LOCKED not in page
    for server in (0, 1):  # now locked on both, even with the right password
        status, page = _sign_in(fleet.servers[server], http.cookiejar.CookieJar(), PASSWORD)
        assert status == 200 and LOCKED in page
