"""Optimistic concurrency: every record that people edit carries a `version` that each save
increments. The API answers it as an `ETag` and refuses a write whose `If-Match` names an older one
(412); staff forms carry it and refuse a stale save.

How a write service uses it: inside its transaction, before any check or change,
`lock(instance, expected_version=...)` re-reads the row locked (so two writers never both start from
the same version) and raises `Stale` when the caller named a version that is no longer current.
`Versioned.save()` counts from the stored version (compare and set), so no write is ever lost from
the count, whatever path it takes."""

from __future__ import annotations

from collections.abc import Collection, Iterable
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
        """Save with `version` one above the stored one. The UPDATE names the version this copy
        holds (`… WHERE id = %s AND version = %s`): when the row is still at it (always, after
        `lock()`) that one statement is the whole save; when the copy is older, the stored version
        is read and the UPDATE tried again from it (`_do_update`), so no write is lost from the
        count, whatever path it takes."""
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        self._saving_from = self.version or 0
        self.version = self._saving_from + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        try:
            super().save(*args, **kwargs)
        finally:
            del self._saving_from

    def _do_update(
        self,
        base_qs: models.QuerySet[Any],
        using: str | None,
        pk_val: Any,
        values: Collection[tuple[models.Field[Any, Any], type[models.Model] | None, Any]],
        update_fields: Iterable[str] | None,
        forced_update: bool,
    ) -> bool:
        """Django's UPDATE of this row, on the condition that it is still at the version this copy
        was read at (compare and set); a row found at another version is read again and the
        UPDATE repeated from there. False only when the row is gone (Django then decides, as for
        any model)."""
        expected = getattr(self, "_saving_from", None)
        if expected is None:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        while True:
            at_expected = base_qs.filter(version=expected)
            if super()._do_update(at_expected, using, pk_val, values, update_fields, forced_update):
                return True
            stored = base_qs.filter(pk=pk_val).values_list("version", flat=True).first()
            if stored is None:
                return False
            expected, self.version = stored, stored + 1
            values = [
                (field, model, self.version if field.attname == "version" else value)
                for field, model, value in values
            ]


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


def lock_rows(queryset: models.QuerySet[Any]) -> list[Any]:
    """Lock the rows of `queryset` until the surrounding transaction ends, reading only their ids
    (answered). SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction holds the
    database's write lock already. For rules that span rows (one primary contact per customer, the
    last portal administrator, a revert's objects), whose writers all lock the same row first."""
    return list(queryset.select_for_update().values_list("pk", flat=True))
