"""Steps that migrations share: a check before a rule existing rows might break (it stops, naming
the rows, instead of cutting or changing what users wrote), and PostgreSQL's trigram indexes."""

from __future__ import annotations

from typing import Any

from django.db import migrations
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
