"""The errors services raise. Translated once: in `clientbase.api.exception_handler` for the API and
in `clientbase.pages.ServiceErrorMixin` for pages."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""

    default_message = "The request could not be carried out."

    def __init__(self, message: str | None = None):
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(ServiceError):
    """The object does not exist, or the caller may not see it (both read the same)."""

    default_message = "Not found."


class Forbidden(ServiceError):
    """The caller sees the object but may not do this to it."""

    default_message = "You do not have permission to perform this action."


class FieldForbidden(Forbidden):
    """The caller may change the object, but not its `field` (named in the message as well):
    `clientbase.access.require_fields`. Answered as any Forbidden (403); an import reports it
    against that column."""

    def __init__(self, field: str, message: str | None = None):
        self.field = field
        super().__init__(message)


class Conflict(ServiceError):
    """A rule or a concurrent change stands in the way; nothing was changed."""

    default_message = "The request conflicts with the current state."


class FieldConflict(Conflict):
    """A conflict over the value of one `field` (another object holds it): answered as any
    Conflict (409); an import reports it against that column."""

    def __init__(self, field: str, message: str | None = None):
        self.field = field
        super().__init__(message)


class Stale(Conflict):
    """The caller's copy is out of date: the object changed since the version the caller named
    (the API's `If-Match`, a form's hidden `version`). Nothing was changed. The API answers 412;
    a page shows what changed since (`clientbase.history.changes_since`).

    `instance` is the object as it is now (read under the row lock), `expected` the versions the
    caller named (empty when it named only tags that can never match)."""

    def __init__(self, instance: Any, expected: Sequence[int]):
        self.instance: Any = instance
        self.expected = tuple(expected)
        self.current_version: int = getattr(instance, "version", 0)
        meta = getattr(instance, "_meta", None)
        name = str(meta.verbose_name) if meta is not None else "object"
        if self.expected:
            versions = ", ".join(str(version) for version in self.expected)
            since = f" since version {versions}" if len(self.expected) == 1 else f" since versions {versions}"
        else:
            since = ""
        super().__init__(
            f"This {name} was changed by someone else{since}; it is now at version "
            f"{self.current_version}. Nothing was saved: load it again and reapply your change."
        )


class Throttled(ServiceError):
    """The same thing was asked for too often: refused until `retry_after` seconds (a whole number,
    at least 1) have passed; nothing was done. The message says when to try again. The API answers
    429 with `Retry-After`; a page shows the message as it shows a Conflict's."""

    default_message = "This was asked for too often; try again later."

    def __init__(self, message: str | None = None, *, retry_after: float = 60):
        self.retry_after = max(1, math.ceil(retry_after))
        super().__init__(message)


def wait_text(seconds: float) -> str:
    """A wait in words, rounded up: "30 seconds", "1 minute", "5 minutes", "2 hours"."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        amount, unit = seconds, "second"
    elif seconds < 2 * 3600:
        amount, unit = math.ceil(seconds / 60), "minute"
    else:
        amount, unit = math.ceil(seconds / 3600), "hour"
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


class ValidationFailed(ServiceError):
    """Bad input: `errors` maps field names (or `non_field_errors`) to messages."""

    default_message = "Invalid input."

    def __init__(self, errors: Mapping[str, Sequence[str] | str] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors: dict[str, list[str]] = {
            field: [messages] if isinstance(messages, str) else [str(m) for m in messages]
            for field, messages in errors.items()
        }
        first = next(iter(self.errors.values()), [self.default_message])
        super().__init__(first[0] if first else self.default_message)

    @classmethod
    def from_django(cls, error: DjangoValidationError) -> ValidationFailed:
        if hasattr(error, "error_dict"):
            return cls(
                {
                    ("non_field_errors" if field == "__all__" else field): [
                        str(message) for e in errors for message in e
                    ]
                    for field, errors in error.error_dict.items()
                }
            )
        return cls({"non_field_errors": [str(m) for m in error.messages]})


# What the database says when a constraint or trigger refuses a change, in words a user understands.
# The key is a substring of the database's error message; the longest key found wins.
#
# - Constraints speak for themselves: every `Meta.constraints` entry with a `violation_error_message`
#   and every unique field with an `error_messages["unique"]` of its own is read from the models
#   (`constraint_messages`), under the names each database uses: the constraint's name (PostgreSQL;
#   SQLite for check constraints and partial unique indexes), "UNIQUE constraint failed: table.column"
#   (SQLite for a plain unique constraint or field) and "table_column_key" (PostgreSQL, unique field).
# - Triggers have no such place: the apps register their words (`register_constraint_messages`),
#   keyed by the text the trigger raises.
TRIGGER_MESSAGES: dict[str, str] = {
    "location belongs to another customer": "A contact's locations must belong to the contact's customer.",
    "reports_to belongs to another customer": "A contact's line manager must belong to the same customer.",
    "reports_to would form a cycle": "The line manager would form a reporting cycle.",
    "contact still reports to": "Contacts report to this contact across customers; change them first.",
    "FOREIGN KEY constraint failed": "The object is still referenced by other records.",
    "violates foreign key constraint": "The object is still referenced by other records.",
}
_from_models: dict[str, str] | None = None


def register_constraint_messages(messages: Mapping[str, str]) -> None:
    """Let an app say in words what its own triggers refuse (from its AppConfig.ready()), keyed by
    the text the trigger raises. Constraints need no entry: see `constraint_messages`."""
    TRIGGER_MESSAGES.update(messages)


def constraint_messages() -> dict[str, str]:
    """Every known refusal: `{text the database says: message}`, from the installed models'
    constraints and unique fields (read once, after the apps are ready) and the registered
    triggers' words."""
    global _from_models
    if _from_models is None:
        from django.apps import apps
        from django.db.models import UniqueConstraint

        found: dict[str, set[str]] = {}
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            columns = {field.name: f"{table}.{field.column}" for field in model._meta.concrete_fields}
            for constraint in model._meta.constraints:
                message = str(constraint.violation_error_message)
                if message == str(constraint.default_violation_error_message):
                    continue
                found.setdefault(constraint.name, set()).add(message)
                if isinstance(constraint, UniqueConstraint) and constraint.fields:
                    named = ", ".join(columns[name] for name in constraint.fields)
                    found.setdefault(f"UNIQUE constraint failed: {named}", set()).add(message)
            for field in model._meta.concrete_fields:
                # The field's own words, not Django's default ("… with this … already exists.").
                unique_message = (getattr(field, "_error_messages", None) or {}).get("unique")
                if field.unique and not field.primary_key and unique_message:
                    found.setdefault(f"{table}_{field.column}_key", set()).add(str(unique_message))
                    found.setdefault(f"UNIQUE constraint failed: {columns[field.name]}", set()).add(
                        str(unique_message)
                    )
        # SQLite names a unique constraint by its columns: columns two rules share say nothing.
        _from_models = {key: next(iter(words)) for key, words in found.items() if len(words) == 1}
    return {**_from_models, **TRIGGER_MESSAGES}


