"""Optimistic concurrency: every record that people edit carries a `version` that each save
increments. The API answers it as an `ETag` and refuses a write whose `If-Match` names an older one
(412); staff forms carry it and refuse a stale save.

How a write service uses it: inside its transaction, before any check or change,
`lock(instance, expected_version=...)` re-reads the row locked (so two writers never both start from
the same version) and raises `Stale` when the caller named a version that is no longer current.
`Versioned.save()` counts from the stored version under the same lock, so no write is ever lost
from the count, whatever path it takes."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, ClassVar, Self, TypeVar

from django.db import models, router, transaction
from django.db.models import F, Q
from django.db.models.signals import pre_delete

from clientbase.errors import NotFound, Stale

# What a caller says it last saw: None (no check: a write without If-Match, as before), one
# version, or several (an If-Match list; any of them matches). An empty collection never matches.
ExpectedVersion = int | Collection[int] | None

V = TypeVar("V", bound="Versioned")
M = TypeVar("M", bound=models.Model)


class VersionedQuerySet(models.QuerySet[M]):
    """A bulk `update()` changes every row it touches: their versions go up by one as well (in the
    same statement), unless the caller sets `version` itself."""

    def update(self, **kwargs: Any) -> int:
        kwargs.setdefault("version", F("version") + 1)
        return super().update(**kwargs)


class VersionedManager(models.Manager[M]):
    def get_queryset(self) -> VersionedQuerySet[M]:
        return VersionedQuerySet(self.model, using=self._db)


class Versioned(models.Model):
    """Abstract base: `version` starts at 1 and goes up by one with every save of the row, every
    bulk update of it (`VersionedQuerySet`) and every reference of it that a deletion elsewhere
    sets to null (`_bump_rows_losing_a_reference`)."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Goes up by one with every change; answered as the ETag."
    )

    objects: ClassVar[VersionedManager[Self]] = VersionedManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            # Count from the stored version, read under the row lock (on SQLite the IMMEDIATE
            # transaction holds the write lock already), not from this copy, which may be old.
            stored = (
                type(self)
                ._base_manager.using(using)
                .select_for_update()
                .filter(pk=self.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.version = (stored if stored is not None else self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            super().save(*args, **kwargs)


_KEEPS_THE_ROW = (models.CASCADE, models.PROTECT, models.RESTRICT, models.DO_NOTHING)


def _bump_rows_losing_a_reference(
    sender: type[models.Model], instance: models.Model, using: str, **kwargs: Any
) -> None:
    """Deleting an object sets the references to it to null (SET_NULL, SET_DEFAULT, SET()) without
    saving the rows that hold them; those rows changed, so their versions go up too (once per row,
    however many of its references the deletion clears)."""
    losing: dict[type[Versioned], Q] = {}
    for relation in sender._meta.related_objects:
        model = relation.related_model
        if (
            relation.many_to_many
            or relation.on_delete in _KEEPS_THE_ROW
            or not isinstance(model, type)
            or not issubclass(model, Versioned)
        ):
            continue
        condition = Q(**{relation.field.name: instance})
        losing[model] = losing[model] | condition if model in losing else condition
    for model, condition in losing.items():
        model._base_manager.using(using).filter(condition).update(version=F("version") + 1)


pre_delete.connect(_bump_rows_losing_a_reference, dispatch_uid="clientbase.versions.bump_references")


def expected_versions(expected_version: ExpectedVersion) -> tuple[int, ...] | None:
    """`expected_version` as a tuple of versions, or None for "no check"."""
    if expected_version is None:
        return None
    if isinstance(expected_version, int):
        return (expected_version,)
    return tuple(expected_version)


def check_version(instance: Versioned, expected_version: ExpectedVersion) -> None:
    """Stale unless `instance.version` is one of the versions expected (None: no check)."""
    expected = expected_versions(expected_version)
    if expected is not None and instance.version not in expected:
        raise Stale(instance, expected)


def lock(instance: V, *, expected_version: ExpectedVersion = None) -> V:
    """`instance` as stored now, read with its row locked until the surrounding transaction ends
    (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
    database's write lock), after comparing its version with `expected_version`.

    Call it inside the service's transaction, before any rule check or change, and go on with the
    copy it answers (the caller's object is left as it was), so that the checks see the current
    row and two writers naming the same version cannot both pass. Raises NotFound when the row is
    gone, Stale when its version is not one expected."""
    model = type(instance)
    using = instance._state.db or router.db_for_write(model, instance=instance)
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("versions.lock() needs the write's transaction (call it inside the service).")
    current = model._base_manager.using(using).select_for_update().filter(pk=instance.pk).first()
    if current is None:
        raise NotFound(f"This {model._meta.verbose_name} no longer exists.")
    check_version(current, expected_version)
    return current


def changes_since(instance: Versioned, version: int) -> list[dict[str, Any]] | None:
    """What was recorded for `instance` after `version`, oldest first, from its history
    (django-simple-history): `[{"version", "at", "user" (a User or None), "type" ("changed" or
    "deleted"), "changes": [{"field", "old", "new", "old_value", "new_value"}]}]`; `old` and `new`
    show related objects by their name, `old_value` and `new_value` are the values as the model
    holds them (related objects as objects, many-to-many links as a list of ids). None when the
    model keeps no history."""
    model = type(instance)
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        return None
    records = list(
        history.filter(**{model._meta.pk.attname: instance.pk}, version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    entries = []
    for record in records:
        previous = record.prev_record
        changes: list[dict[str, Any]] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, foreign_keys_are_objs=True)
            for change in delta.changes:
                old, new = _shown(model, change.field, change.old), _shown(model, change.field, change.new)
                if old != new:
                    changes.append(
                        {
                            "field": change.field,
                            "old": old,
                            "new": new,
                            "old_value": _value(model, change.field, change.old),
                            "new_value": _value(model, change.field, change.new),
                        }
                    )
        entries.append(
            {
                "version": record.version,
                "at": record.history_date,
                "user": record.history_user,
                "type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "changes": changes,
            }
        )
    return entries


def _value(model: type[models.Model], name: str, value: Any) -> Any:
    """A recorded value as the model holds it; many-to-many links as the ids linked."""
    field = model._meta.get_field(name)
    if isinstance(field, models.ManyToManyField) and isinstance(value, list):
        key = field.m2m_reverse_field_name()
        return sorted(item[key] for item in value if isinstance(item, dict) and key in item)
    return value


def _shown(model: type[models.Model], name: str, value: Any) -> Any:
    """A recorded value as plain data: related objects by name, many-to-many links as the sorted
    names of the objects linked."""
    field = model._meta.get_field(name)
    if isinstance(field, models.ManyToManyField) and isinstance(value, list):
        key = field.m2m_reverse_field_name()
        ids = [item[key] for item in value if isinstance(item, dict) and key in item]
        names = field.related_model._base_manager.in_bulk(ids)  # type: ignore[union-attr]
        return sorted(str(names.get(pk, f"#{pk}")) for pk in ids)
    if isinstance(value, models.Model) or (field.is_relation and value is not None):
        return str(value)
    return value
