"""`/metrics` for Prometheus: request latency, outbox depth and failures, import rows; only for the
addresses CLIENTBASE_METRICS_ALLOWED names."""

from __future__ import annotations

import re
import subprocess
import time
import urllib.request

import pytest
from django.test import Client, override_settings

from clientbase import metrics
from clientbase.notifications.models import Message
from clientbase.transfer.models import ImportRun
from tests.notifications.factories import MessageFactory
from tests.test_cli import CLIENTBASE, free_port, subprocess_env


def value(text: str, name: str, **labels: str) -> float:
    """The sample `name{labels}` of an exposition (labels in any order); 0 when absent."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match[1] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        if all(found.get(key) == wanted for key, wanted in labels.items()):
            return float(match[3])
    return 0.0


@pytest.mark.django_db
def test_metrics_count_requests_outbox_and_imports(dispatcher):
    client = Client()
    client.force_login(dispatcher)
    assert client.get("/contacts/").status_code == 200
    MessageFactory.create_batch(3)
    MessageFactory(status=Message.Status.FAILED)
    ImportRun.objects.create(
        kind="contacts", status=ImportRun.Status.APPLIED, created=7, updated=2, error_count=1
    )
    ImportRun.objects.create(kind="contacts", status=ImportRun.Status.RUNNING, created=100)  # not finished
    response = Client(HTTP_HOST="10.0.0.7").get("/metrics")  # Prometheus names the server by address
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert (
        value(
            text, "clientbase_http_request_duration_seconds_count", view="contacts:contact-list", status="2xx"
        )
        >= 1
    )
    assert value(text, "clientbase_outbox_messages", status="pending") == 3
    assert value(text, "clientbase_outbox_messages", status="failed") == 1
    assert value(text, "clientbase_outbox_oldest_pending_seconds") >= 0
    assert value(text, "clientbase_import_rows_total", outcome="created") == 7
    assert value(text, "clientbase_import_rows_total", outcome="refused") == 1
    assert "clientbase_mail_deliveries_total" in text or "clientbase_mail_deliveries" in text


@pytest.mark.django_db
def test_metrics_are_refused_to_addresses_not_named_and_answer_404():
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 404
    assert "clientbase_" not in response.content.decode()
    with override_settings(CLIENTBASE_METRICS_ALLOWED=["203.0.113.0/24"]):
        assert Client(REMOTE_ADDR="203.0.113.9").get("/metrics").status_code == 200
        assert Client().get("/metrics").status_code == 404  # 127.0.0.1 is no longer named


@pytest.mark.django_db
@override_settings(CLIENTBASE_TRUSTED_PROXIES=["10.0.0.1"])
def test_a_forwarded_address_counts_only_from_a_trusted_proxy():
    spoofed = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert spoofed.get("/metrics").status_code == 404
    proxied = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert proxied.get("/metrics").status_code == 200


def test_delivery_outcomes_are_counted():
    before = metrics.MAIL_DELIVERIES.labels(outcome="retry")._value.get()
    metrics.count_deliveries({"retry": 2})
    assert metrics.MAIL_DELIVERIES.labels(outcome="retry")._value.get() == before + 2


def test_a_bad_allowed_address_stops_the_start(tmp_path):
    env = {**subprocess_env(tmp_path), "CLIENTBASE_METRICS_ALLOWED": "10.0.0.0/8,prometheus.internal"}
    result = subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "CLIENTBASE_METRICS_ALLOWED: 'prometheus.internal' is not an address or network." in result.stderr


def test_the_server_processes_count_into_one_answer(tmp_path):
    """Under `clientbase serve` with two gunicorn workers, /metrics counts the requests of both
    (prometheus-client's multiprocess mode, files in var/metrics)."""
    env = subprocess_env(tmp_path)
    subprocess.run(
        [CLIENTBASE, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120
    )
    port = free_port()
    server = subprocess.Popen(
        [CLIENTBASE, "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("server did not start")
                time.sleep(0.3)
        for _ in range(40):  # new connections: both workers take some
            urllib.request.urlopen(f"{base}/accounts/login/", timeout=5).read()
        text = urllib.request.urlopen(f"{base}/metrics", timeout=5).read().decode()
    finally:
        server.terminate()
        server.communicate(timeout=30)
    assert value(text, "clientbase_http_request_duration_seconds_count", view="login", status="2xx") == 40
    assert list((tmp_path / "var" / "metrics").glob("histogram_*.db"))
