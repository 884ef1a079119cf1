"""The small steps every service takes to change a model: apply the given values, validate them
with the model's own rules, save, and turn a database refusal into a `Conflict`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, RestrictedError

from clientbase import text
from clientbase.errors import Conflict, ValidationFailed, conflict_from_integrity_error


def apply_values(instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set the `fields` present in `data` on `instance`; answer the names that changed. Text is
    compared and set in NFC (`clientbase.text.nfc`), so the same text in another Unicode form is
    no change; `validate` refuses what text may not hold."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        field = instance._meta.get_field(name)
        if text.is_text_field(field):
            with contextlib.suppress(DjangoValidationError):  # refused by `validate`, with its message
                value = text.clean_value(field, value)
        attname = getattr(field, "attname", name)
        if isinstance(field, models.ForeignKey):
            current = getattr(instance, attname)
            new = value.pk if isinstance(value, models.Model) else value
            if current != new:
                if isinstance(value, models.Model) or value is None:
                    setattr(instance, name, value)
                else:
                    setattr(instance, attname, value)
                changed.append(name)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def validate(instance: models.Model, exclude: Iterable[str] = ()) -> None:
    """Apply the text rules of `clientbase.text` to every text field (NFC; no control, bidi or
    zero-width characters; no line break in a single-line field), then run the model's
    `full_clean()` (field rules, normalisation, constraints). ValidationFailed with per-field
    messages when anything is wrong. A field whose text is refused is left out of `full_clean()`,
    so no query ever carries it."""
    excluded = list(exclude)
    text_errors = text.clean_instance(instance, excluded)
    try:
        instance.full_clean(exclude=[*excluded, *text_errors])
    except DjangoValidationError as error:
        raise ValidationFailed({**ValidationFailed.from_django(error).errors, **text_errors}) from error
    if text_errors:
        raise ValidationFailed(text_errors)


@contextlib.contextmanager
def refusals_as_conflicts() -> Iterator[None]:
    """A constraint or trigger refusing the change becomes a Conflict; the surrounding transaction
    is rolled back by the caller's atomic block, so nothing is half-applied."""
    try:
        with transaction.atomic():
            yield
    except (ProtectedError, RestrictedError) as error:
        raise Conflict(still_referenced_message(error)) from error
    except IntegrityError as error:
        raise conflict_from_integrity_error(error) from error


def still_referenced_message(error: ProtectedError | RestrictedError) -> str:
    """“This is still referenced by 3 contacts and 1 location; delete or move them first.”"""
    objects = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    counts: dict[type[models.Model], int] = {}
    for obj in objects:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    parts = [
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in sorted(counts.items(), key=lambda item: str(item[0]._meta.verbose_name))
    ]
    return f"This is still referenced by {' and '.join(parts)}; delete or move them first."


@contextlib.contextmanager
def one_history_record(instance: models.Model, records: Any, history_type: str) -> Iterator[None]:
    """Several writes (the row, its many-to-many links) recorded as one history entry, written
    once they all succeeded. `records` is the model's HistoricalRecords."""
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    records.create_historical_record(instance, history_type)


def set_acting_user(instance: models.Model, user: Any) -> None:
    """Let django-simple-history record who made this change."""
    instance._history_user = user if getattr(user, "is_authenticated", False) else None  # type: ignore[attr-defined]
