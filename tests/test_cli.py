"""The `clientbase` command: Django's commands pass through, and serve, token work."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

CLIENTBASE = str(Path(sys.executable).with_name("clientbase"))


def subprocess_env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CLIENTBASE_TESTING", "DJANGO_SETTINGS_MODULE")
    }
    env["CLIENTBASE_VAR_DIR"] = str(tmp_path / "var")
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_token_command_prints_a_new_token_each_time_stored_hashed(dispatcher):
    out = StringIO()
    call_command("token", "dispatcher", stdout=out)
    key = out.getvalue().strip()
    again = StringIO()
    call_command("token", "dispatcher", stdout=again)
    second = again.getvalue().strip()
    assert second != key
    stored = list(AuthToken.objects.filter(user=dispatcher))
    assert len(stored) == 2
    assert all(token.expiry is None for token in stored)  # no CLIENTBASE_TOKEN_TTL: they never expire
    for token in stored:  # only a digest and a short look-up prefix are stored, never the key
        assert key not in (token.digest, token.token_key) and second not in (token.digest, token.token_key)
        assert token.digest in (hash_token(key), hash_token(second))
    client = APIClient()
    for each in (key, second):
        client.credentials(HTTP_AUTHORIZATION=f"Token {each}")
        assert client.get("/api/v1/contacts/").status_code == 200


@pytest.mark.django_db
def test_token_command_refuses_unknown_users():
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("token", "ghost")
    assert not AuthToken.objects.exists()


def test_console_script_passes_django_commands_through(tmp_path):
    result = subprocess.run(
        [CLIENTBASE, "help"], env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    for command in ("serve", "demo", "token", "migrate", "createsuperuser"):
        assert command in result.stdout


def test_console_script_reports_unknown_commands(tmp_path):
    result = subprocess.run(
        [CLIENTBASE, "frobnicate"], env=subprocess_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "Unknown command" in result.stderr


def test_serve_runs_a_production_server_with_static_files(tmp_path):
    env = subprocess_env(tmp_path)
    subprocess.run(
        [CLIENTBASE, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [CLIENTBASE, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/admin/login/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.3)
        with pytest.raises(urllib.error.HTTPError) as unauthorized:
            urllib.request.urlopen(f"{base}/api/v1/customers/", timeout=5)
        assert unauthorized.value.code == 401
        css = urllib.request.urlopen(f"{base}/static/admin/css/base.css", timeout=5)
        assert css.status == 200
        assert "text/css" in css.headers["Content-Type"]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "gunicorn" in output.lower() or "Booting worker" in output
    assert '"GET /admin/login/ HTTP/1.1" 200' in output and "request_id=" in output  # the access log
    assert (tmp_path / "var" / "secret_key").exists()
    shutil.rmtree(tmp_path / "var", ignore_errors=True)


def test_run_serves_with_the_worker_and_ctrl_c_stops_both_within_five_seconds(tmp_path):
    """`make run`'s `clientbase run`: a SIGINT to its process group (what Ctrl+C sends) stops the
    server and the worker within five seconds, with status 0, no traceback and no killed process."""
    env = subprocess_env(tmp_path)
    subprocess.run(
        [CLIENTBASE, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120
    )
    port = free_port()
    run = subprocess.Popen(
        [CLIENTBASE, "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal's foreground job
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline or run.poll() is not None:
                    pytest.fail("clientbase run did not start serving")
                time.sleep(0.3)
        time.sleep(1)  # the worker is past its start
        os.killpg(run.pid, signal.SIGINT)
        started = time.monotonic()
        output, _ = run.communicate(timeout=30)
        stopped_after = time.monotonic() - started
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == 0, output
    assert stopped_after < 5, output
    assert f"serving at http://127.0.0.1:{port}/" in output
    assert "worker" in output and "stopping" in output  # the worker saw the signal
    for trouble in ("Traceback", "Segmentation fault", "SIGKILL", "Worker was sent", "Error"):
        assert trouble not in output, output
    assert "clientbase stopped." in output
    with socket.socket() as probe:  # nothing left listening
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_run_refuses_a_port_in_use_and_starts_nothing(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [CLIENTBASE, "run", "--port", str(port)],
            env=subprocess_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert f"Port {port} on 127.0.0.1 is in use" in result.stderr
    assert f"make run PORT={port + 1}" in result.stderr
    assert "serving at" not in result.stdout
