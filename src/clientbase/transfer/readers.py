"""Reading CSV and XLSX files as a stream of rows, whatever tool wrote them.

`open_table(file)` looks at the file once: XLSX or CSV; for CSV the encoding (UTF-8 with or without
BOM, UTF-16 with or without BOM, Windows-1252) and the delimiter (`,` `;` or tab, from the header
line). `Table.records()` then yields the rows one by one and may be called again (the file is read
anew), so an import can check a whole file before it writes anything without holding it in memory.

Anything we cannot read is refused with one `FileRefused` that names the line, and so is a file that
would cause more work than its `Limits` allow (`limits.py`): a file larger than `max_bytes`, more
rows than `max_rows`, a row of more than `max_columns` values or a value longer than
`max_cell_chars`. A CSV row is refused as soon as it grows longer than every column holding the
longest value could make it, before the csv module holds it whole; XLSX is read by `xlsx.py`, each
cell as the spreadsheet shows it. What a row cannot give is left to the import to report with the
row: an XLSX formula whose result the file does not store reads as `FormulaWithoutValue`."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO

from clientbase.errors import ValidationFailed
from clientbase.transfer.limits import Limits, too_large_message

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
    """A readable file: its header (trimmed) and a way to stream its rows."""

    file: IO[bytes]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    header: list[str] = field(default_factory=list)
    limits: Limits = field(default_factory=Limits.web)

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
        budget = _RowBudget(text, self.limits.max_record_chars)
        reader = csv.reader(budget.lines(), delimiter=self.delimiter, strict=True)
        number = 0
        first_line = 1  # where the record being read starts (a quoted value may span lines)
        try:
            for cells in reader:
                number += 1
                budget.next_row(number + 1)
                check_row_number(number, self.limits)
                self._check_cells(number, cells)
                yield number, cells
                first_line = reader.line_num + 1
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise FileRefused(
                    f"Line {first_line}: a quoted value starts here and is never closed."
                ) from error
            if "field larger than field limit" in str(error):
                raise FileRefused(
                    f"Line {reader.line_num}: a value is longer than {csv.field_size_limit():,} characters."
                ) from error
            raise FileRefused(f"Line {reader.line_num}: this is not valid CSV ({error}).") from error
        except UnicodeDecodeError as error:  # checked beforehand; a file changed under us
            raise FileRefused(f"Line {reader.line_num}: the text is not {self.encoding}.") from error
        finally:
            with contextlib.suppress(ValueError):  # the file was closed before the rows were read
                text.detach()

    def _check_cells(self, number: int, cells: list[str]) -> None:
        limits = self.limits
        if len(cells) > limits.max_columns:
            raise FileRefused(
                f"Row {number} has {len(cells):,} columns; files may have at most {limits.max_columns:,}."
            )
        if max(map(len, cells), default=0) > limits.max_cell_chars:
            column, value = next(
                (column, value)
                for column, value in enumerate(cells, start=1)
                if len(value) > limits.max_cell_chars
            )
            raise FileRefused(
                f"Row {number}, column {column}: the value has {len(value):,} characters; a value may "
                f"have at most {limits.max_cell_chars:,}."
            )

    def _xlsx_rows(self) -> Generator[Row]:
        from clientbase.transfer.xlsx import read_rows  # xlsx.py builds on this module

        yield from read_rows(self.file, self.limits)


class _RowBudget:
    """Feeds the csv module the lines of a CSV file, counting the characters of the row being read:
    a row longer than `limit` is refused before the csv module holds it whole."""

    def __init__(self, text: io.TextIOWrapper, limit: int):
        self.text = text
        self.limit = limit
        self.used = 0
        self.row = 1

    def lines(self) -> Iterator[str]:
        while line := self.text.readline(self.limit - self.used + 1):
            self.used += len(line)
            if self.used > self.limit:
                raise FileRefused(
                    f"Row {self.row} is longer than {self.limit:,} characters, more than every "
                    "column holding the longest value allowed makes a row."
                )
            yield line

    def next_row(self, row: int) -> None:
        """The csv module finished a row; the next one starts."""
        self.used = 0
        self.row = row


def check_row_number(number: int, limits: Limits) -> None:
    """Stop at the row cap: FileRefused once row `number` (the header is row 1) is beyond it."""
    if limits.max_rows is not None and number > limits.max_rows + 1:
        raise FileRefused(
            f"The file has more than {limits.max_rows:,} rows after the header, the most an upload "
            "may hold; split it into smaller files, or have an administrator import it with the "
            "command line."
        )


class FormulaWithoutValue(str):
    """An XLSX cell holding a formula whose result the file does not store (files written by
    programs that do not calculate, such as scripts, leave it out; a spreadsheet program stores it
    when it saves). It reads as an empty text, so code unaware of it sees a blank cell, but an
    import must not take it for one: `formula_errors` names it as an error of its row, and
    `is_blank` counts it as a value. `coordinate` is the cell as a spreadsheet names it (D5)."""

    coordinate: str

    def __new__(cls, coordinate: str) -> FormulaWithoutValue:
        cell = super().__new__(cls, "")
        cell.coordinate = coordinate
        return cell

    def __repr__(self) -> str:
        return f"FormulaWithoutValue({self.coordinate!r})"

    @property
    def message(self) -> str:
        return (
            f"Cell {self.coordinate} holds a formula whose result is not stored in the file; open "
            "the file in a spreadsheet program and save it, then import it again."
        )


def formula_errors(row: Mapping[str, str]) -> list[tuple[str, str]]:
    """[(column, message)] for each cell of a row ({column: cell}) that is a formula without a
    stored result (`FormulaWithoutValue`); empty when every cell could be read."""
    return [(column, cell.message) for column, cell in row.items() if isinstance(cell, FormulaWithoutValue)]


def is_blank(cells: Iterable[str]) -> bool:
    """No cell of the row holds a value: all are empty or whitespace. A formula without a stored
    result is not blank: the spreadsheet shows a value there that the file does not hold."""
    return not any(cell.strip() or isinstance(cell, FormulaWithoutValue) for cell in cells)


def open_table(file: IO[bytes], limits: Limits | None = None) -> Table:
    """Detect the kind of file, its encoding and delimiter, and read its header; the rows are read
    within `limits` (by default those of uploads through the web)."""
    limits = limits if limits is not None else Limits.web()
    size = file.seek(0, io.SEEK_END)
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise FileRefused(too_large_message(limits.max_bytes))
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    if not head.strip():
        raise FileRefused("The file is empty.")
    if head.startswith(XLSX_MAGIC):
        table = Table(file=file, format="xlsx", limits=limits)
    elif head.startswith(OLE_MAGIC):
        raise FileRefused("This is a legacy Excel (.xls) file; save it as .xlsx or CSV and try again.")
    else:
        encoding = detect_encoding(file, head)
        table = Table(file=file, format="csv", encoding=encoding, delimiter=",", limits=limits)
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
    """The column names as written, trimmed (`columns.Columns` recognises them); empty names at the
    end (trailing delimiters) are dropped, empty names in between refused, and so is a name that is
    an XLSX formula whose result the file does not store."""
    rows = table._csv_rows() if table.format == "csv" else table._xlsx_rows()
    try:
        first = next(rows, None)
    finally:
        rows.close()
    if first is None or is_blank(first[1]):
        raise FileRefused("Row 1 must hold the column names; it is empty.")
    unread = next((cell for cell in first[1] if isinstance(cell, FormulaWithoutValue)), None)
    if unread is not None:
        raise FileRefused(f"Row 1 must hold the column names. {unread.message}")
    names = [cell.strip() for cell in first[1]]
    while names and not names[-1]:
        names.pop()
    if "" in names:
        raise FileRefused(f"Row 1: column {names.index('') + 1} has no name.")
    return names
