"""`clientbase worker`: deliver the mail outbox, until stopped (or once, with `--once`).

Why the outbox table with this loop, and not django-tasks with its database backend: the `Message`
row already is the durable queue. It is written in the same transaction as the
change, and it carries everything delivery needs: status, attempts, the next attempt's time, the
last error, and a lease that a crashed worker's claim expires from. A django-tasks task per message
would keep a second copy of that state in another table, which must then be kept consistent with
the first (a task lost or run twice is a message lost or sent twice), and the retry policy
(exponential backoff with jitter and a cap, 4xx against 5xx, bounces) would still be
ours to write. One table, one loop, claimed with `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL
and serialised by SQLite's IMMEDIATE transactions, is the simpler and more robust of the two; see
`clientbase.notifications.delivery` for the rules.

Between rounds it runs the apps' periodic jobs (`clientbase.periodic`: the data-quality counts).

SIGTERM and SIGINT stop the worker after the message being sent; the rest of its batch is released
for other workers at once. Several workers may run side by side."""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
import uuid
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from clientbase import metrics, periodic
from clientbase.notifications import delivery, heartbeat

logger = logging.getLogger("clientbase.notifications.worker")


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"[:100]


class Command(BaseCommand):
    help = "Deliver queued e-mail over SMTP (EMAIL_HOST); keep running until stopped, or --once."
    requires_migrations_checks = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Deliver what is due now, then exit.")
        parser.add_argument(
            "--status",
            action="store_true",
            help="List the workers of this installation (every host), live or gone, then exit.",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=2.0,
            help="Seconds between looks at the outbox when nothing is due (default 2).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stopping = threading.Event()
        self.name = worker_name()
        if options["status"]:
            self.show_status()
            return
        if options["once"]:
            self.run_once()
            return
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.started_at = timezone.now()
        self.beaten = 0.0
        # Every outcome's series exists from the start (at 0), so that alerts on it have one.
        metrics.count_deliveries(dict.fromkeys(delivery.OUTCOMES, 0))
        try:
            self.run_forever(options["interval"])
        finally:
            try:  # before the handlers go back: a second signal must not cut this short
                heartbeat.leave(self.name)
            except DatabaseError:
                logger.warning("worker %s: could not remove its heartbeat", self.name)
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def show_status(self) -> None:
        """`--status`: the workers by host, live ones first."""
        found = heartbeat.workers()
        if not found:
            self.stdout.write("No worker has reported itself: none runs (start one: `clientbase worker`).")
            return
        live = sum(worker.live for worker in found)
        self.stdout.write(f"{live} live worker{'s' if live != 1 else ''} of {len(found)} known:")
        for worker in found:
            state = "live" if worker.live else "gone"
            mode = "delivering" if worker.sending else "waiting (no EMAIL_HOST)"
            self.stdout.write(
                f"  {state:4}  {worker.name}  host {worker.host}, pid {worker.pid}, {mode}, "
                f"started {worker.started_at:%Y-%m-%d %H:%M:%S %Z}, seen {worker.seen_seconds_ago} s ago"
            )

    def _beat(self) -> None:
        """Record this worker's heartbeat, at most every BEAT_SECONDS (`notifications.heartbeat`)."""
        now = time.monotonic()
        if now - self.beaten < heartbeat.BEAT_SECONDS:
            return
        try:
            heartbeat.beat(self.name, started_at=self.started_at, sending=delivery.sending_enabled())
            self.beaten = now
        except DatabaseError:
            logger.warning("worker %s: could not record its heartbeat; trying again", self.name)

    def _stop(self, signum: int, frame: Any) -> None:
        logger.info("worker %s stopping (signal %s)", self.name, signum)
        self.stopping.set()

    def _report(self, outcomes: Counter[str]) -> None:
        metrics.count_deliveries(outcomes)
        if outcomes:
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
            self.stdout.write(f"Outbox: {summary}.")

    def run_once(self) -> None:
        if not delivery.sending_enabled():
            self.stdout.write("EMAIL_HOST is not set: messages stay in the outbox, nothing was sent.")
            return
        total: Counter[str] = Counter()
        while True:
            outcomes = delivery.process_due(worker=self.name, should_stop=self.stopping.is_set)
            total.update(outcomes)
            if not outcomes:
                break
        self._report(total)
        if not total:
            self.stdout.write("Outbox: nothing due.")

    def run_forever(self, interval: float) -> None:
        if not delivery.sending_enabled():
            self.stdout.write(
                "EMAIL_HOST is not set: messages stay in the outbox (see the outbox page and "
                "/api/v1/messages/). Waiting; set EMAIL_HOST and restart to deliver them."
            )
            while not self.stopping.is_set():
                close_old_connections()
                self._beat()
                periodic.run_due()
                self.stopping.wait(1)
            close_old_connections()
            return
        self.stdout.write(f"Worker {self.name} delivering mail through the SMTP server (Ctrl+C to stop).")
        while not self.stopping.is_set():
            close_old_connections()
            self._beat()
            try:
                outcomes = delivery.process_due(worker=self.name, should_stop=self.stopping.is_set)
            except Exception:
                # The database may be briefly unavailable; claims taken stay leased and expire.
                logger.exception("worker %s: delivery round failed; trying again", self.name)
                outcomes = Counter()
            self._report(outcomes)
            periodic.run_due()  # the apps' jobs (`clientbase.periodic`), when due
            if not outcomes:
                self.stopping.wait(interval)
        close_old_connections()
