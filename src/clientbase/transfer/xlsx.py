"""The first worksheet of an XLSX workbook as rows of text, with bounded work.

An XLSX file is a zip archive of XML parts, and a small archive can unpack to gigabytes or declare
millions of rows. So, before openpyxl parses anything, `open_archive` checks what the archive
declares (Python's zipfile never unpacks more than an entry declares): all parts together unpack to
at most `max_unzipped_bytes`, and no part of a megabyte or more is packed denser than
`XLSX_MAX_RATIO` to 1. Then only the parts an import needs are read, each checked before it is
read: the content types, the workbook and its relationships, and the styles (openpyxl reads these
whole: at most `XLSX_MAX_STRUCTURE_BYTES` each), the shared strings (held in memory: a part of at
most `max_shared_strings_bytes`, streamed and counted, refused at the first string beyond
`max_shared_strings`, so that their memory is bounded by both) and the first worksheet, which is
streamed row by row with openpyxl's own cell parsing. The worksheet's declared dimension is never
trusted: a row with more cells than `max_columns` is refused as soon as its cells are counted, the
parsed rows and what comes before them are dropped as they are read (no more than
`XLSX_MAX_HELD_ELEMENTS` XML elements are held at once), blank rows are numbered without being
stored, and `readers.check_row_number` stops at the row cap: the worksheet's unpacked size and the
row cap bound its work."""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any

from clientbase.transfer.limits import (
    XLSX_MAX_ELEMENTS_PER_STRING,
    XLSX_MAX_HELD_ELEMENTS,
    XLSX_MAX_RATIO,
    XLSX_MAX_ROW,
    XLSX_MAX_STRUCTURE_BYTES,
    XLSX_RATIO_CHECKED_FROM,
    Limits,
    size_text,
)
from clientbase.transfer.readers import FileRefused, cell_text, check_row_number

UNREADABLE = "This is not a readable XLSX workbook."
DAMAGED = "This XLSX workbook is damaged and cannot be read."
# What openpyxl and zipfile raise on a damaged workbook (xml.etree's ParseError is a SyntaxError).
DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
)


@dataclass
class Workbook:
    """What reading the first worksheet needs: the open archive, the worksheet's part, the shared
    strings and how dates are stored."""

    archive: zipfile.ZipFile
    sheet_path: str
    shared_strings: list[str]
    epoch: Any
    date_formats: Any
    timedelta_formats: Any


