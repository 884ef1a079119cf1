"""How much work one imported file may cause, so that a hostile file is refused within seconds
instead of running for minutes or filling the memory.

The caps come from the settings (README, "Configuration"; docs/import-export.md, "Limits"). Uploads
through the web (staff pages, API) get every cap; the command line reads files of any length (no
cap on the file's size or on its rows) but keeps the caps on columns, on a cell's length and on
what an XLSX workbook unpacks to, which bound the work a single row or a small file can cause."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.conf import settings

# XLSX parts openpyxl reads whole (content types, workbook, relationships, styles) are small in any
# real workbook; larger ones are refused.
XLSX_MAX_STRUCTURE_BYTES = 10 * 1024 * 1024
# XML elements in one shared string (a rich text's runs and their formatting): far more is damage.
XLSX_MAX_ELEMENTS_PER_STRING = 10_000
# XML elements of a worksheet held at once (one row, or what comes between two rows); a row holds at
# most the column cap's cells, so far more is damage.
XLSX_MAX_HELD_ELEMENTS = 100_000
# Spreadsheet XML compresses about 10 to 20 to 1; a part packed far denser is a zip bomb.
XLSX_MAX_RATIO = 100
XLSX_RATIO_CHECKED_FROM = 1024 * 1024  # parts smaller than this unpack to little whatever their ratio
# The most rows and columns an XLSX worksheet can have (Excel's limits): beyond, the file is damaged.
XLSX_MAX_ROW = 1_048_576


@dataclass(frozen=True)
class Limits:
    """The caps of one import; `None` is no cap."""

    max_bytes: int | None  # the file as uploaded
    max_rows: int | None  # rows after the header, blank ones included
    max_columns: int  # values in a row, the header's included
    max_cell_chars: int  # characters in one value
    max_unzipped_bytes: int  # XLSX: every part of the workbook unpacked, together
    max_shared_strings_bytes: int  # XLSX: the shared strings part unpacked (held in memory)
    max_shared_strings: int  # XLSX: strings in the shared strings part (held in memory)

    @classmethod
    def web(cls) -> Limits:
        """The caps of uploads through the staff pages and the API."""
        return cls(
            max_bytes=settings.CLIENTBASE_UPLOAD_MAX_BYTES,
            max_rows=settings.CLIENTBASE_IMPORT_MAX_ROWS,
            max_columns=settings.CLIENTBASE_IMPORT_MAX_COLUMNS,
            max_cell_chars=settings.CLIENTBASE_IMPORT_MAX_CELL_CHARS,
            max_unzipped_bytes=settings.CLIENTBASE_XLSX_MAX_UNZIPPED_BYTES,
            max_shared_strings_bytes=settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS_BYTES,
            max_shared_strings=settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS,
        )

    @classmethod
    def command_line(cls) -> Limits:
        """The caps of `clientbase import`: files of any length, the other caps kept."""
        return replace(cls.web(), max_bytes=None, max_rows=None)

    @property
    def max_record_chars(self) -> int:
        """The longest a CSV row may be: every column holding the longest value, quoted."""
        return self.max_columns * (self.max_cell_chars + 3)


def size_text(size: int) -> str:
    """2 MB, 200 KB, 512 bytes (1 MB = 1024 * 1024 bytes)."""
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            value = size / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def too_large_message(limit: int) -> str:
    """The refusal of an upload larger than `limit` bytes."""
    return (
        f"The file is larger than {size_text(limit)}, the most an upload may hold; split it into "
        "smaller files, or have an administrator import it with the command line."
    )
