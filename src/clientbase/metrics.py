"""Prometheus metrics at `/metrics` (prometheus-client), for the addresses CLIENTBASE_METRICS_ALLOWED
names (default the loopback addresses; others answer 404, as if there were no such page).

Two kinds of figures:
- counted by the processes: `clientbase_http_request_duration_seconds` (a histogram by `method`,
  `view` (the URL's name, "unmatched" for none) and `status` class, e.g. "2xx"; its `_count` is the
  number of requests), `clientbase_mail_deliveries_total` (by `outcome`: sent, retry, failed,
  bounced, skipped; counted by the workers). Under `clientbase serve`, `worker` and `run` they are
  kept in files in PROMETHEUS_MULTIPROC_DIR (var/metrics unless set; `clientbase.cli` sets it before
  anything is imported, as prometheus-client requires) so that every gunicorn worker process, and
  the mail worker on the same machine, count into one answer (prometheus-client's multiprocess
  mode); the files of ended processes are removed when a server starts. In any other process
  (tests, other commands), in memory.
- read from the database at each scrape, the same on every server of an installation: what the
  apps register with `register_collector` (the outbox's depth and failures, the rows imported).

Scrape each app server; the database figures repeat on each (use `max` across instances)."""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import Metric

from clientbase.clientip import client_ip, parse_address

METRICS_PATH = "/metrics"
MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUEST_SECONDS = Histogram(
    "clientbase_http_request_duration_seconds",
    "Seconds from a request's arrival to its answer, by method, URL name and status class.",
    ["method", "view", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,  # answered through `exposition`'s registry alone
)
MAIL_DELIVERIES = Counter(
    "clientbase_mail_deliveries_total",
    "Delivery attempts of outbox messages by the mail workers of this machine, by outcome.",
    ["outcome"],
    registry=None,
)

# Functions answering Prometheus metric families read from the database (`register_collector`).
_COLLECTORS: dict[str, Callable[[], Iterable[Metric]]] = {}


def register_collector(name: str, collect: Callable[[], Iterable[Metric]]) -> None:
    """Have `collect()` add its metric families to every scrape (registering a name again replaces
    it). It runs in the scraping request: keep it to one aggregate query."""
    _COLLECTORS[name] = collect


class _DatabaseCollector:
    def collect(self) -> Iterable[Metric]:
        for collect in _COLLECTORS.values():
            yield from collect()


def count_deliveries(outcomes: dict[str, int]) -> None:
    """Count a delivery round's outcomes ({"sent": 3, "retry": 1})."""
    for outcome, count in outcomes.items():
        MAIL_DELIVERIES.labels(outcome=outcome).inc(count)


def multiprocess_dir(var_dir: Path) -> Path:
    """Where the processes of this machine keep their figures: var/metrics."""
    return var_dir / "metrics"


def remove_ended_processes(path: Path) -> None:
    """Delete the files of processes that no longer run (`counter_1234.db`: process 1234), so that
    the figures of ended processes do not add up forever; those of running ones stay."""
    for stale in path.glob("*_*.db"):
        pid = stale.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def process_ended(pid: int) -> None:
    """A gunicorn worker ended: its gauges leave the answer (gunicorn's `child_exit` hook)."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def allowed(request: HttpRequest) -> bool:
    """Whether the client's address (`clientbase.clientip`, trusted proxies counted) is one that
    CLIENTBASE_METRICS_ALLOWED names (addresses or networks)."""
    address = parse_address(client_ip(request))
    if address is None:
        return False
    for entry in settings.CLIENTBASE_METRICS_ALLOWED:
        if address in ipaddress.ip_network(entry, strict=False):
            return True
    return False


def exposition() -> bytes:
    """Every metric in Prometheus' text format."""
    if MULTIPROCESS:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = CollectorRegistry()
        for collector in (REQUEST_SECONDS, MAIL_DELIVERIES):
            registry.register(collector)
    registry.register(_DatabaseCollector())
    return generate_latest(registry)


def metrics_answer(request: HttpRequest) -> HttpResponse | None:
    """The answer of `/metrics`, or None for any other path."""
    if request.path != METRICS_PATH:
        return None
    if not allowed(request):
        return HttpResponse("Not found.", status=404, content_type="text/plain")
    if request.method not in ("GET", "HEAD"):
        response = HttpResponse("Only GET and HEAD.", status=405, content_type="text/plain")
        response["Allow"] = "GET, HEAD"
        return response
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


def view_name(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "unnamed") if match is not None else "unmatched"


class MetricsMiddleware:
    """Answers `/metrics` (before the host check, as the probes), and times every other request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        answer = metrics_answer(request)
        if answer is not None:
            return answer
        started = time.perf_counter()
        response = self.get_response(request)
        REQUEST_SECONDS.labels(
            method=request.method if request.method in _METHODS else "other",
            view=view_name(request),
            status=f"{response.status_code // 100}xx",
        ).observe(time.perf_counter() - started)
        return response


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
