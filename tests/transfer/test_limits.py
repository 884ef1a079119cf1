"""Bounded work on upload: hostile files (a 40,000- or a million-column header, a CSV row of
millions of characters, a zip bomb, an XLSX declaring millions of rows or holding a huge text, an
oversize upload) are refused with a clear 400 on the API and a form error on the pages, nothing
created; the readers stop at the caps instead of reading on. Never timed: what is asserted is the
refusal and how far the reader got (rows parsed, openpyxl never called, memory)."""

from __future__ import annotations

import csv as csv_module
import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, RequestFactory
from openpyxl import Workbook

from clientbase.contacts.models import Contact
from clientbase.errors import ValidationFailed
from clientbase.transfer import readers
from clientbase.transfer.kinds import ContactKind
from clientbase.transfer.limits import Limits, too_large_message
from clientbase.transfer.models import ImportRun
from clientbase.transfer.readers import FileRefused, open_table
from clientbase.transfer.uploads import OversizeUpload
from clientbase.transfer.views import uploads_dir

pytestmark = pytest.mark.django_db
MB = 1024 * 1024
IMPORTS = "/api/v1/imports/"
SHEET = "xl/worksheets/sheet1.xml"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


@pytest.fixture(autouse=True)
def _own_uploads_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


# Hostile files, built in memory -----------------------------------------------------------------------


def wide_header(columns: int) -> bytes:
    return (",".join(f"c{n}" for n in range(columns)) + "\nx\n").encode()


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewritten(data: bytes, parts: dict[str, object]) -> bytes:
    """The workbook with some parts replaced: bytes, or a callable of the old bytes, or an iterable
    of chunks streamed into the archive (so that a huge part is never held in memory)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        names = [info.filename for info in source.infolist()]
        for name in names + [name for name in parts if name not in names]:
            part = parts.get(name, source.read(name) if name in names else b"")
            if callable(part):
                part = part(source.read(name))
            if isinstance(part, bytes):
                archive.writestr(name, part)
            else:
                with archive.open(name, "w", force_zip64=True) as target:
                    for chunk in part:
                        target.write(chunk)
    return out.getvalue()


def with_shared_strings(strings: object) -> bytes:
    """A workbook whose cell A2 is the first shared string; `strings` is the part's content."""
    return rewritten(
        xlsx([["last_name"], ["placeholder"]]),
        {
            "[Content_Types].xml": lambda xml: xml.replace(
                b"</Types>",
                f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'
                "</Types>".encode(),
            ),
            SHEET: lambda xml: xml.replace(
                b'<c r="A2" t="inlineStr"><is><t>placeholder</t></is></c>', b'<c r="A2" t="s"><v>0</v></c>'
            ),
            "xl/sharedStrings.xml": strings,
        },
    )


def shared_string_part(text_chunks) -> object:
    def chunks():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
        yield from text_chunks
        yield b"</t></si></sst>"

    return chunks()


def many_texts(count: int, then: bytes = b"") -> bytes:
    """A workbook whose shared strings part holds `count` tiny texts, then `then`."""

    def chunks():
        yield b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        for n in range(count):
            yield f"<si><t>{n % 100:02}</t></si>".encode()
        yield then + b"</sst>"

    return with_shared_strings(chunks())


def zip_bomb() -> bytes:
    """A small workbook whose shared strings unpack to 300 MB."""
    return with_shared_strings(shared_string_part(b"A" * MB for _ in range(300)))


def millions_of_rows() -> bytes:
    """A small workbook declaring A1:Z5000000, with a row at 5,000,000."""
    return rewritten(
        xlsx([["last_name"], ["Doe"], ["Roe"]]),
        {
            SHEET: lambda xml: (
                xml.replace(b'ref="A1:A3"', b'ref="A1:Z5000000"')
                .replace(b'<row r="3">', b'<row r="5000000">')
                .replace(b'r="A3"', b'r="A5000000"')
            )
        },
    )


