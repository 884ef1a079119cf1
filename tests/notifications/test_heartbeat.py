"""The mail workers report themselves (`WorkerHeartbeat`): the outbox page and `clientbase worker
--status` show which run, on which hosts, and which are gone."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from clientbase.notifications import heartbeat
from clientbase.notifications.models import WorkerHeartbeat
from tests.test_cli import CLIENTBASE, subprocess_env

pytestmark = pytest.mark.django_db


def test_a_beat_records_the_worker_and_leaving_removes_it():
    started = timezone.now()
    heartbeat.beat("host-a:41:abc123", started_at=started, sending=True)
    first = WorkerHeartbeat.objects.get()
    assert (first.name, first.pid, first.sending) == ("host-a:41:abc123", os.getpid(), True)
    heartbeat.beat("host-a:41:abc123", started_at=started, sending=True)
    assert WorkerHeartbeat.objects.count() == 1
    assert WorkerHeartbeat.objects.get().seen_at >= first.seen_at
    heartbeat.leave("host-a:41:abc123")
    assert not WorkerHeartbeat.objects.exists()


def _row(name: str, seen_ago: datetime.timedelta, host: str = "host-b") -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        name=name, host=host, pid=7, started_at=now - seen_ago, seen_at=now - seen_ago, sending=True
    )


def test_workers_not_seen_for_a_minute_are_gone_and_after_a_day_forgotten():
    _row("live", datetime.timedelta(seconds=5), host="host-z")
    _row("gone", datetime.timedelta(minutes=5), host="host-a")
    _row("forgotten", datetime.timedelta(days=2))
    found = heartbeat.workers()
    assert [(worker.name, worker.live) for worker in found] == [("live", True), ("gone", False)]
    assert not WorkerHeartbeat.objects.filter(name="forgotten").exists()


def test_worker_status_lists_them():
    out = StringIO()
    call_command("worker", "--status", stdout=out)
    assert "No worker has reported itself" in out.getvalue()
    _row("host-b:7:live01", datetime.timedelta(seconds=3))
    _row("host-c:9:gone01", datetime.timedelta(minutes=10), host="host-c")
    out = StringIO()
    call_command("worker", "--status", stdout=out)
    text = out.getvalue()
    assert "1 live worker of 2 known:" in text
    assert "live  host-b:7:live01  host host-b, pid 7, delivering" in text
    assert "gone  host-c:9:gone01" in text


def test_the_outbox_page_shows_the_workers_or_that_none_runs(dispatcher):
    client = Client()
    client.force_login(dispatcher)
    page = client.get("/outbox/").content.decode()
    assert "No mail worker is running" in page
    _row("host-b:7:live01", datetime.timedelta(seconds=3))
    page = client.get("/outbox/").content.decode()
    assert "No mail worker is running" not in page
    assert "<strong>host-b</strong>, process 7: delivering" in page


def test_a_running_worker_beats_and_leaves_when_stopped(tmp_path):
    env = subprocess_env(tmp_path)
    subprocess.run(
        [CLIENTBASE, "migrate", "--noinput"], env=env, check=True, capture_output=True, timeout=120
    )
    worker = subprocess.Popen(
        [CLIENTBASE, "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            status = subprocess.run(
                [CLIENTBASE, "worker", "--status"], env=env, capture_output=True, text=True, timeout=60
            ).stdout
            if "1 live worker of 1 known" in status:
                break
            assert time.monotonic() < deadline and worker.poll() is None, status
            time.sleep(0.5)
        assert f"pid {worker.pid}, waiting (no EMAIL_HOST)" in status
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    status = subprocess.run(
        [CLIENTBASE, "worker", "--status"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "No worker has reported itself" in status.stdout