def conflict_from_integrity_error(error: IntegrityError) -> Conflict:
    """Turn a database refusal into a Conflict with a clear message (`constraint_messages`). The
    longest matching key wins, so "work order location belongs to another customer" is not read
    as a contact's location."""
    text = str(error)
    messages = constraint_messages()
    for needle in sorted(messages, key=len, reverse=True):
        if needle in text:
            return Conflict(messages[needle])
    return Conflict("The change conflicts with data already stored and was not saved.")


# The database is busy ---------------------------------------------------------------------------------
#
# A write that waited for a lock longer than CLIENTBASE_DB_LOCK_TIMEOUT (settings.py) fails, and so
# may a transaction the database picked to break a deadlock or a serialization conflict. Nothing of
# it was saved: the failing statement ran inside `transaction.atomic` (every service write does;
# ATOMIC_REQUESTS is off), which rolls the whole transaction back, and a COMMIT that fails is rolled
# back by Django as well. Trying again moments later is the cure, so all of these are answered
# alike: 503 with `Retry-After: BUSY_RETRY_AFTER` and BUSY_MESSAGE, by the API's exception handler
# and, for pages, by `clientbase.middleware.BusyDatabaseMiddleware`. A deadlock is one of them, not
# a 409: no rule or concurrent change of the caller's object stands in the way, and the same
# request succeeds when repeated (no other error maps deadlocks anywhere).

BUSY_MESSAGE = "The database is busy with another change; nothing was saved. Try again in a moment."
# Seconds a client is told to wait (the `Retry-After` of a 503).
BUSY_RETRY_AFTER = 5
# SQLite's words for a lock it could not get in time (SQLITE_BUSY; SQLITE_LOCKED in shared cache).
SQLITE_BUSY_TEXTS = ("database is locked", "database table is locked")
# PostgreSQL: lock_not_available (lock_timeout), serialization_failure, deadlock_detected.
BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})


def is_busy_database_error(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy (see above), for SQLite and PostgreSQL alike:
    Django's OperationalError wraps the driver's error (its `__cause__`), which carries the
    SQLSTATE (psycopg's `sqlstate`, psycopg2's `pgcode`) or SQLite's error name and text. Any other
    error, a constraint refusing a change included, is not "busy"."""
    from django.db import OperationalError

    seen: BaseException | None = exc
    for _ in range(5):  # the error and the driver's error under it; never a long chain
        if seen is None:
            return False
        sqlstate = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if sqlstate in BUSY_SQLSTATES:
            return True
        if isinstance(seen, sqlite3.OperationalError):
            name = str(getattr(seen, "sqlite_errorname", "") or "")
            if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
                return True
        if isinstance(seen, OperationalError | sqlite3.OperationalError):
            text = str(seen).lower()
            if any(needle in text for needle in SQLITE_BUSY_TEXTS):
                return True
        seen = seen.__cause__
    return False