def upload(data: bytes, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(FileRefused) as refused:
        table = open_table(io.BytesIO(data), limits)
        for _ in table.records():
            pass
    return refused.value.errors["file"][0]


@pytest.fixture
def parsed_rows(monkeypatch):
    """Counts the rows the readers parse: CSV records from the csv module, XLSX rows from openpyxl."""
    from openpyxl.worksheet._reader import WorkSheetParser

    counted = {"csv": 0, "xlsx": 0}
    real_reader, real_parse_row = csv_module.reader, WorkSheetParser.parse_row

    class CountingReader:
        def __init__(self, *args, **kwargs):
            self.reader = real_reader(*args, **kwargs)

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self.reader)
            counted["csv"] += 1
            return row

        @property
        def line_num(self):
            return self.reader.line_num

    def counting_parse_row(self, element):
        counted["xlsx"] += 1
        return real_parse_row(self, element)

    monkeypatch.setattr(readers.csv, "reader", CountingReader)
    monkeypatch.setattr(WorkSheetParser, "parse_row", counting_parse_row)
    return counted


@pytest.fixture
def openpyxl_never_called(monkeypatch):
    """Makes any parse of a workbook's parts by openpyxl fail the test."""
    from openpyxl.packaging.manifest import Manifest

    def called(*args, **kwargs):
        raise AssertionError("openpyxl was handed the file")

    monkeypatch.setattr(Manifest, "from_tree", called)
    monkeypatch.setattr("clientbase.transfer.xlsx.read_shared_strings", called)


# Columns -------------------------------------------------------------------------------------------------


def test_a_header_of_40000_columns_is_refused_by_the_column_cap():
    assert refusal(wide_header(40_000)) == "Row 1 has 40,000 columns; files may have at most 200."


def test_a_header_of_a_million_columns_is_refused_on_the_command_line_too(parsed_rows):
    data = (",".join("c" for _ in range(1_000_000)) + "\n").encode()
    message = refusal(data, Limits.command_line())
    assert message == "Row 1 has 1,000,000 columns; files may have at most 200."
    assert parsed_rows["csv"] == 1


def test_a_csv_row_of_millions_of_characters_is_refused_before_it_is_held(settings):
    settings.CLIENTBASE_IMPORT_MAX_COLUMNS = 10
    settings.CLIENTBASE_IMPORT_MAX_CELL_CHARS = 100
    data = b"last_name\n" + b"," * (30 * MB) + b"\n"  # 30 million empty values in one row
    tracemalloc.start()
    try:
        message = refusal(data, Limits.command_line())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert message.startswith("Row 2 is longer than 1,030 characters")
    assert peak < 8 * MB, f"peak {peak / MB:.1f} MB"  # the row as a list would take 240 MB


def test_the_column_check_names_only_the_first_unknown_columns():
    header = [f"c{n}" for n in range(40_000)] + ["email", "email"]
    with pytest.raises(ValidationFailed) as refused:
        ContactKind.check_columns(header)
    message = refused.value.errors["file"][0]
    assert message.startswith("Unknown columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 39,990 more.")
    assert "Repeated columns: email." in message
    assert len(message) < 2000


def test_xlsx_rows_of_too_many_cells_or_a_value_beyond_the_last_column_are_refused(settings):
    settings.CLIENTBASE_IMPORT_MAX_COLUMNS = 5
    many_cells = rewritten(
        xlsx([["last_name"], ["Doe"]]),
        {SHEET: lambda x: x.replace(b"</row><row", b"<c/>" * 6 + b"</row><row", 1)},
    )
    assert refusal(many_cells) == "Row 1 has more than 5 cells; files may have at most 5 columns."
    far = rewritten(xlsx([["last_name"], ["Doe"]]), {SHEET: lambda x: x.replace(b'r="A2"', b'r="XFD2"')})
    assert refusal(far) == "Row 2 has a value in column 16,384; files may have at most 5 columns."


def test_a_value_longer_than_the_cell_cap_is_refused(settings):
    settings.CLIENTBASE_IMPORT_MAX_CELL_CHARS = 1000
    assert refusal(b"last_name,notes\nDoe," + b"x" * 1001 + b"\n") == (
        "Row 2, column 2: the value has 1,001 characters; a value may have at most 1,000."
    )
    huge_shared_string = with_shared_strings(shared_string_part([b"y" * 5000]))
    assert refusal(huge_shared_string) == (
        "Row 2, column 1: the value has 5,000 characters; a value may have at most 1,000."
    )


# Rows --------------------------------------------------------------------------------------------------


