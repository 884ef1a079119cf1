"""Schema changes on SQLite next to triggers.

SQLite rebuilds a table for most schema changes (a new table, a copy, a drop, a rename), and the
rename fails while any trigger of the database names the dropped table ("error in trigger ...: no
such table"). A migration that rebuilds tables which triggers of any app name starts with
`set_triggers_aside()` and ends with `restore_triggers()`: every trigger is dropped and then created
again from its own stored SQL, whichever app made it. PostgreSQL alters tables in place, so both
steps do nothing there."""

from __future__ import annotations

from django.db import migrations

_ASIDE: list[tuple[str, str]] = []


def _set_aside(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        triggers = cursor.fetchall()
    _ASIDE[:] = triggers
    for name, _sql in triggers:
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def _restore(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for _name, sql in _ASIDE:
        schema_editor.execute(sql)
    _ASIDE.clear()


def set_triggers_aside() -> migrations.RunPython:
    return migrations.RunPython(_set_aside, _restore)


def restore_triggers() -> migrations.RunPython:
    return migrations.RunPython(_restore, _set_aside)
