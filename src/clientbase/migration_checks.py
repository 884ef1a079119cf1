"""Steps that migrations share: a check before a rule existing rows might break (it stops, naming
the rows, instead of cutting or changing what users wrote), and PostgreSQL's trigram indexes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import migrations
from django.db.models import Q
from django.db.models.functions import Length

from clientbase.text import search_document


def refuse_longer_texts(app_label: str, checked: list[tuple[str, str]], limit: int) -> migrations.RunPython:
    """A migration step that raises RuntimeError, naming up to 20 rows of each `(model, field)` in
    `checked`, when any of them holds more than `limit` characters (so that adding the length
    limit cannot fail half-way or cut text); nothing is changed. Reversing it does nothing."""

    def check(apps: Any, schema_editor: Any) -> None:
        longer: list[str] = []
        for model_name, field in checked:
            model = apps.get_model(app_label, model_name)
            ids = (
                model.objects.annotate(size=Length(field)).filter(size__gt=limit).values_list("pk", flat=True)
            )
            longer += [f"{model_name} {pk} ({field})" for pk in ids[:20]]
        if longer:
            raise RuntimeError(
                f"These texts are longer than {limit:,} characters, the most a field now holds: "
                f"{', '.join(longer)}. Shorten them, then run the migration again; nothing was changed."
            )

    return migrations.RunPython(check, migrations.RunPython.noop)


def trigram_index(table: str, column: str) -> migrations.RunPython:
    """PostgreSQL: a pg_trgm GIN index `<table>_<column>_trgm` on `column`, which a `LIKE
    '%word%'` on it uses (the extension created when missing); nothing on SQLite. Reversed by
    dropping the index."""
    name = f"{table}_{column}_trgm"

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def fill_search_documents(app_label: str, model_name: str, values: Any) -> migrations.RunPython:
    """A step that writes `search_document` of every stored row of the model, in batches of 2,000:
    `clientbase.text.search_document(*values(row))`."""

    def fill(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        batch = []
        for row in model.objects.all().iterator(chunk_size=2000):
            row.search_document = search_document(*values(row))
            batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["search_document"])
                batch.clear()
        if batch:
            model.objects.bulk_update(batch, ["search_document"])

    return migrations.RunPython(fill, migrations.RunPython.noop)


def fill_columns(
    app_label: str, model_name: str, columns: dict[str, Callable[[Any], str]], where: Q | None = None
) -> migrations.RunPython:
    """A step that writes each of `columns` (name: function of the row answering its value) of
    every stored row of the model (those matching `where`, when given), in batches of 2,000."""

    def fill(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        batch = []
        rows = model.objects.all() if where is None else model.objects.filter(where)
        for row in rows.iterator(chunk_size=2000):
            for name, value in columns.items():
                setattr(row, name, value(row))
            batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, list(columns))
                batch.clear()
        if batch:
            model.objects.bulk_update(batch, list(columns))

    return migrations.RunPython(fill, migrations.RunPython.noop)


def sqlite_trigram_table(table: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """SQLite: an FTS5 table `<table>_fts` with the trigram tokenizer over `columns` of `table`
    (external content: it holds the index, not a copy), filled from the stored rows and kept in
    step by triggers in the writing transaction, so `<table>_fts MATCH '"word"'` answers the ids
    of rows holding `word` anywhere (3 characters or more); nothing on PostgreSQL, whose trigram
    indexes are on the columns themselves (`trigram_index`). Reversed by dropping it all."""
    fts = f"{table}_fts"
    listed = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    remove = f"INSERT INTO {fts}({fts}, rowid, {listed}) VALUES ('delete', old.id, {old});"  # noqa: S608
    add = f"INSERT INTO {fts}(rowid, {listed}) VALUES (new.id, {new});"  # noqa: S608

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {fts} USING fts5({listed}, content='{table}', content_rowid='id', "
            "tokenize='trigram', detail='none')"
        )
        schema_editor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
        schema_editor.execute(f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN {add} END")
        schema_editor.execute(f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN {remove} END")
        schema_editor.execute(
            f"CREATE TRIGGER {fts}_update AFTER UPDATE OF {listed} ON {table} BEGIN {remove} {add} END"
        )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for trigger in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts}_{trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {fts}")

    return migrations.RunPython(create, drop)
