"""Reading files as spreadsheet programs write them: each encoding and delimiter, quoted fields,
XLSX; and every refusal, naming the line."""

from __future__ import annotations

import codecs
import datetime
import io

import pytest
from openpyxl import Workbook

from clientbase.transfer.readers import FileRefused, open_table

ROWS = [["last_name", "notes"], ["Müller", "Café, “quoted”; tab\there"], ["Nuñez", "two\nlines"]]


def as_csv(rows, delimiter=","):
    out = io.StringIO()
    import csv

    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def read_all(data: bytes):
    table = open_table(io.BytesIO(data))
    return table, [table.header, *[cells for _, cells in table.records()]]


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", codecs.BOM_UTF8, "utf-8-sig"),
        ("utf-16", b"", "utf-16"),  # Python writes a BOM
        ("utf-16-le", b"", "utf-16-le"),
        ("utf-16-be", b"", "utf-16-be"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_reads_each_encoding(encoding, prefix, expected):
    rows = [ROWS[0], ["Müller", "Café, €5; tab\there"], ROWS[2]]
    table, read = read_all(prefix + as_csv(rows).encode(encoding))
    assert table.encoding == expected
    assert read == rows


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_detects_the_delimiter(delimiter):
    table, read = read_all(as_csv(ROWS, delimiter).encode())
    assert table.delimiter == delimiter
    assert read == ROWS


def test_a_file_of_one_column_reads_with_commas():
    table, read = read_all(b"last_name\nDoe\n")
    assert (table.delimiter, read) == (",", [["last_name"], ["Doe"]])


def test_header_is_trimmed_as_written_and_trailing_empty_columns_dropped():
    table, read = read_all(b" Last_Name ,EMAIL,,\nDoe,d@example.com,,\n")
    assert table.header == ["Last_Name", "EMAIL"]  # recognised by `columns.Columns`
    assert read[1] == ["Doe", "d@example.com"]


def test_row_numbers_count_the_header_blank_lines_and_records_with_newlines():
    table = open_table(io.BytesIO(b'last_name,notes\nA,"one\ntwo"\n\nB,x\n'))
    assert [number for number, _ in table.records()] == [2, 3, 4]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"   \n", "The file is empty."),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy Excel"),
        (b"PK\x03\x04 not really a zip", "not a readable XLSX"),
        ("last_name\nMüller\nDoe\n".encode() + b"Bad \xff byte\n", "Line 4: the text is not valid UTF-8"),
        (b"last_name\nA\nB \x81 \x8d\n", "Line 3: the text is neither UTF-8, UTF-16 nor Windows-1252"),
        (
            b'last_name,notes\nA,x\nB,"never closed\nC,x\n',
            "Line 3: a quoted value starts here and is never closed.",
        ),
        (b'last_name,notes\nA,"x"y\n', "Line 2: this is not valid CSV"),
        (b"last_name,notes\nA,x,extra\n", "Row 2 has 3 values but the header has 2 columns."),
        (b"last_name,,notes\nA,,x\n", "Row 1: column 2 has no name."),
        (b",,\nA,b,c\n", "Row 1 must hold the column names"),
    ],
)
def test_refuses_what_it_cannot_read_with_one_clear_error(data, message):
    with pytest.raises(FileRefused) as refused:
        table = open_table(io.BytesIO(data))
        list(table.records())
    assert message in refused.value.errors["file"][0]


def xlsx_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_reads_xlsx_cells_as_the_text_a_user_typed():
    data = xlsx_bytes(
        [
            ["Last_Name", "Phone", "approval_limit", "portal_support_start", "is_primary", "notes"],
            ["Doe", 3125550142, 1000.5, datetime.datetime(2026, 1, 31), True, "plain, text"],
            [],
            ["Roe", "+1 312 555 0100", 250, datetime.date(2026, 2, 1), False, None],
        ]
    )
    table, read = read_all(data)
    assert table.format == "xlsx"
    assert table.header == [
        "Last_Name",
        "Phone",
        "approval_limit",
        "portal_support_start",
        "is_primary",
        "notes",
    ]
    assert read[1] == ["Doe", "3125550142", "1000.5", "2026-01-31", "true", "plain, text"]
    assert [number for number, _ in table.records()] == [2, 3, 4]
    assert read[3][:5] == ["Roe", "+1 312 555 0100", "250", "2026-02-01", "false"]
