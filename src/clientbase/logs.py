"""The request id in every log line, and the log format chosen by setting.

- `RequestIdMiddleware`: each request gets an id: the `X-Request-ID` header a proxy sent, when it
  is 1 to 64 characters of letters, digits, `.`, `_` and `-`, else a new one (32 hex digits); it is
  answered in the response's `X-Request-ID` header and attached to every log record written while
  the request is served (`RequestIdFilter`: `record.request_id`, "-" outside a request), Django's
  own lines about the request (`django.request`: 4xx and 5xx answers) included.
- `CLIENTBASE_LOG_FORMAT=json`: one JSON object per line (python-json-logger) with `time`, `level`,
  `logger`, `message`, `request_id` and any extra fields; `text` (default): `time level logger
  [request id] message`. gunicorn's access log follows the same format (`clientbase serve`)."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("clientbase_request_id", default="-")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s"
JSON_RENAMES = {"asctime": "time", "levelname": "level", "name": "logger"}


def request_id() -> str:
    """The id of the request being served in this context ("-" outside a request)."""
    return _current.get()


class RequestIdFilter(logging.Filter):
    """Sets `record.request_id` (see the module); lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django writes its own lines about a request ("Unauthorized: /api/...") once the
            # middleware has answered: the request they carry still knows its id.
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or _current.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sent = request.headers.get(HEADER, "")
        rid = sent if _SAFE.fullmatch(sent) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        token = _current.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = rid
        return response


def formatter_config(log_format: str) -> dict[str, Any]:
    """The `formatters` entry of a logging dictConfig for "text" or "json"."""
    if log_format == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": JSON_RENAMES,
        }
    return {"format": TEXT_FORMAT}


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: every record to stderr through the request-id filter, in `log_format`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "clientbase.logs.RequestIdFilter"}},
        "formatters": {"clientbase": formatter_config(log_format)},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "clientbase",
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }
