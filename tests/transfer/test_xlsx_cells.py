"""XLSX cells read as the spreadsheet shows them (digit formats such as ZIP codes, whole numbers,
dates with and without a time, formulas with and without a stored result), and XLSX exports that
are pleasant to use (typed text cells, column widths, a frozen bold header) and read back as
written."""

from __future__ import annotations

import datetime
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from clientbase.contacts.models import Contact
from clientbase.transfer.exporters import MAX_WIDTH, MIN_WIDTH, WIDTH_SAMPLE_ROWS, write_xlsx
from clientbase.transfer.readers import (
    FileRefused,
    FormulaWithoutValue,
    formula_errors,
    is_blank,
    open_table,
)
from clientbase.transfer.services import import_file
from clientbase.transfer.xlsx import DigitFormat, shown_text

SHEET = "xl/worksheets/sheet1.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s/>]")


def formatted_xlsx(header: list[str], cells: list[tuple[object, str | None]]) -> bytes:
    """A workbook of a header and one row whose cells have the given number formats."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for column, (value, number_format) in enumerate(cells, start=1):
        cell = sheet.cell(2, column, value)
        if number_format is not None:
            cell.number_format = number_format
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def with_sheet(rows_xml: str) -> bytes:
    """A workbook whose first worksheet is exactly `rows_xml` (the `<row>` elements), as other
    programs write them: cached formula results, inline strings."""
    workbook = Workbook()
    workbook.active["A1"] = "placeholder"
    out = io.BytesIO()
    workbook.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == SHEET:
                data = f'<worksheet xmlns="{MAIN}"><sheetData>{rows_xml}</sheetData></worksheet>'.encode()
            archive.writestr(info.filename, data)
    return result.getvalue()


def text_cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_of(data: bytes) -> tuple[list[str], list[list[str]]]:
    table = open_table(io.BytesIO(data))
    return table.header, [cells for _, cells in table.records()]


def xlsx_of(rows: list[list[str]]) -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out)
    return out.getvalue()


# Reading: numbers -----------------------------------------------------------------------------------


def test_a_number_in_a_digit_format_reads_as_shown_with_its_leading_zeros():
    header = ["zip", "zip4", "ssn", "id", "phone", "short"]
    phone = "[<=9999999]###-####;(###) ###-####"  # Excel's "Phone Number" special format
    data = formatted_xlsx(
        header,
        [
            (1234, "00000"),
            (12345678, "00000-0000"),
            (12345678, "000-00-0000"),
            (42, '"ID "000000'),
            (3125550142, phone),
            (5550142, phone),
        ],
    )
    assert rows_of(data)[1] == [
        ["01234", "01234-5678", "012-34-5678", "ID 000042", "(312) 555-0142", "555-0142"]
    ]


def test_other_numbers_read_as_the_general_format_shows_them():
    header = ["whole", "stored_as_float", "fraction", "float_noise", "thousands", "decimals", "percent"]
    data = formatted_xlsx(
        header,
        [
            (3125550142, None),
            (250.0, None),
            (1000.5, None),
            (0.1 + 0.2, None),
            (25000, "#,##0"),  # "25,000" would not read back as an amount
            (1000.5, "0.00"),
            (15, "0%"),
        ],
    )
    assert rows_of(data)[1] == [["3125550142", "250", "1000.5", "0.3", "25000", "1000.5", "15"]]


def test_a_whole_number_stored_with_a_decimal_point_reads_without_it():
    data = with_sheet(
        f'<row r="1">{text_cell("A1", "phone")}</row><row r="2"><c r="A2"><v>3125550142.0</v></c></row>'
    )
    assert rows_of(data)[1] == [["3125550142"]]


@pytest.mark.parametrize(
    ("code", "number", "shown"),
    [
        ("00000", 1234, "01234"),
        ("00000", 123456, "123456"),  # more digits than places: all are shown
        ("000-000", 12345, "012-345"),
        ("00000", -12, "-00012"),
        ("00000;(00000)", -12, "(00012)"),
        ("[Red]00000", 77, "00077"),
        ("???", 5, "  5"),
        ("#####", 0, None),  # shows nothing: the zero is read
        ("0;;", 0, None),  # a hidden zero is read
        ("[<=9999999]###-####;(###) ###-####", -5, None),
    ],
)
def test_digit_formats_show_whole_numbers_as_spreadsheets_do(code, number, shown):
    digit_format = DigitFormat.parse(code)
    assert digit_format is not None
    assert digit_format.show(number) == shown


@pytest.mark.parametrize("code", ["General", "@", "0.00", "#,##0", "0%", "0.00E+00", "[h]:mm", '"text only"'])
def test_formats_with_more_than_digits_are_not_digit_formats(code):
    assert DigitFormat.parse(code) is None


def test_a_fraction_in_a_digit_format_is_read_in_full_never_rounded():
    assert shown_text(1234.6, DigitFormat.parse("00000")) == "1234.6"


# Reading: dates and times ---------------------------------------------------------------------------


def test_dates_read_as_iso_dates_and_a_time_of_day_only_when_there_is_one():
    data = formatted_xlsx(
        ["midnight", "afternoon", "seconds", "date", "time"],
        [
            (datetime.datetime(2026, 1, 31), None),
            (datetime.datetime(2026, 1, 31, 14, 30), None),
            (datetime.datetime(2026, 1, 31, 14, 30, 15), None),
            (datetime.date(2026, 2, 1), None),
            (datetime.time(9, 5), None),
        ],
    )
    assert rows_of(data)[1] == [
        ["2026-01-31", "2026-01-31 14:30", "2026-01-31 14:30:15", "2026-02-01", "09:05"]
    ]


def test_a_date_with_a_time_of_day_imports_into_a_date_column_as_its_date(
    admin_user, customer_with_two_sites
):
    data = formatted_xlsx(
        ["last_name", "email", "portal_support_start", "address_postal_code"],
        [
            ("Doe", None),
            ("doe@example.com", None),
            (datetime.datetime(2026, 1, 31, 14, 30), None),
            (2134, "00000"),
        ],
    )
    report = import_file(acting_user=admin_user, kind="contacts", file=io.BytesIO(data), dry_run=False)
    assert (report.created, report.errors) == (1, [])
    contact = Contact.objects.get(email="doe@example.com")
    assert contact.support_start == datetime.date(2026, 1, 31)
    assert contact.address["postal_code"] == "02134"


# Reading: formulas ------------------------------------------------------------------------------------


def test_a_formula_reads_as_its_stored_result():
    data = with_sheet(
        f'<row r="1">{text_cell("A1", "a")}{text_cell("B1", "b")}{text_cell("C1", "c")}</row>'
        '<row r="2"><c r="A2"><f>1+1</f><v>2</v></c>'
        '<c r="B2" t="str"><f>"x"&amp;"y"</f><v>xy</v></c>'
        '<c r="C2" t="str"><f>""</f><v></v></c></row>'  # an empty text result is a blank cell
    )
    header, rows = rows_of(data)
    assert header == ["a", "b", "c"]
    assert rows == [["2", "xy"]]
    assert not any(isinstance(cell, FormulaWithoutValue) for cell in rows[0])


def test_a_formula_without_a_stored_result_is_marked_never_read_as_blank():
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["last_name", "email", "notes"])
    sheet.append(["Doe", '=LOWER("DOE@EXAMPLE.COM")', "kept"])  # openpyxl stores no result
    out = io.BytesIO()
    workbook.save(out)
    _, rows = rows_of(out.getvalue())
    cell = rows[0][1]
    assert isinstance(cell, FormulaWithoutValue)
    assert (cell, cell.coordinate) == ("", "B2")
    assert rows[0][0] == "Doe" and rows[0][2] == "kept"
    errors = formula_errors(dict(zip(["last_name", "email", "notes"], rows[0], strict=True)))
    assert errors == [
        (
            "email",
            "Cell B2 holds a formula whose result is not stored in the file; open the file in a "
            "spreadsheet program and save it, then import it again.",
        )
    ]


def test_a_formula_without_any_value_element_is_marked_too():
    data = with_sheet(
        f'<row r="1">{text_cell("A1", "a")}{text_cell("B1", "b")}</row>'
        '<row r="2"><c r="B2" t="b"><f>TRUE()</f></c></row>'
    )
    rows = rows_of(data)[1]
    assert rows == [["", ""]]
    assert not isinstance(rows[0][0], FormulaWithoutValue)
    assert isinstance(rows[0][1], FormulaWithoutValue) and rows[0][1].coordinate == "B2"


def test_a_row_of_formulas_without_results_is_not_blank():
    assert is_blank(["", "  ", ""])
    assert not is_blank(["", FormulaWithoutValue("B7")])
    assert formula_errors({"notes": "text", "email": ""}) == []


def test_a_header_that_is_a_formula_without_a_result_refuses_the_file():
    data = with_sheet(
        f'<row r="1">{text_cell("A1", "last_name")}<c r="B1"><f>"em"&amp;"ail"</f><v/></c></row>'
    )
    with pytest.raises(FileRefused) as refused:
        open_table(io.BytesIO(data))
    assert refused.value.errors["file"] == [
        "Row 1 must hold the column names. Cell B1 holds a formula whose result is not stored in the "
        "file; open the file in a spreadsheet program and save it, then import it again."
    ]


# Export ---------------------------------------------------------------------------------------------


def test_export_text_cells_are_typed_strings_never_formulas_and_carry_no_quote():
    data = xlsx_of([["phone", "notes", "zip"], ["+13125550142", "=1+1", "01234"]])
    assert not FORMULA_ELEMENT.search(zipfile.ZipFile(io.BytesIO(data)).read(SHEET))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [
        ("+13125550142", "s"),
        ("=1+1", "s"),
        ("01234", "s"),
    ]


def test_export_has_a_frozen_bold_header_and_columns_as_wide_as_their_texts():
    rows = [
        ["id", "notes", "name"],
        ["1", "x" * 200, "Müller"],
        ["2", "short\n" + "y" * 30, "東京都港区"],  # the longest line counts; wide letters twice
    ]
    sheet = load_workbook(io.BytesIO(xlsx_of(rows))).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert [cell.font.b for cell in sheet[1]] == [True, True, True]
    assert not any(cell.font.b for cell in sheet[2])
    widths = {letter: dimension.width for letter, dimension in sheet.column_dimensions.items()}
    assert widths == {"A": MIN_WIDTH, "B": MAX_WIDTH, "C": 12}


def test_column_widths_come_from_the_first_rows_only():
    rows = [["notes"]] + [["short"]] * WIDTH_SAMPLE_ROWS + [["z" * 40]]
    data = xlsx_of(rows)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.column_dimensions["A"].width == MIN_WIDTH
    assert rows_of(data)[1][-1] == ["z" * 40]  # the rows after the sample are all written


def test_reading_our_own_export_gives_back_the_texts_written():
    rows = [
        ["external_id", "phone", "notes", "postal_code", "support_start", "limit"],
        ["E-1", "+13125550142", '=HYPERLINK("x")\nline two', "01234", "2026-01-31", "1000.50"],
        ["E-2", "", "'quoted", "00501", "", "25000"],
    ]
    header, read = rows_of(xlsx_of(rows))
    assert header == rows[0]
    assert read == rows[1:]
