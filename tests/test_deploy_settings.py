"""Production settings: `check --deploy` is clean with a real host name, a real key and DEBUG off;
the loopback default of `make run` stays plain http."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile

import pytest

CLIENTBASE = os.path.join(os.path.dirname(sys.executable), "clientbase")


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    drop = ("ALLOWED_HOSTS", "CLIENTBASE_HTTPS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in drop}
    base.pop("CLIENTBASE_TESTING", None)
    base["CLIENTBASE_VAR_DIR"] = tempfile.mkdtemp()
    return subprocess.run(
        [CLIENTBASE, *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {"DEBUG": "false", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "crm.example.com"}
SHOW = (
    "shell",
    "--no-imports",
    "-c",
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
    "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)",
)


def test_check_deploy_is_clean_with_a_real_host():
    result = run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert run(PRODUCTION, *SHOW).stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


@pytest.mark.parametrize(
    "env", [{}, {**PRODUCTION, "CLIENTBASE_HTTPS": "false"}], ids=["loopback", "https-off"]
)
def test_plain_http_on_the_loopback_default_or_when_switched_off(env):
    assert run(env, *SHOW).stdout.split() == ["False", "False", "False", "0", "None"]
    if env:
        result = run(env, "check", "--deploy", "--fail-level", "WARNING")
        assert result.returncode != 0 and "SECURE_SSL_REDIRECT" in result.stderr
