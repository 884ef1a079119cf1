"""The SQLite database and its WAL and shared-memory files are readable by this user only.

SQLite creates a database file with the process's umask (commonly 0644: world-readable), and its
`-wal` and `-shm` files with the database file's permissions. The database holds password hashes,
API token digests and every customer's contacts, so `protect_sqlite_files` makes the three 0600
each time a connection opens (connected to `connection_created` by `ClientbaseConfig.ready`);
`settings.py` creates `var/` itself as 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

PRIVATE = 0o600
SUFFIXES = ("", "-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """chmod `path` to 0600 when it exists, is ours and is readable by others."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    if stat.S_IMODE(info.st_mode) & 0o077 and info.st_uid == os.getuid():
        path.chmod(PRIVATE)


def sqlite_files(name: str) -> list[Path]:
    """The database file named `name` and its companions (none for an in-memory database)."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return []
    base = Path(name)
    return [base.with_name(base.name + suffix) for suffix in SUFFIXES]


def protect_sqlite_files(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    for path in sqlite_files(str(connection.settings_dict.get("NAME") or "")):
        make_private(path)
