"""Reading CSV and XLSX files as a stream of rows, whatever tool wrote them.

`open_table(file)` looks at the file once: XLSX or CSV; for CSV the encoding (UTF-8 with or without
BOM, UTF-16 with or without BOM, Windows-1252) and the delimiter (`,` `;` or tab, from the header
line). `Table.records()` then yields the rows one by one and may be called again (the file is read
anew), so an import can check a whole file before it writes anything without holding it in memory.

Anything we cannot read is refused with one `FileRefused` that names the line."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from clientbase.errors import ValidationFailed

DELIMITERS = (",", ";", "\t")
SNIFF_BYTES = 64 * 1024
CHUNK_BYTES = 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class FileRefused(ValidationFailed):
    """The file as a whole cannot be read; answered as `{"file": [message]}`, nothing imported."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})


Row = tuple[int, list[str]]


@dataclass
class Table:
    """A readable file: its header (lower-cased, trimmed) and a way to stream its rows."""

    file: IO[bytes]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)

    def records(self) -> Iterator[Row]:
        """(row number as a spreadsheet shows it, cells as text) for every row after the header;
        blank rows included as empty lists so that the numbers stay right."""
        rows = self._csv_rows() if self.format == "csv" else self._xlsx_rows()
        next(rows, None)  # the header
        width = len(self.header)
        for number, cells in rows:
            if len(cells) > width:
                if any(cell.strip() for cell in cells[width:]):
                    raise FileRefused(
                        f"Row {number} has {len(cells)} values but the header has {width} columns."
                    )
                cells = cells[:width]
            yield number, cells

    def _csv_rows(self) -> Generator[Row]:
        self.file.seek(0)
        text = io.TextIOWrapper(self.file, encoding=self.encoding, newline="")
        reader = csv.reader(text, delimiter=self.delimiter, strict=True)
        number = 0
        first_line = 1  # where the record being read starts (a quoted value may span lines)
        try:
            for cells in reader:
                number += 1
                yield number, cells
                first_line = reader.line_num + 1
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise FileRefused(
                    f"Line {first_line}: a quoted value starts here and is never closed."
                ) from error
            raise FileRefused(f"Line {reader.line_num}: this is not valid CSV ({error}).") from error
        except UnicodeDecodeError as error:  # checked beforehand; a file changed under us
            raise FileRefused(f"Line {reader.line_num}: the text is not {self.encoding}.") from error
        finally:
            with contextlib.suppress(ValueError):  # the file was closed before the rows were read
                text.detach()

    def _xlsx_rows(self) -> Generator[Row]:
        from openpyxl import load_workbook

        self.file.seek(0)
        try:
            workbook = load_workbook(self.file, read_only=True, data_only=True)
        except Exception as error:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors
            raise FileRefused("This is not a readable XLSX workbook.") from error
        try:
            sheet = workbook.worksheets[0]
            sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [cell_text(value) for value in values]
                while cells and cells[-1] == "":
                    cells.pop()
                yield number, cells
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise FileRefused("This XLSX workbook is damaged and cannot be read.") from error
        finally:
            workbook.close()


def cell_text(value: Any) -> str:
    """An XLSX cell as the text a user typed: 3125550142, 1000.5, 2026-01-31, true."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def open_table(file: IO[bytes]) -> Table:
    """Detect the kind of file, its encoding and delimiter, and read its header."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not head.strip():
        raise FileRefused("The file is empty.")
    if head.startswith(XLSX_MAGIC):
        table = Table(file=file, format="xlsx")
    elif head.startswith(OLE_MAGIC):
        raise FileRefused("This is a legacy Excel (.xls) file; save it as .xlsx or CSV and try again.")
    else:
        encoding = detect_encoding(file, head)
        table = Table(file=file, format="csv", encoding=encoding, delimiter=",")
        table.delimiter = detect_delimiter(file, encoding)
    table.header = read_header(table)
    return table


def detect_encoding(file: IO[bytes], head: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (with or without BOM) or Windows-1252; FileRefused for
    anything else, naming the first line that is not text."""
    if head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif (utf16 := _bomless_utf16(head)) is not None:
        encoding = utf16
    elif b"\x00" in head:
        raise FileRefused("This is a binary file, not CSV or XLSX.")
    else:
        encoding = "utf-8"
    line, saw_non_ascii = _first_undecodable_line(file, encoding)
    if line is None:
        return encoding
    if encoding != "utf-8" or saw_non_ascii:
        # A UTF-8 file (it has UTF-8 letters before) with a broken byte: guessing would garble it.
        raise FileRefused(f"Line {line}: the text is not valid {_encoding_name(encoding)}.")
    line, _ = _first_undecodable_line(file, "cp1252")
    if line is not None:
        raise FileRefused(
            f"Line {line}: the text is neither UTF-8, UTF-16 nor Windows-1252; save the file as "
            "UTF-8 CSV and try again."
        )
    return "cp1252"


def _encoding_name(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp1252": "Windows-1252"}.get(encoding, "UTF-16")


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 text of mostly Latin letters has a NUL in every other byte."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.6 and even_nuls < half * 0.1:
        return "utf-16-le"
    if even_nuls > half * 0.6 and odd_nuls < half * 0.1:
        return "utf-16-be"
    return None


def _first_undecodable_line(file: IO[bytes], encoding: str) -> tuple[int | None, bool]:
    """Decode the whole file incrementally; answer the line of the first error (None when all is
    well) and whether any non-ASCII text was decoded before it."""
    file.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    newlines = 0
    saw_non_ascii = False
    try:
        while chunk := file.read(CHUNK_BYTES):
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError as error:
                # Decode the good part of this chunk to count the lines before the error.
                good = codecs.getincrementaldecoder(encoding)(errors="ignore").decode(chunk[: error.start])
                return newlines + good.count("\n") + 1, saw_non_ascii or not good.isascii()
            newlines += text.count("\n")
            saw_non_ascii = saw_non_ascii or not text.isascii()
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return newlines + 1, saw_non_ascii
        return None, saw_non_ascii
    finally:
        file.seek(0)


def detect_delimiter(file: IO[bytes], encoding: str) -> str:
    """The delimiter that splits the header line most often (outside quotes); `,` for a file of one
    column."""
    file.seek(0)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        line = text.readline(SNIFF_BYTES)
    finally:
        text.detach()
        file.seek(0)
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # ties go to the first, `,`
    return best if counts[best] else ","


def read_header(table: Table) -> list[str]:
    """The column names, lower-cased and trimmed; empty names at the end (trailing delimiters) are
    dropped, empty names in between refused."""
    rows = table._csv_rows() if table.format == "csv" else table._xlsx_rows()
    try:
        first = next(rows, None)
    finally:
        rows.close()
    if first is None or not any(cell.strip() for cell in first[1]):
        raise FileRefused("Row 1 must hold the column names; it is empty.")
    names = [cell.strip().lower() for cell in first[1]]
    while names and not names[-1]:
        names.pop()
    if "" in names:
        raise FileRefused(f"Row 1: column {names.index('') + 1} has no name.")
    return names
