"""Every request has an id, answered in X-Request-ID and written in its log lines; JSON logs by
setting (CLIENTBASE_LOG_FORMAT=json)."""

from __future__ import annotations

import json
import logging
import subprocess

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from clientbase import logs
from tests.test_cli import CLIENTBASE, subprocess_env


@pytest.mark.django_db
def test_a_request_gets_an_id_or_keeps_the_proxys():
    new = Client().get("/accounts/login/")
    assert len(new["X-Request-ID"]) == 32
    assert Client().get("/accounts/login/")["X-Request-ID"] != new["X-Request-ID"]
    kept = Client(HTTP_X_REQUEST_ID="lb-7f3a.2_x").get("/accounts/login/")
    assert kept["X-Request-ID"] == "lb-7f3a.2_x"


@pytest.mark.parametrize("sent", ["", "a" * 65, "bad id", "x\r\nSet-Cookie: a=b", "<script>"])
@pytest.mark.django_db
def test_an_unsafe_request_id_is_replaced(sent):
    answered = Client(HTTP_X_REQUEST_ID=sent).get("/healthz" if not sent else "/accounts/login/")
    rid = answered.get("X-Request-ID", "")
    assert rid != sent
    if rid:
        assert len(rid) == 32 and rid.isalnum()


def test_log_lines_written_while_serving_carry_the_id(caplog):
    seen = []

    def view(request):
        logging.getLogger("clientbase.example").warning("serving")
        seen.append(logs.request_id())
        return HttpResponse("ok")

    middleware = logs.RequestIdMiddleware(view)
    caplog.handler.addFilter(logs.RequestIdFilter())
    with caplog.at_level(logging.WARNING):
        response = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="req-42"))
    assert response["X-Request-ID"] == "req-42" and seen == ["req-42"]
    assert [record.request_id for record in caplog.records if record.name == "clientbase.example"] == [
        "req-42"
    ]
    assert logs.request_id() == "-"  # none outside a request


def test_json_logs_by_setting(tmp_path):
    program = "import logging; logging.getLogger('clientbase.example').warning('the outbox is %s', 'late')"
    env = {**subprocess_env(tmp_path), "CLIENTBASE_LOG_FORMAT": "json"}
    result = subprocess.run(
        [CLIENTBASE, "shell", "--no-imports", "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "the outbox is late"
    assert line["level"] == "WARNING" and line["logger"] == "clientbase.example"
    assert line["request_id"] == "-" and "time" in line
    env["CLIENTBASE_LOG_FORMAT"] = "text"
    result = subprocess.run(
        [CLIENTBASE, "shell", "--no-imports", "-c", program],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "WARNING clientbase.example [-] the outbox is late" in result.stderr
    env["CLIENTBASE_LOG_FORMAT"] = "xml"
    result = subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "CLIENTBASE_LOG_FORMAT='xml': text or json." in result.stderr


@pytest.mark.django_db
def test_djangos_own_lines_about_a_request_carry_its_id(caplog):
    """`django.request` logs a 4xx/5xx answer after the middleware returned: the id still shows."""
    caplog.handler.addFilter(logs.RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        answer = Client(HTTP_X_REQUEST_ID="probe-401").get("/api/v1/contacts/")
    assert answer.status_code == 401
    lines = [record for record in caplog.records if record.name == "django.request"]
    assert lines and all(record.request_id == "probe-401" for record in lines)
