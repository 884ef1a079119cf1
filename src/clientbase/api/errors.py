"""The one translation of service errors and database refusals into HTTP answers."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.db.models import ProtectedError
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


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Service errors and database refusals as API.md says: 400 {field: [messages]}, 403, 404,
    409 {"detail": ...}, 412 {"detail": ...} for a write whose If-Match names an old version,
    429 {"detail": ...} with `Retry-After` when a service throttles (`Throttled`), 503
    {"detail": ...} with `Retry-After` when the database is busy (`is_busy_database_error`: a lock
    wait timed out, a deadlock; nothing was saved); never a 500 for anything a client sent."""
    if isinstance(exc, Stale):
        return Response({"detail": exc.message}, status=status.HTTP_412_PRECONDITION_FAILED)
    if isinstance(exc, Throttled):
        return Response(
            {"detail": exc.message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
            headers={"Retry-After": str(exc.retry_after)},
        )
    if isinstance(exc, ValidationFailed):
        return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound):
        return Response({"detail": exc.message}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, Forbidden):
        _record_refusal(context, exc.message)
        return Response({"detail": exc.message}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Conflict | ServiceError):
        return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
    if is_busy_database_error(exc):
        logger.warning("database busy, answered 503: %s", exc)
        return Response(
            {"detail": BUSY_MESSAGE},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(BUSY_RETRY_AFTER)},
        )
    if isinstance(exc, IntegrityError):
        logger.info("database refused a change: %s", exc)
        return Response(
            {"detail": conflict_from_integrity_error(exc).message}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, ProtectedError):
        return Response(
            {"detail": "The object is still referenced by other records."}, status=status.HTTP_409_CONFLICT
        )
    if isinstance(exc, OverflowError | DataError):
        # A number or text the database cannot hold; the input checks should have said so first.
        logger.warning("input the database could not hold: %s", exc)
        return Response(
            {"detail": "A value in the request is out of range."}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, RecursionError):
        # A value nested too deeply to read (e.g. JSON inside a form field, which DRF's JSONField
        # parses itself, past the parser's nesting check).
        logger.warning("input nested too deeply: %s", context.get("request") and context["request"].path)
        return Response(
            {"detail": "A value in the request is nested too deeply."}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, DjangoValidationError):
        return Response(ValidationFailed.from_django(exc).errors, status=status.HTTP_400_BAD_REQUEST)
    response = drf_exception_handler(exc, context)
    if isinstance(exc, exceptions.PermissionDenied) or (
        response is not None and response.status_code == status.HTTP_403_FORBIDDEN
    ):
        _record_refusal(context, str(getattr(exc, "detail", exc)))
    return response


def _record_refusal(context: dict[str, Any], reason: str) -> None:
    """Every 403 the API answers goes to the audit log, with the path and method."""

    request = context.get("request")
    if request is not None:
        events.record_refusal(request, reason, surface="api")
