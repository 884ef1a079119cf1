"""docs/import-export.md names every column of every import."""

from __future__ import annotations

from pathlib import Path

import pytest

from clientbase.transfer.kinds import KINDS

DOC = Path(__file__).resolve().parents[2] / "docs" / "import-export.md"


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_column_is_documented(kind):
    text = DOC.read_text()
    missing = [column for column in KINDS[kind].columns if f"`{column}`" not in text]
    assert missing == []


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_column_has_help_on_the_upload_page(kind):
    assert [column for column in KINDS[kind].columns if not KINDS[kind].column_help.get(column)] == []
