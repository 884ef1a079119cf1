"""The one translation of service errors and database refusals into HTTP answers, and the one
table of those answers (`ERROR_ANSWERS`), from which the OpenAPI description declares each
operation's error answers (`clientbase.api.schema`)."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from clientbase.audit import events
from clientbase.errors import (
    BUSY_MESSAGE,
    BUSY_RETRY_AFTER,
    Conflict,
    Forbidden,
    NotFound,
    ServiceError,
    Stale,
    Throttled,
    ValidationFailed,
    conflict_from_integrity_error,
    is_busy_database_error,
)

logger = logging.getLogger(__name__)


# The error answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorAnswer:
    """One kind of error answer of the API: its status, the name of its OpenAPI components
    (`components/responses/<name>`, its body `components/schemas/<name>`), what it means, whether
    its body may name fields (`{"field": ["message"]}`, besides `{"detail": "..."}`) and whether it
    carries `Retry-After` (whole seconds). `respond` makes the answer; the exception handler answers
    every error through it, and `clientbase.api.schema` declares the same answers per operation."""

    status: int
    name: str
    description: str
    fields: bool = False
    retry_after: bool = False

    def respond(self, body: Any, *, retry_after: float | None = None) -> Response:
        """The answer: `body` (a message is sent as `{"detail": message}`) with this status, and
        `Retry-After` (at least 1 second; 1 when unknown) when the answer carries one."""
        if isinstance(body, str):
            body = {"detail": body}
        headers = {}
        if self.retry_after:
            headers["Retry-After"] = str(max(1, math.ceil(retry_after or 1)))
        return Response(body, status=self.status, headers=headers)


BAD_REQUEST = ErrorAnswer(
    400,
    "BadRequest",
    "The request was refused as it stands; nothing changed. Field errors name each field "
    '(`{"field": ["message"]}`, `{"non_field_errors": [...]}` for the whole body, nested for nested '
    'fields); a malformed body, header or parameter is `{"detail": "..."}` (a query parameter is '
    "named as a field).",
    fields=True,
)
UNAUTHORIZED = ErrorAnswer(
    401,
    "Unauthorized",
    "No valid credentials: a missing, unknown or ended token (a portal user's token also while its "
    "portal access is not current, with the reason), or no session.",
)
FORBIDDEN = ErrorAnswer(
    403,
    "Forbidden",
    "The caller may not do this (to this visible object, or this field: named in `detail`); nothing "
    "changed. Recorded in the audit log.",
)
NOT_FOUND = ErrorAnswer(
    404,
    "NotFound",
    "No such object, or one outside the caller's scope (both read the same).",
)
METHOD_NOT_ALLOWED = ErrorAnswer(
    405,
    "MethodNotAllowed",
    "This path does not take this method; `Allow` lists those it takes.",
)
NOT_ACCEPTABLE = ErrorAnswer(406, "NotAcceptable", "No answer in a media type the `Accept` header allows.")
CONFLICT = ErrorAnswer(
    409,
    "Conflict",
    "A rule or the current state stands in the way (the reason in `detail`); nothing changed.",
)
PRECONDITION_FAILED = ErrorAnswer(
    412,
    "PreconditionFailed",
    "The object changed since the version named in `If-Match` (`detail` names the version sent and "
    "the current one); nothing changed.",
)
UNSUPPORTED_MEDIA_TYPE = ErrorAnswer(
    415, "UnsupportedMediaType", "A body in a media type this operation does not read."
)
TOO_MANY_REQUESTS = ErrorAnswer(
    429,
    "TooManyRequests",
    "Asked for too often (or a sign-in name or address locked out); nothing was done. Try again "
    "after `Retry-After` seconds.",
    retry_after=True,
)
SERVICE_UNAVAILABLE = ErrorAnswer(
    503,
    "ServiceUnavailable",
    f"{BUSY_MESSAGE} (`Retry-After`: {BUSY_RETRY_AFTER} seconds.)",
    retry_after=True,
)

# Every error answer of the API, by status.
ERROR_ANSWERS: dict[int, ErrorAnswer] = {
    answer.status: answer
    for answer in (
        BAD_REQUEST,
        UNAUTHORIZED,
        FORBIDDEN,
        NOT_FOUND,
        METHOD_NOT_ALLOWED,
        NOT_ACCEPTABLE,
        CONFLICT,
        PRECONDITION_FAILED,
        UNSUPPORTED_MEDIA_TYPE,
        TOO_MANY_REQUESTS,
        SERVICE_UNAVAILABLE,
    )
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors and database refusals as API.md says, each through its `ErrorAnswer`: 400
    {field: [messages]}, 403, 404, 409 {"detail": ...}, 412 {"detail": ...} for a write whose
    If-Match names an old version, 429 {"detail": ...} with `Retry-After` when a service throttles
    (`Throttled`) or a DRF throttle or sign-in lockout refuses, 503 {"detail": ...} with
    `Retry-After` when the database is busy (`is_busy_database_error`: a lock wait timed out, a
    deadlock; nothing was saved); never a 500 for anything a client sent."""
    if isinstance(exc, Stale):
        return PRECONDITION_FAILED.respond(exc.message)
    if isinstance(exc, Throttled):
        return TOO_MANY_REQUESTS.respond(exc.message, retry_after=exc.retry_after)
    if isinstance(exc, ValidationFailed):
        return BAD_REQUEST.respond(exc.errors)
    if isinstance(exc, NotFound):
        return NOT_FOUND.respond(exc.message)
    if isinstance(exc, Forbidden):
        _record_refusal(context, exc.message)
        return FORBIDDEN.respond(exc.message)
    if isinstance(exc, Conflict | ServiceError):
        return CONFLICT.respond(exc.message)
    if is_busy_database_error(exc):
        logger.warning("database busy, answered 503: %s", exc)
        return SERVICE_UNAVAILABLE.respond(BUSY_MESSAGE, retry_after=BUSY_RETRY_AFTER)
    if isinstance(exc, IntegrityError):
        logger.info("database refused a change: %s", exc)
        return CONFLICT.respond(conflict_from_integrity_error(exc).message)
    if isinstance(exc, ProtectedError):
        return CONFLICT.respond("The object is still referenced by other records.")
    if isinstance(exc, OverflowError | DataError):
        # A number or text the database cannot hold; the input checks should have said so first.
        logger.warning("input the database could not hold: %s", exc)
        return BAD_REQUEST.respond("A value in the request is out of range.")
    if isinstance(exc, RecursionError):
        # A value nested too deeply to read (e.g. JSON inside a form field, which DRF's JSONField
        # parses itself, past the parser's nesting check).
        logger.warning("input nested too deeply: %s", context.get("request") and context["request"].path)
        return BAD_REQUEST.respond("A value in the request is nested too deeply.")
    if isinstance(exc, DjangoValidationError):
        return BAD_REQUEST.respond(ValidationFailed.from_django(exc).errors)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.Throttled) and response is not None:
        # DRF leaves Retry-After out for a wait under a second, or rounds it down to 0.
        response["Retry-After"] = str(max(1, math.ceil(getattr(exc, "wait", None) or 1)))
    if isinstance(exc, exceptions.PermissionDenied) or (
        response is not None and response.status_code == status.HTTP_403_FORBIDDEN
    ):
        _record_refusal(context, str(getattr(exc, "detail", exc)))
    return response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 for a path no route takes: under `/api/` the API's `{"detail": ...}` as JSON
    (as `NOT_FOUND` answers), elsewhere Django's 404 page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=NOT_FOUND.status)
    return defaults.page_not_found(request, exception)


def _record_refusal(context: dict[str, Any], reason: str) -> None:
    """Every 403 the API answers goes to the audit log, with the path and method."""

    request = context.get("request")
    if request is not None:
        events.record_refusal(request, reason, surface="api")
