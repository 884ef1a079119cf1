"""What a load balancer or an orchestrator asks of a server: `/healthz` and `/readyz`.

Both answer before anything else of the request is looked at (`HealthMiddleware`, first in
MIDDLEWARE): no sign-in, no host check (a probe may name the server by its address), no HTTPS
redirect, no session, and no data in the answer.

- `GET /healthz`: the process answers: 200 `{"status": "ok"}`, always, without touching the
  database or the cache (a liveness probe: restart the process when it does not answer).
- `GET /readyz`: this server can serve: 200 `{"status": "ready", "checks": {"database": "ok",
  "migrations": "ok", "cache": "ok"}}` when the database answers `SELECT 1`, every migration is
  applied and the cache stores and returns a value; else 503 with the failing checks named
  (`"database": "unreachable"`, `"migrations": "2 not applied"`, `"cache": "unreachable"`) and
  `Retry-After: 5` (a readiness probe: send no traffic until it answers 200). The reasons are the
  check's, never an exception's text (which could name hosts or users).
Other methods than GET and HEAD: 405."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
# Once every migration is found applied, this process does not read the migration files again
# (a migration is applied before the new code starts serving).
_migrations_applied = False


def check_database() -> str:
    """ "ok", or "unreachable" when `SELECT 1` fails."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("readiness: the database does not answer", exc_info=True)
        return "unreachable"
    return "ok"


def check_migrations() -> str:
    """ "ok", or "N not applied" for the migrations the code has and the database has not."""
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    try:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return "unknown (the database does not answer)"
    if plan:
        return f"{len(plan)} not applied"
    _migrations_applied = True
    return "ok"


def check_cache() -> str:
    """ "ok", or "unreachable" when the cache does not store and return a value."""
    key = f"clientbase:readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception:  # the backends raise their own errors (redis.ConnectionError, OSError)
        logger.warning("readiness: the cache does not answer", exc_info=True)
        return "unreachable"
    return "ok" if ok else "unreachable"


def readiness() -> dict[str, str]:
    """Every readiness check by name: {"database": "ok", "migrations": "ok", "cache": "ok"}."""
    database = check_database()
    return {
        "database": database,
        "migrations": check_migrations() if database == "ok" else "unknown (the database does not answer)",
        "cache": check_cache(),
    }


def health_answer(request: HttpRequest) -> HttpResponse | None:
    """The answer of `/healthz` or `/readyz`, or None for any other path."""
    if request.path not in (HEALTH_PATH, READY_PATH):
        return None
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"detail": "Only GET and HEAD."}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    if request.path == HEALTH_PATH:
        response = JsonResponse({"status": "ok"})
    else:
        checks = readiness()
        ready = all(value == "ok" for value in checks.values())
        response = JsonResponse({"status": "ready" if ready else "not ready", "checks": checks})
        if not ready:
            response.status_code = 503
            response["Retry-After"] = "5"
    response["Cache-Control"] = "no-store"
    if request.method == "HEAD":  # the status and headers alone (a body would be logged as sent in vain)
        response.content = b""
    return response


class HealthMiddleware:
    """Answers `/healthz` and `/readyz` before every other middleware (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return health_answer(request) or self.get_response(request)