def open_archive(file: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """The file as a zip archive whose declared sizes are within `limits`; FileRefused otherwise."""
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise FileRefused(UNREADABLE) from error
    try:
        check_archive(archive, limits)
    except FileRefused:
        archive.close()
        raise
    return archive


def check_archive(archive: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an archive that unpacks to more than `limits.max_unzipped_bytes`, or with a part packed
    denser than any spreadsheet (a zip bomb)."""
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.file_size >= XLSX_RATIO_CHECKED_FROM and info.file_size > XLSX_MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise FileRefused(
                f"This XLSX workbook unpacks to {info.file_size // max(info.compress_size, 1):,} times "
                f"its size, far more than a spreadsheet does (at most {XLSX_MAX_RATIO} times); it is "
                "refused as a possible zip bomb."
            )
    if total > limits.max_unzipped_bytes:
        raise FileRefused(
            f"This XLSX workbook unpacks to {size_text(total)}, more than the "
            f"{size_text(limits.max_unzipped_bytes)} allowed; split it into smaller files, or save it "
            "as CSV."
        )


def _check_part(archive: zipfile.ZipFile, name: str, limit: int, message: str) -> None:
    try:
        size = archive.getinfo(name).file_size
    except KeyError as error:
        raise FileRefused(DAMAGED) from error
    if size > limit:
        raise FileRefused(message.format(size=size_text(size), limit=size_text(limit)))


def load(file: IO[bytes], limits: Limits) -> Workbook:
    """Open the workbook: check the archive, then read the parts the first worksheet needs."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.packaging.relationship import get_rels_path
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_STYLE, SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    archive = open_archive(file, limits)
    oversize = (
        "This XLSX workbook holds a part of {size} where spreadsheets have small ones; it cannot be read."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns of what it leaves out: styles, extensions
            _check_part(archive, ARC_CONTENT_TYPES, XLSX_MAX_STRUCTURE_BYTES, oversize)
            package = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
            workbook_path = _find_workbook_part(package).PartName[1:]
            _check_part(archive, workbook_path, XLSX_MAX_STRUCTURE_BYTES, oversize)
            _check_part(archive, get_rels_path(workbook_path), XLSX_MAX_STRUCTURE_BYTES, oversize)
            parser = WorkbookParser(archive, workbook_path, keep_links=False)
            parser.parse()
            names = set(archive.namelist())
            sheet_path = next(
                (
                    rel.target
                    for _, rel in parser.find_sheets()
                    if rel.target in names and "chartsheet" not in rel.Type
                ),
                None,
            )
            if sheet_path is None:
                raise FileRefused("This XLSX workbook has no worksheet.")
            shared_strings: list[str] = []
            strings_part = package.find(SHARED_STRINGS)
            if strings_part is not None:
                strings_path = strings_part.PartName[1:]
                _check_part(
                    archive,
                    strings_path,
                    limits.max_shared_strings_bytes,
                    "The texts of this XLSX workbook unpack to {size}, more than the {limit} allowed; "
                    "split it into smaller files, or save it as CSV.",
                )
                with archive.open(strings_path) as source:
                    shared_strings = read_shared_strings(source, limits)
            if ARC_STYLE in names:
                _check_part(archive, ARC_STYLE, XLSX_MAX_STRUCTURE_BYTES, oversize)
                apply_stylesheet(archive, parser.wb)
    except FileRefused:
        archive.close()
        raise
    except DAMAGE as error:
        archive.close()
        raise FileRefused(DAMAGED) from error
    return Workbook(
        archive=archive,
        sheet_path=sheet_path,
        shared_strings=shared_strings,
        epoch=parser.wb.epoch,
        date_formats=parser.wb._date_formats,
        timedelta_formats=parser.wb._timedelta_formats,
    )


def read_shared_strings(source: IO[bytes], limits: Limits) -> list[str]:
    """The texts of a shared strings part, in order (a rich text's runs joined, phonetic hints left
    out, as openpyxl reads them). The part is streamed: each string is dropped from the XML tree
    once read, and FileRefused comes as soon as a string beyond `limits.max_shared_strings`
    starts, before it or anything after it is parsed."""
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    si_tag, t_tag, r_tag = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("si", "t", "r"))
    strings: list[str] = []
    root: Any = None
    depth = 0
    held = 0  # elements in the tree since it was last cleared
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            depth += 1
            held += 1
            if root is None:
                root = element
            elif element.tag == si_tag and len(strings) >= limits.max_shared_strings:
                raise FileRefused(
                    f"This XLSX workbook holds more than {limits.max_shared_strings:,} different "
                    "texts, more than a file within the import's limits needs; split it into smaller "
                    "files, or save it as CSV."
                )
            elif held > XLSX_MAX_ELEMENTS_PER_STRING:
                raise FileRefused(DAMAGED)
            continue
        depth -= 1
        if depth != 1:
            continue
        if element.tag == si_tag:
            parts = []
            for child in element:
                if child.tag == t_tag:
                    parts.append(child.text or "")
                elif child.tag == r_tag:
                    parts.extend(run.text or "" for run in child.iter(t_tag))
            strings.append("".join(parts).replace("x005F_", ""))
        root.clear()  # what was read so far is not kept in the tree
        held = 1
    return strings


def read_rows(file: IO[bytes], limits: Limits) -> Generator[tuple[int, list[str]]]:
    """(row number, cells as text) for every row of the first worksheet up to its last row with
    cells, blank rows as empty lists; trailing empty cells are left out. FileRefused for a damaged
    workbook, a row beyond the row cap or beyond XLSX's last row, a row of more than
    `max_columns` cells or a value beyond column `max_columns`, a value longer than
    `max_cell_chars`."""
    workbook = load(file, limits)
    try:
        expected = 1
        for number, cells in _parsed_rows(workbook, limits):
            check_row_number(number, limits)  # before the blank rows in between are numbered
            if number < expected or number > XLSX_MAX_ROW:  # rows out of order, or beyond the sheet
                raise FileRefused(DAMAGED)
            while expected < number:
                yield expected, []
                expected += 1
            yield number, cells
            expected = number + 1
    except FileRefused:
        raise
    except DAMAGE as error:
        raise FileRefused(DAMAGED) from error
    finally:
        workbook.archive.close()


def _parsed_rows(workbook: Workbook, limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """The rows of the worksheet as openpyxl parses them, each dropped from the XML tree once read;
    the cells of a row are counted as they come, so that a row of a million cells is refused before
    it is held."""
    from openpyxl.worksheet._reader import WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    row_tag, cell_tag, data_tag = (f"{{{SHEET_MAIN_NS}}}{name}" for name in ("row", "c", "sheetData"))
    with workbook.archive.open(workbook.sheet_path) as source:
        parser = WorkSheetParser(
            source,
            workbook.shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook.date_formats,
            timedelta_formats=workbook.timedelta_formats,
        )
        root: Any = None
        sheet_data: Any = None
        cells = 0
        depth = 0
        held = 0  # elements in the tree since it was last cleared
        number = 0  # of the row being read, for the messages
        for event, element in iterparse(source, events=("start", "end")):
            tag = element.tag
            if event == "start":
                depth += 1
                held += 1
                if held > XLSX_MAX_HELD_ELEMENTS:
                    raise FileRefused(DAMAGED)
                if root is None:
                    root = element
                elif tag == cell_tag:
                    cells += 1
                    if cells > limits.max_columns:
                        raise FileRefused(
                            f"Row {number} has more than {limits.max_columns:,} cells; files may "
                            f"have at most {limits.max_columns:,} columns."
                        )
                elif tag == row_tag:
                    cells = 0
                    given = element.get("r", "")
                    number = int(given) if given.isdigit() else number + 1
                elif tag == data_tag:
                    sheet_data = element
                continue
            depth -= 1
            if tag == row_tag:
                row_number, parsed = parser.parse_row(element)
                if sheet_data is not None:
                    sheet_data.clear()  # the rows read so far are not kept
                    held = 2
                parser.row_dimensions.clear()
                yield row_number, _texts(row_number, parsed, limits)
            elif tag == data_tag:
                return  # what follows the rows (merged cells, links, ...) is not needed
            elif depth == 1:
                root.clear()  # what comes before the rows (views, column widths) is not kept
                held = 1


def _texts(number: int, parsed: list[dict[str, Any]], limits: Limits) -> list[str]:
    """The cells openpyxl parsed, as text in their columns; empty cells at the end left out."""
    values: dict[int, str] = {}
    for parsed_cell in parsed:
        if parsed_cell["value"] is None:
            continue
        text = cell_text(parsed_cell["value"])
        if not text:
            continue
        column = parsed_cell["column"]
        if column > limits.max_columns:
            raise FileRefused(
                f"Row {number} has a value in column {column:,}; files may have at most "
                f"{limits.max_columns:,} columns."
            )
        if len(text) > limits.max_cell_chars:
            raise FileRefused(
                f"Row {number}, column {column}: the value has {len(text):,} characters; a value may "
                f"have at most {limits.max_cell_chars:,}."
            )
        values[column] = text
    if not values:
        return []
    cells = [""] * max(values)
    for column, text in values.items():
        cells[column - 1] = text
    return cells
