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
row cap bound its work.

Each cell reads as the spreadsheet shows it (`shown_text`): a ZIP code stored as the number 1234 in
the format `00000` reads 01234 (`DigitFormat`, looked up by the cell's style), a date 2026-01-31, a
date with a time of day 2026-01-31 14:30, a formula its stored result. A formula whose result the
file does not store (files written by programs that do not calculate) reads as
`readers.FormulaWithoutValue`, for the import to report with its row; it is found on the cell's own
element as the row is parsed, so the worksheet is still read once and nothing more is held."""

from __future__ import annotations

import datetime
import operator
import re
import warnings
import zipfile
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
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
from clientbase.transfer.readers import FileRefused, FormulaWithoutValue, check_row_number

SHEET_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"  # openpyxl's constant
FORMULA_TAG = f"{{{SHEET_MAIN_NS}}}f"
VALUE_TAG = f"{{{SHEET_MAIN_NS}}}v"
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
    strings, how dates are stored, and the digit formats of the cell styles that have one
    (style id -> `DigitFormat`)."""

    archive: zipfile.ZipFile
    sheet_path: str
    shared_strings: list[str]
    epoch: Any
    date_formats: Any
    timedelta_formats: Any
    digit_formats: dict[int, DigitFormat] = field(default_factory=dict)


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
            digit_formats = digit_formats_of(parser.wb)
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
        digit_formats=digit_formats,
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
                # openpyxl parses every child of the row in order: each parsed cell beside its element
                texts = _texts(row_number, zip(parsed, element, strict=True), workbook, limits)
                if sheet_data is not None:
                    sheet_data.clear()  # the rows read so far are not kept
                    held = 2
                parser.row_dimensions.clear()
                yield row_number, texts
            elif tag == data_tag:
                return  # what follows the rows (merged cells, links, ...) is not needed
            elif depth == 1:
                root.clear()  # what comes before the rows (views, column widths) is not kept
                held = 1


def _texts(
    number: int, parsed: Iterator[tuple[dict[str, Any], Any]], workbook: Workbook, limits: Limits
) -> list[str]:
    """The cells openpyxl parsed (each beside its XML element), as the text the spreadsheet shows
    (`shown_text`) in their columns; empty cells at the end left out. A formula whose result the
    file does not store is a `FormulaWithoutValue`."""
    from openpyxl.utils import get_column_letter

    values: dict[int, str] = {}
    for parsed_cell, element in parsed:
        column = parsed_cell["column"]
        text: str
        if _formula_without_value(element):
            text = FormulaWithoutValue(f"{get_column_letter(column)}{number}")
        elif parsed_cell["value"] is None:
            continue
        else:
            text = shown_text(parsed_cell["value"], workbook.digit_formats.get(parsed_cell["style_id"]))
            if not text:
                continue
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


def _formula_without_value(element: Any) -> bool:
    """The cell element holds a formula (`<f>`) but no stored result: no `<v>`, or an empty one
    where only a text result may be empty (`t="str"`; openpyxl writes `<v/>` after a formula it
    could not calculate). One look at the cell's own children, which the row's parse holds anyway:
    no second reading of the worksheet and nothing more held in memory."""
    formula = value = None
    for child in element:
        if child.tag == FORMULA_TAG:
            formula = child
        elif child.tag == VALUE_TAG:
            value = child
    if formula is None:
        return False
    return value is None or (not value.text and element.get("t", "n") != "str")


# Cells as the spreadsheet shows them -------------------------------------------------------------


def shown_text(value: Any, digits: DigitFormat | None = None) -> str:
    """A parsed cell as the text a spreadsheet shows, in the forms an import reads: a whole number
    in a digit format (`digits`: a ZIP code 1234 formatted `00000`) as that format shows it, 01234;
    other whole numbers without a decimal point (3125550142); other numbers in full, as the
    General format shows them, to 15 significant digits (1000.5, 0.3); true or false; a date as
    2026-01-31 (a date-and-time at midnight too), a date with a time of day as 2026-01-31 14:30 (a
    date column takes its date), seconds and fractions only when there are some; a time of day
    as 14:30 and a duration as hours and minutes (26:30); text as it is."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        whole = isinstance(value, int) or value.is_integer()
        if whole and digits is not None:
            shown = digits.show(int(value))
            if shown is not None:
                return shown
        if whole:
            return str(int(value))
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        clock = _clock(value.hour, value.minute, value.second, value.microsecond)
        return f"{value.date().isoformat()} {clock}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return _clock(value.hour, value.minute, value.second, value.microsecond)
    if isinstance(value, datetime.timedelta):
        sign = "-" if value < datetime.timedelta() else ""
        value = abs(value)
        hours, rest = divmod(value.days * 86_400 + value.seconds, 3600)
        return sign + _clock(hours, rest // 60, rest % 60, value.microseconds)
    return str(value)


def _clock(hours: int, minutes: int, seconds: int, microseconds: int) -> str:
    """14:30, 14:30:15 or 14:30:15.25: seconds and their fraction only when there are some."""
    text = f"{hours:02d}:{minutes:02d}"
    if seconds or microseconds:
        text += f":{seconds:02d}"
    if microseconds:
        text += "." + f"{microseconds:06d}".rstrip("0")
    return text


# Number formats that show whole numbers digit by digit (ZIP codes, customer numbers, phone numbers).
DIGIT_PLACEHOLDERS = {"0": "0", "?": " ", "#": ""}  # what each shows where the number has no digit
PLAIN_LITERALS = frozenset(" $-+/():!^&'~{}<>=")  # shown as they are without quotes (Excel's list)
CONDITION = re.compile(r"(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)")
COLOR = re.compile(r"black|blue|cyan|green|magenta|red|white|yellow|color\s*\d+", re.IGNORECASE)
COMPARE = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "=": operator.eq,
    "<>": operator.ne,
}


@dataclass(frozen=True)
class Section:
    """One section of a number format: its condition (`[<=9999999]`), if any, and its parts, each
    a digit placeholder (`0`, `#` or `?`) or a text shown as it is."""

    condition: tuple[str, Decimal] | None
    parts: tuple[tuple[bool, str], ...]  # (is a placeholder, the placeholder or the text)

    @property
    def placeholders(self) -> int:
        return sum(1 for is_placeholder, _ in self.parts if is_placeholder)

    def holds(self, number: int) -> bool:
        if self.condition is None:
            return True
        operator, bound = self.condition
        return bool(COMPARE[operator](number, bound))

    def show(self, digits: str) -> str:
        """The digits (of a number without its sign) in this section's placeholders, from the
        right; the leftmost placeholder takes all the digits left over, as spreadsheets do."""
        shown: list[str] = []
        left = self.placeholders
        for is_placeholder, text in reversed(self.parts):
            if not is_placeholder:
                shown.append(text)
                continue
            left -= 1
            taken, digits = (digits, "") if left == 0 else (digits[-1:], digits[:-1])
            shown.append(taken or DIGIT_PLACEHOLDERS[text])
        return "".join(reversed(shown))


@dataclass(frozen=True)
class DigitFormat:
    """A number format made only of digit placeholders and text, such as `00000` (ZIP code),
    `00000-0000`, `000-00-0000`, `"ID "000000` or `[<=9999999]###-####;(###) ###-####` (phone
    number): what a spreadsheet shows for a whole number in it, following Excel's rules for its
    sections (one for every number; positive and zero, negative; positive, negative, zero; or
    chosen by their conditions) and placeholders (`0` shows a zero, `?` a space, `#` nothing where
    the number has no digit). Formats with anything else (decimals, thousands separators,
    percentages, exponents, text placeholders) are not digit formats: `parse` answers None."""

    sections: tuple[Section, ...]

    @classmethod
    def parse(cls, code: str) -> DigitFormat | None:
        sections: list[Section] = []
        for text in _split_sections(code)[:3]:  # a fourth section is for text cells
            section = _parse_section(text)
            if section is None:
                return None
            sections.append(section)
        if not sections or not sections[0].placeholders:
            return None
        return cls(tuple(sections))

    def show(self, number: int) -> str | None:
        """The number as the format shows it; None when the section for it shows no digit (the
        number is hidden, or shown as text only) or the format's conditions leave it out, and for a
        negative number in a format with conditions: then the number itself is read."""
        sections = self.sections
        if any(section.condition is not None for section in sections[:2]):
            section = next((s for s in sections if s.holds(number)), None)
            if section is None or number < 0:  # no negative ZIP codes or phone numbers
                return None
            signed = False
        elif len(sections) == 1 or number > 0 or (number == 0 and len(sections) == 2):
            section, signed = sections[0], number < 0
        elif number < 0:
            section, signed = sections[1], False  # the negative section writes its own sign
        else:
            section, signed = sections[2], False
        shown = section.show(str(abs(number)) if number else "")
        if not any(char.isdigit() for char in shown):
            return None  # a zero in `#` placeholders shows nothing: read the zero instead
        return ("-" if signed else "") + shown


def _split_sections(code: str) -> list[str]:
    """The sections of a format code, split at `;` outside quotes, brackets and escapes."""
    sections, start, index, quoted, bracketed = [], 0, 0, False, False
    while index < len(code):
        char = code[index]
        if char == "\\" and not quoted:
            index += 1
        elif char == '"':
            quoted = not quoted
        elif char == "[" and not quoted:
            bracketed = True
        elif char == "]" and not quoted:
            bracketed = False
        elif char == ";" and not quoted and not bracketed:
            sections.append(code[start:index])
            start = index + 1
        index += 1
    sections.append(code[start:])
    return sections


def _parse_section(code: str) -> Section | None:
    """One section as placeholders and texts; None when it holds anything else."""
    condition: tuple[str, Decimal] | None = None
    parts: list[tuple[bool, str]] = []
    index = 0
    while index < len(code):
        char = code[index]
        if char == '"':
            end = code.find('"', index + 1)
            if end < 0:
                return None
            parts.append((False, code[index + 1 : end]))
            index = end + 1
        elif char == "\\":
            if index + 1 == len(code):
                return None
            parts.append((False, code[index + 1]))
            index += 2
        elif char == "[":
            end = code.find("]", index)
            if end < 0:
                return None
            inner = code[index + 1 : end]
            if match := CONDITION.fullmatch(inner):
                condition = (match[1], Decimal(match[2]))
            elif inner.startswith("$"):  # a currency symbol and locale: [$€-407]
                parts.append((False, inner[1:].split("-", 1)[0]))
            elif not COLOR.fullmatch(inner):
                return None  # elapsed time ([h]) and the like: not a digit format
            index = end + 1
        elif char in DIGIT_PLACEHOLDERS:
            parts.append((True, char))
            index += 1
        elif char in PLAIN_LITERALS:
            parts.append((False, char))
            index += 1
        else:
            return None
    return Section(condition, tuple(parts))


def digit_formats_of(workbook: Any) -> dict[int, DigitFormat]:
    """The digit format (`DigitFormat`) of each cell style (by its index, a cell's `s`) that has
    one, from the styles openpyxl read. The styles part is bounded, and so is this work."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    parsed: dict[str, DigitFormat | None] = {}
    found: dict[int, DigitFormat] = {}
    for index, style in enumerate(workbook._cell_styles):
        number_format = style.numFmtId
        if number_format < BUILTIN_FORMATS_MAX_SIZE:
            code = BUILTIN_FORMATS.get(number_format, "General")
        else:
            try:
                code = workbook._number_formats[number_format - BUILTIN_FORMATS_MAX_SIZE]
            except IndexError:
                continue  # a style naming a format the file does not have: shown as General
        if code not in parsed:
            parsed[code] = DigitFormat.parse(code)
        if (digit_format := parsed[code]) is not None:
            found[index] = digit_format
    return found