def test_a_csv_with_more_rows_than_the_cap_is_refused_after_reading_one_more(settings, parsed_rows):
    settings.CLIENTBASE_IMPORT_MAX_ROWS = 10
    data = ("last_name\n" + "".join(f"Person {n}\n" for n in range(5000))).encode()
    assert refusal(data) == (
        "The file has more than 10 rows after the header, the most an upload may hold; split it into "
        "smaller files, or have an administrator import it with the command line."
    )
    assert parsed_rows["csv"] <= 1 + (1 + 10 + 1)  # the header pass, then header, cap, one more


def test_an_xlsx_with_more_rows_than_the_cap_is_refused_after_reading_one_more(settings, parsed_rows):
    settings.CLIENTBASE_IMPORT_MAX_ROWS = 10
    data = xlsx([["last_name"], *([f"Person {n}"] for n in range(500))])
    assert refusal(data).startswith("The file has more than 10 rows after the header")
    assert parsed_rows["xlsx"] <= 1 + (1 + 10 + 1)


def test_an_xlsx_declaring_millions_of_rows_is_refused_without_reading_them(parsed_rows):
    assert refusal(millions_of_rows()).startswith("The file has more than 100,000 rows after the header")
    assert parsed_rows["xlsx"] <= 1 + 3  # the rows it has; the five million it declares are not read


def test_an_xlsx_dimension_is_not_trusted(parsed_rows):
    data = rewritten(
        xlsx([["last_name"], ["Doe"]]), {SHEET: lambda x: x.replace(b'ref="A1:A2"', b'ref="A1:Z5000000"')}
    )
    table = open_table(io.BytesIO(data))
    assert list(table.records()) == [(2, ["Doe"])]
    assert parsed_rows["xlsx"] == 1 + 2


def test_the_command_line_reads_rows_beyond_the_web_cap_but_not_beyond_the_sheet(settings):
    settings.CLIENTBASE_IMPORT_MAX_ROWS = 2
    data = ("last_name\n" + "".join(f"Person {n}\n" for n in range(5))).encode()
    assert len(list(open_table(io.BytesIO(data), Limits.command_line()).records())) == 5
    assert (
        refusal(millions_of_rows(), Limits.command_line())
        == "This XLSX workbook is damaged and cannot be read."
    )


# What an XLSX workbook unpacks to ------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_openpyxl_sees_it(openpyxl_never_called):
    data = zip_bomb()
    assert len(data) < 2 * MB
    message = refusal(data, Limits.command_line())
    assert message.startswith("This XLSX workbook unpacks to ")
    assert "it is refused as a possible zip bomb" in message


def test_a_workbook_unpacking_beyond_the_cap_is_refused_before_openpyxl_sees_it(
    settings, openpyxl_never_called
):
    settings.CLIENTBASE_XLSX_MAX_UNZIPPED_BYTES = 100 * 1024
    data = rewritten(xlsx([["last_name"], ["Doe"]]), {"xl/media/padding.bin": b"\0" * 256 * 1024})
    message = refusal(data)
    assert message.startswith("This XLSX workbook unpacks to 27")  # 256 KB and the workbook's parts
    assert message.endswith(
        " KB, more than the 100 KB allowed; split it into smaller files, or save it as CSV."
    )


def test_shared_strings_beyond_their_cap_are_refused_before_they_are_read(settings, monkeypatch):
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS_BYTES = 64 * 1024
    monkeypatch.setattr(
        "clientbase.transfer.xlsx.read_shared_strings",
        lambda source, limits: (_ for _ in ()).throw(AssertionError("read")),
    )
    texts = b"".join(f"<si><t>text number {n}</t></si>".encode() for n in range(5000))
    data = with_shared_strings(
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + texts + b"</sst>"
    )
    message = refusal(data)
    assert message.startswith("The texts of this XLSX workbook unpack to ")
    assert message.endswith("more than the 64 KB allowed; split it into smaller files, or save it as CSV.")


def test_a_shared_string_part_within_the_caps_is_read():
    data = with_shared_strings(shared_string_part([b"Doe"]))
    assert list(open_table(io.BytesIO(data)).records()) == [(2, ["Doe"])]


