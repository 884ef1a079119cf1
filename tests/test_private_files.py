"""var/ is created readable by its owner only, and the SQLite database with its WAL and
shared-memory files too, whatever the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def load_settings(var_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(CLIENTBASE_VAR_DIR=str(var_dir), SECRET_KEY="")
    code = "import os; os.umask(0o022); import clientbase.settings"
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)


def test_var_is_created_0700_and_an_open_one_is_closed(tmp_path):
    fresh = tmp_path / "fresh" / "var"
    load_settings(fresh)
    assert mode(fresh) == 0o700
    assert mode(fresh / "secret_key") == 0o600
    existing = tmp_path / "existing"
    existing.mkdir(mode=0o755)
    existing.chmod(0o755)
    load_settings(existing)
    assert mode(existing) == 0o700


@pytest.mark.django_db
def test_the_sqlite_database_and_its_wal_and_shm_files_are_0600(tmp_path, open_umask):
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "clientbase.sqlite3"),
        "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"},
        "TEST": {},
    }
    database = DatabaseWrapper(settings_dict, alias="private_files_probe")
    try:
        with database.cursor() as cursor:
            cursor.execute("CREATE TABLE probe (x INTEGER)")
            cursor.execute("INSERT INTO probe VALUES (1)")
        files = sorted(tmp_path.iterdir())
        names = {path.name for path in files}
        assert {"clientbase.sqlite3", "clientbase.sqlite3-wal", "clientbase.sqlite3-shm"} <= names
        assert {path.name: mode(path) for path in files} == dict.fromkeys(names, 0o600)
    finally:
        database.close()
    # A database left world-readable by an older version is closed at the next connection.
    (tmp_path / "clientbase.sqlite3").chmod(0o644)
    database = DatabaseWrapper(settings_dict, alias="private_files_probe")
    try:
        database.ensure_connection()
        assert mode(tmp_path / "clientbase.sqlite3") == 0o600
    finally:
        database.close()
