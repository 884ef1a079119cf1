"""What the tests that start clientbase's own processes (`clientbase serve`, `worker`) share: the
suite's PostgreSQL database, if it runs on one, and waiting until a server answers."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable

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