def test_a_workbook_of_more_texts_than_the_cap_is_refused_while_they_are_counted(settings, parsed_rows):
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS = 1000
    # Broken XML far behind the first string beyond the cap: reading on would find it.
    data = many_texts(20_000, then=b"<si><t>broken</si>")
    message = refusal(data)
    assert message == (
        "This XLSX workbook holds more than 1,000 different texts, more than a file within the "
        "import's limits needs; split it into smaller files, or save it as CSV."
    )
    assert parsed_rows["xlsx"] == 0


def test_a_workbook_of_as_many_texts_as_the_cap_is_read(settings):
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS = 3
    assert list(open_table(io.BytesIO(many_texts(3))).records()) == [(2, ["00"])]


def test_shared_strings_are_read_as_openpyxl_reads_them():
    data = with_shared_strings(
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si>'
        b"<r><rPr><b/></rPr><t>Do</t></r><r><t>e_x005F_</t></r><rPh><t>ignored</t></rPh></si></sst>"
    )
    assert list(open_table(io.BytesIO(data)).records()) == [(2, ["Doe_"])]


def test_a_shared_string_of_too_many_elements_is_refused_as_damaged():
    runs = b"<r><t>x</t></r>" * 5000
    data = with_shared_strings(shared_string_part([b"</t>" + runs + b"<t>"]))
    assert refusal(data) == "This XLSX workbook is damaged and cannot be read."


@pytest.mark.parametrize("where", ["before the rows", "in a row"])
def test_a_worksheet_holding_too_many_elements_at_once_is_refused(monkeypatch, parsed_rows, where):
    monkeypatch.setattr("clientbase.transfer.xlsx.XLSX_MAX_HELD_ELEMENTS", 1000)
    junk = b"<extLst>" + b"<ext/>" * 1200 + b"</extLst>"
    sheet = {
        "before the rows": lambda xml: xml.replace(b"<sheetData>", junk + b"<sheetData>"),
        "in a row": lambda xml: xml.replace(b'<row r="2">', b'<row r="2">' + junk),
    }[where]
    data = rewritten(xlsx([["last_name"], ["Doe"]]), {SHEET: sheet})
    assert refusal(data) == "This XLSX workbook is damaged and cannot be read."
    if where == "before the rows":
        assert parsed_rows["xlsx"] == 0


def test_what_comes_before_the_rows_is_dropped_as_it_is_read(monkeypatch):
    monkeypatch.setattr("clientbase.transfer.xlsx.XLSX_MAX_HELD_ELEMENTS", 1000)
    junk = b"<cols>" + b'<col min="1" max="1" width="9"/>' * 900 + b"</cols>"
    data = rewritten(
        xlsx([["last_name"], ["Doe"]]),
        {SHEET: lambda xml: xml.replace(b"<sheetData>", junk * 3 + b"<sheetData>")},
    )
    assert list(open_table(io.BytesIO(data)).records()) == [(2, ["Doe"])]


