"""Conflicts inside one file (the same e-mail twice, two primaries for one customer), found before
anything is written. The values seen are kept in a private temporary SQLite database on disk, so
checking a file of a million rows takes no more memory than checking ten."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from dataclasses import dataclass

BATCH = 5000
MAX_ROWS_NAMED = 10


@dataclass(frozen=True)
class Key:
    """What must not repeat: `field` is the column the error names, `label` says it in words."""

    field: str
    label: str


class DuplicateFinder:
    """Collects (key, value, row) triples; `conflicts()` answers, for every row whose value of a key
    also appears in another row, the errors to report."""

    def __init__(self) -> None:
        # "" opens a private temporary database that lives in a file, deleted when closed.
        self._db = sqlite3.connect("")
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (field TEXT, label TEXT, value TEXT, shown TEXT, row INTEGER)")
        self._pending: list[tuple[str, str, str, str, int]] = []

    def add(self, key: Key, value: str, row: int, shown: str | None = None) -> None:
        """`value` is compared (already normalised); `shown` is how the message writes it."""
        self._pending.append((key.field, key.label, value, shown if shown is not None else value, row))
        if len(self._pending) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany("INSERT INTO seen VALUES (?, ?, ?, ?, ?)", self._pending)
            self._pending.clear()

    def conflicts(self) -> dict[int, list[tuple[str, str]]]:
        """row -> [(field, message)] for every row involved in a repetition."""
        self._flush()
        self._db.execute("CREATE INDEX seen_value ON seen (field, label, value)")
        found: dict[int, list[tuple[str, str]]] = defaultdict(list)
        groups = self._db.execute(
            # The value as the first of the rows wrote it.
            "SELECT field, label, (SELECT shown FROM seen AS first WHERE first.field = seen.field "
            "AND first.label = seen.label AND first.value = seen.value ORDER BY row LIMIT 1), "
            "GROUP_CONCAT(row) FROM seen GROUP BY field, label, value HAVING COUNT(*) > 1"
        )
        for field, label, shown, rows_text in groups.fetchall():
            rows = sorted(int(row) for row in rows_text.split(","))
            named = ", ".join(str(row) for row in rows[:MAX_ROWS_NAMED])
            if len(rows) > MAX_ROWS_NAMED:
                named += f" and {len(rows) - MAX_ROWS_NAMED} more"
            message = (
                f"{label.format(value=shown)} in more than one row ({named}); none of them was imported."
            )
            for row in rows:
                found[row].append((field, message))
        return dict(found)

    def close(self) -> None:
        self._db.close()
