"""What the tests that start clientbase's own processes (`clientbase serve`, `worker`) share: the
suite's PostgreSQL database, if it runs on one, and waiting until a server answers."""

from __future__ import annotations

import os
import secrets
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import dj_database_url
import psycopg
import pytest


def postgres_url() -> str | None:
    """The suite's `DATABASE_URL` when it names PostgreSQL; None in the SQLite run."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


def wait_for(url: str, process: subprocess.Popen[str], *, timeout: float, output: Callable[[], str]) -> None:
    """Until `url` answers with a success (an error status, such as a 503 of `/readyz` while the
    database is not ready, is waited out): fails the test when `process` ends first, with the
    end of its `output()`, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None:
                pytest.fail(f"{url}: the server ended: {output()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer")
            time.sleep(0.3)


@dataclass(frozen=True)
class OwnDatabase:
    """A PostgreSQL database made for one test's processes: its `url`, its `name`, and how to
    connect to the server's `postgres` database to drop it (`admin`, psycopg's arguments)."""

    url: str
    name: str
    admin: dict[str, Any]


def create_database(suite_url: str, prefix: str) -> OwnDatabase:
    """A new, empty database on the server of `suite_url`, named `<prefix>_<xdist worker>_<random>`."""
    name = f"{prefix}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(3)}"
    parsed = dj_database_url.parse(suite_url)
    admin = {
        "host": parsed["HOST"] or "127.0.0.1",
        "port": parsed["PORT"] or 5432,
        "user": parsed["USER"],
        "password": parsed["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = urllib.parse.urlsplit(suite_url)._replace(path=f"/{name}").geturl()
    return OwnDatabase(url=url, name=name, admin=admin)


def drop_database(database: OwnDatabase) -> None:
    """Drop `database`, ending the sessions still connected to it."""
    with psycopg.connect(**database.admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{database.name}" WITH (FORCE)')