def test_too_many_texts_are_refused_by_the_api_before_any_row_is_read(
    api, dispatcher, settings, parsed_rows, monkeypatch
):
    from openpyxl.worksheet._reader import WorkSheetParser

    def never(*args, **kwargs):
        raise AssertionError("the worksheet was parsed")

    monkeypatch.setattr(WorkSheetParser, "__init__", never)
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS = 1000
    for dry_run in ("true", "false"):
        response = api(dispatcher).post(
            IMPORTS,
            {"file": upload(many_texts(5000), "contacts.xlsx"), "dry_run": dry_run},
            format="multipart",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["file"]
        assert "holds more than 1,000 different texts" in response.json()["file"][0]
    assert parsed_rows["xlsx"] == 0
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


# Uploads through the web ---------------------------------------------------------------------------------


def test_an_oversize_upload_is_dropped_as_it_arrives(settings):
    settings.CLIENTBASE_UPLOAD_MAX_BYTES = 1000
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django would keep it in a temporary file
    request = RequestFactory().post("/imports/new/", {"file": upload(b"x" * 50_000)})
    received = request.FILES["file"]
    assert isinstance(received, OversizeUpload)
    assert (received.size, received.read()) == (50_000, b"")
    temporary = request.upload_handlers[-1].file
    assert temporary.closed  # the first 1000 bytes it kept are discarded
    small = RequestFactory().post("/imports/new/", {"file": upload(b"last_name\nDoe\n")}).FILES["file"]
    assert not isinstance(small, OversizeUpload) and small.read() == b"last_name\nDoe\n"


HOSTILE = {
    "oversize": lambda: upload(b"last_name\n" + b"Doe\n" * 1000),
    "40,000 columns": lambda: upload(wide_header(40_000)),
    "millions of rows": lambda: upload(millions_of_rows(), "contacts.xlsx"),
    "zip bomb": lambda: upload(zip_bomb(), "contacts.xlsx"),
    "many texts": lambda: upload(many_texts(2000), "contacts.xlsx"),
}
MESSAGES = {
    "oversize": too_large_message(2000),
    "40,000 columns": "Row 1 has 40,000 columns; files may have at most 200.",
    "millions of rows": "The file has more than 100,000 rows after the header",
    "zip bomb": "it is refused as a possible zip bomb",
    "many texts": "This XLSX workbook holds more than 1,000 different texts",
}


@pytest.mark.parametrize("case", HOSTILE)
def test_the_api_answers_400_and_imports_nothing(api, dispatcher, settings, case):
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS = 1000
    if case == "oversize":
        settings.CLIENTBASE_UPLOAD_MAX_BYTES = 2000
    response = api(dispatcher).post(
        IMPORTS, {"file": HOSTILE[case](), "dry_run": "false"}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert MESSAGES[case] in response.json()["file"][0]
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


@pytest.mark.parametrize("case", HOSTILE)
def test_the_upload_page_shows_a_form_error_and_keeps_nothing(dispatcher, settings, case):
    settings.CLIENTBASE_XLSX_MAX_SHARED_STRINGS = 1000
    if case == "oversize":
        settings.CLIENTBASE_UPLOAD_MAX_BYTES = 2000
    client = Client()
    client.force_login(dispatcher)
    response = client.post("/imports/new/", {"kind": "contacts", "file": HOSTILE[case](), "match": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert MESSAGES[case].replace("'", "&#x27;") in page
    assert not list(uploads_dir().iterdir())
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_request_carries_at_most_one_file(api, dispatcher):
    response = api(dispatcher).post(
        IMPORTS,
        {"file": upload(b"last_name\nDoe\n"), "second": upload(b"last_name\nRoe\n")},
        format="multipart",
    )
    assert response.status_code == 400
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


def test_the_upload_page_names_the_limits(dispatcher):
    client = Client()
    client.force_login(dispatcher)
    page = client.get("/imports/new/").content.decode()
    assert "A file may hold at most 20 MB, 100,000 rows and 200 columns" in page


def test_an_upload_page_file_within_the_limits_still_goes_to_the_preview(dispatcher, settings):
    settings.CLIENTBASE_IMPORT_MAX_ROWS = 3
    client = Client()
    client.force_login(dispatcher)
    response = client.post(
        "/imports/new/", {"kind": "contacts", "file": upload(b"last_name\nA\nB\nC\n"), "match": ""}
    )
    assert response.status_code == 302
    refused = client.post(
        "/imports/new/", {"kind": "contacts", "file": upload(b"last_name\nA\nB\nC\nD\n"), "match": ""}
    )
    assert "The file has more than 3 rows after the header" in refused.content.decode()


# The command line --------------------------------------------------------------------------------------


def test_the_command_line_imports_files_beyond_the_web_caps_and_keeps_the_others(
    admin_user, settings, tmp_path
):
    settings.CLIENTBASE_IMPORT_MAX_ROWS = 2
    settings.CLIENTBASE_UPLOAD_MAX_BYTES = 10
    path = tmp_path / "long.csv"
    path.write_text("last_name\n" + "".join(f"Person {n}\n" for n in range(5)))
    call_command("import", "contacts", str(path), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert Contact.objects.count() == 5
    wide = tmp_path / "wide.csv"
    wide.write_bytes(wide_header(40_000))
    with pytest.raises(CommandError, match=r"Row 1 has 40,000 columns; files may have at most 200\. Nothing"):
        call_command(
            "import", "contacts", str(wide), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO()
        )
    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(zip_bomb())
    with pytest.raises(CommandError, match="refused as a possible zip bomb"):
        call_command(
            "import", "contacts", str(bomb), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO()
        )
    assert Contact.objects.count() == 5
