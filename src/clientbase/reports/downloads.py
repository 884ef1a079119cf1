"""The service report as a file: CSV (UTF-8 with a BOM, streamed) or XLSX, every group of the
report (not a page of it), named `service-report-<group_by>-<today>.<csv|xlsx>`.

Columns: the group's id and name, then its customer (by customer: `customer_id`, `customer_number`,
`customer_name`; by location: `location_id`, `location_name`, then the location's `customer_id`,
`customer_number` and `customer_name`; by asset likewise), `total`, `open`, `completed`,
`cancelled`, `mean_days_to_complete` (days, one decimal, empty when none is completed),
`last_service` (YYYY-MM-DD, empty when none). The customer's number (C-000042) is how the pages and
the other exports name a customer. A group of work orders at no particular site or on no
particular asset has an empty id.

Texts are guarded against formula injection as the contact exports guard them
(`transfer.formulas`: a CSV cell starting with `=`, `+`, `-` or `@` gets a leading quote; XLSX
cells are typed strings, numbers typed numbers and days typed dates). Every download is recorded in
the audit log (`data.export`, kind "service report", with its filters and number of rows)."""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import IO, Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from clientbase.audit import events
from clientbase.reports.params import ServiceQuery
from clientbase.reports.selectors import ServiceRow, service_report, service_rows
from clientbase.transfer.downloads import attachment
from clientbase.transfer.exporters import CHUNK, FORMATS, WIDTH_SAMPLE_ROWS, column_widths, csv_stream
from clientbase.transfer.formulas import string_cell

FIGURES = ("total", "open", "completed", "cancelled", "mean_days_to_complete", "last_service")

Cell = str | int | float | datetime.date | None


def header(group_by: str) -> list[str]:
    """The column names of a report grouped by `group_by`."""
    columns = ["customer_id", "customer_number", "customer_name"]
    if group_by != "customer":
        columns = [f"{group_by}_id", f"{group_by}_name", *columns]
    return [*columns, *FIGURES]


def cells(row: ServiceRow) -> list[Cell]:
    """One row's values, typed (None: an empty cell)."""
    values: list[Cell] = [row.customer_id, row.customer_number, row.customer_name]
    if row.group_by != "customer":
        values = [row.group_id, row.group_name, *values]
    return [
        *values,
        row.total,
        row.open,
        row.completed,
        row.cancelled,
        row.mean_days_to_complete,
        row.last_service,
    ]


def table(group_by: str, rows: Iterable[ServiceRow]) -> Iterator[list[Cell]]:
    """The header, then one row per group."""
    yield list(header(group_by))
    for row in rows:
        yield cells(row)


def text(value: Cell) -> str:
    """A value as a CSV cell holds it: days as YYYY-MM-DD, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def write_xlsx(rows: Iterable[list[Cell]], target: IO[bytes]) -> None:
    """An XLSX workbook of one sheet, "Service report": the header bold and frozen, texts as typed
    strings (never run as formulas: `formulas.string_cell`), numbers as numbers, days as dates;
    each column as wide as its widest text among the header and the first rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Service report")
    for column, width in enumerate(column_widths([[text(value) for value in row] for row in first]), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    rows = iter(chain(first, rows))
    heading = []
    for name in next(rows):
        cell = WriteOnlyCell(sheet, value=string_cell(str(name)))
        cell.font = bold
        heading.append(cell)
    sheet.append(heading)
    for row in rows:
        # Plain values where openpyxl types them right (numbers, days as dates, most texts): a
        # cell object for every value would take twice as long.
        written: list[Any] = []
        for value in row:
            if isinstance(value, str):
                value = string_cell(value)
                if value.startswith("="):  # openpyxl would make it a formula
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"
                    value = cell
            written.append(value)
        sheet.append(written)
    workbook.save(target)


def filename(group_by: str, fmt: str) -> str:
    return f"service-report-{group_by}-{timezone.localdate().isoformat()}.{FORMATS[fmt][1]}"


def service_download(
    user: Any, query: ServiceQuery, fmt: str, *, ip: str | None = None, via: str = "api"
) -> StreamingHttpResponse | FileResponse:
    """The report `query` asks for as a download in `fmt` ("csv" or "xlsx"), every group; the
    caller has checked it (`selectors.check_service_report`). Two queries: the count the audit
    log records, and the rows (streamed in chunks for CSV)."""
    report = service_report(user, query)
    events.record(
        events.EXPORT,
        user=user,
        ip=ip,
        detail={
            "kind": "service report",
            "format": fmt,
            "filters": query.as_params(),
            "count": report.count(),
            "via": via,
        },
    )
    rows = table(query.group_by, service_rows(query.group_by, report.iterator(chunk_size=CHUNK)))
    content_type = FORMATS[fmt][0]
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        target = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response once sent)
        write_xlsx(rows, target)
        target.seek(0)
        response = FileResponse(target, content_type=content_type)
    else:
        response = StreamingHttpResponse(
            csv_stream([text(value) for value in row] for row in rows), content_type=content_type
        )
    response["Content-Disposition"] = attachment(filename(query.group_by, fmt))
    return response
