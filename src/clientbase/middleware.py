"""A busy database is a 503, never a 500, on every page.

`BusyDatabaseMiddleware.process_exception` sees every exception a view lets out, including one
raised when a transaction commits (services commit inside the view: ATOMIC_REQUESTS is off). For a
busy database (`clientbase.errors.is_busy_database_error`: a lock wait longer than
CLIENTBASE_DB_LOCK_TIMEOUT, a deadlock, a serialization failure) it answers 503 with `Retry-After`
and `clientbase.errors.BUSY_MESSAGE`: a page (`503.html`) for a browser, the message alone for
htmx, `{"detail": ...}` under `/api/` (where the API's own exception handler normally answers
first). The failed transaction was rolled back by its atomic block, so nothing was saved; the
answer writes nothing to the database.

A shared cache that does not answer (Redis down or unreachable, `REDIS_URL`: sign-in throttles and
lockouts live there) is a 503 the same way, with `CACHE_DOWN_MESSAGE`: signing in waits until it
answers again, as `/readyz` says. Every other exception goes on as before."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from clientbase.errors import BUSY_MESSAGE, BUSY_RETRY_AFTER, is_busy_database_error

logger = logging.getLogger(__name__)

CACHE_DOWN_MESSAGE = (
    "This service is briefly unavailable: its shared cache does not answer. Nothing was saved; "
    "try again in a moment."
)


def is_cache_unavailable_error(exc: BaseException) -> bool:
    """Whether `exc` is the shared cache (Redis) not answering: refused, reset or timed out."""
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis is a dependency
        return False
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)


class BusyDatabaseMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_busy_database_error(exception):
            logger.warning(
                "database busy, answered 503 to %s %s: %s", request.method, request.path, exception
            )
            message = BUSY_MESSAGE
        elif is_cache_unavailable_error(exception):
            logger.error(
                "the shared cache does not answer, 503 to %s %s: %s", request.method, request.path, exception
            )
            message = CACHE_DOWN_MESSAGE
        else:
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        elif getattr(request, "htmx", False):
            from clientbase.pages import message_response

            response = message_response(request, "error", message, 503)
        else:
            response = render(request, "503.html", {"message": message}, status=503)
        response["Retry-After"] = str(BUSY_RETRY_AFTER)
        return response
