"""Assertions the tests share: a refusal leaves the database as it was; a refusal of the database
names the rule (constraint or trigger) that refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet, UniqueConstraint

Rows = dict[tuple[str, Any], dict[str, Any]]


def _queryset(subject: Any) -> QuerySet:
    if isinstance(subject, QuerySet):
        return subject.all()
    if isinstance(subject, Model):
        return type(subject)._base_manager.filter(pk=subject.pk)
    if isinstance(subject, type) and issubclass(subject, Model):
        return subject._base_manager.all()
    raise TypeError(f"Not a model instance, queryset or model: {subject!r}")


def rows_of(*subjects: Any) -> Rows:
    """Every row of `subjects` (model instances, querysets, or models: their whole tables), read
    from the database now: {(model label, pk): {field: value}}."""
    rows: Rows = {}
    for subject in subjects:
        queryset = _queryset(subject)
        meta = queryset.model._meta
        for row in queryset.order_by("pk").values():
            rows[(meta.label, row[meta.pk.attname])] = row
    return rows


def _differences(before: Rows, after: Rows) -> list[str]:
    lines = [f"{key} is gone" for key in before if key not in after]
    lines += [f"{key} is new" for key in after if key not in before]
    for key, row in before.items():
        if key in after and after[key] != row:
            changed = {
                name: (row[name], after[key].get(name)) for name in row if after[key].get(name) != row[name]
            }
            lines.append(f"{key} changed: {changed}")
    return lines


@contextmanager
def assert_unchanged(*subjects: Any) -> Iterator[None]:
    """Assert that the block leaves the rows of `subjects` as they were: the same rows, every field
    the same value, re-read from the database after the block (a model stands for its whole table,
    so no row is added to it either)."""
    before = rows_of(*subjects)
    yield
    after = rows_of(*subjects)
    assert after == before, "a refusal changed the database: " + "; ".join(_differences(before, after))


def refusal_texts(model: type[Model], rule: str) -> list[str]:
    """The texts by which PostgreSQL or SQLite name `rule` of `model` when they refuse a write: a
    constraint of its Meta by its name, a UniqueConstraint also by its columns ("UNIQUE constraint
    failed: table.a, table.b", as SQLite words every unique refusal), a field with unique=True by
    the name the database gave its constraint and by its column; anything else (a trigger's
    message) as it is."""
    meta = model._meta
    texts = [rule]
    declared = {constraint.name: constraint for constraint in meta.constraints}
    columns: list[str] = []
    if isinstance(declared.get(rule), UniqueConstraint):
        columns = [meta.get_field(name).column for name in declared[rule].fields]
    elif rule in {field.name for field in meta.concrete_fields if field.unique}:
        columns = [meta.get_field(rule).column]
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, meta.db_table)
        texts = [
            f'"{name}"'
            for name, info in found.items()
            if info["unique"] and not info["primary_key"] and info["columns"] == columns
        ]
    if columns:
        texts.append(
            "UNIQUE constraint failed: " + ", ".join(f"{meta.db_table}.{column}" for column in columns)
        )
    return texts


def assert_refused_by(error: BaseException, model: type[Model], rule: str) -> None:
    """Assert that the database refusal `error` names `rule` of `model` (see `refusal_texts`), on
    PostgreSQL and SQLite alike: so that a test of one rule fails when another one refused."""
    text = str(error)
    texts = refusal_texts(model, rule)
    assert any(candidate in text for candidate in texts), (
        f"{connection.vendor} refused with {text!r}, naming none of {texts}"
    )
