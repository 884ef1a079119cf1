"""The mail workers' heartbeats (`WorkerHeartbeat`): which workers run, on which hosts, seen when.

A worker `beat()`s at start and then at most every BEAT_SECONDS from its loop (one UPDATE, or an
INSERT the first time), and `leave()`s when it stops cleanly. `workers()` answers every row with
whether it is live (seen within LIVE_SECONDS); rows not seen for a day are deleted as they are
read. The outbox page and `clientbase worker --status` show them."""

from __future__ import annotations

import datetime
import os
import socket
from dataclasses import dataclass

from django.utils import timezone

from clientbase.notifications.models import WorkerHeartbeat

BEAT_SECONDS = 10
LIVE_SECONDS = 60
FORGOTTEN_AFTER = datetime.timedelta(days=1)


def beat(name: str, *, started_at: datetime.datetime, sending: bool) -> None:
    """Record that worker `name` runs now (insert its row, or update its `seen_at`)."""
    WorkerHeartbeat.objects.update_or_create(
        name=name,
        defaults={"seen_at": timezone.now(), "sending": sending},
        create_defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started_at": started_at,
            "seen_at": timezone.now(),
            "sending": sending,
        },
    )


def leave(name: str) -> None:
    """Worker `name` stops: its row goes."""
    WorkerHeartbeat.objects.filter(name=name).delete()


@dataclass(frozen=True)
class Worker:
    name: str
    host: str
    pid: int
    started_at: datetime.datetime
    seen_at: datetime.datetime
    sending: bool
    live: bool

    @property
    def seen_seconds_ago(self) -> int:
        return max(0, int((timezone.now() - self.seen_at).total_seconds()))


def workers(now: datetime.datetime | None = None) -> list[Worker]:
    """Every worker with a row, live ones first, by host; rows older than a day are deleted."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGOTTEN_AFTER).delete()
    live_since = now - datetime.timedelta(seconds=LIVE_SECONDS)
    found = [
        Worker(
            name=row.name,
            host=row.host,
            pid=row.pid,
            started_at=row.started_at,
            seen_at=row.seen_at,
            sending=row.sending,
            live=row.seen_at >= live_since,
        )
        for row in WorkerHeartbeat.objects.all()
    ]
    return sorted(found, key=lambda worker: (not worker.live, worker.host, worker.pid))
