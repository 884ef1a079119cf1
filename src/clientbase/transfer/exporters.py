"""Contacts and contracts out: CSV and XLSX with the import's columns (so an export imports back
unchanged), and contacts as vCard. Every export streams: rows are read from the database in chunks
and written as they come.

Which rows: `contacts_for_export` and `contracts_for_export` start from what `access` lets the user
see and filter with the list's own FilterSet."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import IO, Any

from django.db.models import QuerySet

from clientbase import access
from clientbase.audit import events
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.models import Contact
from clientbase.contracts.filters import ContractFilterSet
from clientbase.contracts.models import Contract
from clientbase.errors import ValidationFailed
from clientbase.transfer.formulas import neutralise, string_cell
from clientbase.transfer.kinds import KINDS, ContactKind, ContractKind
from clientbase.transfer.vcard import vcards

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "vcf": ("text/vcard; charset=utf-8", "vcf"),
}
# Contracts have no vCard.
CONTRACT_FORMATS = {name: FORMATS[name] for name in ("csv", "xlsx")}
CHUNK = 1000
# XLSX column widths, in characters: from the header and the first rows, within these bounds.
WIDTH_SAMPLE_ROWS = 100
MIN_WIDTH = 8
MAX_WIDTH = 60


def contacts_for_export(
    user: Any, params: Mapping[str, Any], *, ip: str | None = None, via: str = "command line"
) -> QuerySet[Contact]:
    """The contacts `user` may see, filtered like the contacts list (`customer`, `location`,
    `role`, `status`, `is_primary`, `search`); ValidationFailed for a bad filter value. Every
    export (API, pages, command line) goes through here and is recorded in the audit log with its
    filters, format and count; `ip` is the client's address, `via` the surface."""
    queryset = access.restrict(user, Contact.objects.all(), access.VIEW)
    filters = ContactFilterSet(
        {key: params[key] for key in ContactFilterSet.base_filters if key in params}, queryset=queryset
    )
    if not filters.is_valid():
        raise ValidationFailed(
            {name: [str(m) for m in messages] for name, messages in filters.errors.items()}
        )
    contacts = filters.qs.select_related("customer").prefetch_related("locations")
    events.record(
        events.EXPORT,
        user=user,
        ip=ip,
        detail={
            "kind": "contacts",
            "format": str(params.get("format") or "csv"),
            "filters": {key: str(params[key]) for key in ContactFilterSet.base_filters if key in params},
            "count": contacts.count(),
            "via": via,
        },
    )
    return contacts


def contact_table(contacts: QuerySet[Contact]) -> Iterator[list[str]]:
    """The header, then one row per contact, as text; the writers guard the cells (`csv_stream`,
    `write_xlsx`)."""
    yield list(ContactKind.columns)
    for contact in contacts.iterator(chunk_size=CHUNK):
        yield ContactKind.cells(contact)


def contracts_for_export(
    user: Any, params: Mapping[str, Any], *, ip: str | None = None, via: str = "command line"
) -> QuerySet[Contract]:
    """The contracts `user` may see, filtered like the contracts list (`customer`, `location`,
    `active`, `status`, `ending`, `search`); ValidationFailed for a bad filter value. Recorded in
    the audit log as `contacts_for_export` records its export."""
    queryset = access.restrict(user, Contract.objects.all(), access.VIEW)
    given = {key: params[key] for key in ContractFilterSet.base_filters if key in params}
    filters = ContractFilterSet(given, queryset=queryset)
    if not filters.is_valid():
        raise ValidationFailed(
            {name: [str(m) for m in messages] for name, messages in filters.errors.items()}
        )
    contracts = filters.qs.select_related("customer").prefetch_related("locations", "assets")
    events.record(
        events.EXPORT,
        user=user,
        ip=ip,
        detail={
            "kind": "contracts",
            "format": str(params.get("format") or "csv"),
            "filters": {key: str(value) for key, value in given.items()},
            "count": contracts.count(),
            "via": via,
        },
    )
    return contracts


def contract_table(
    contracts: QuerySet[Contract], hidden: frozenset[str] = frozenset()
) -> Iterator[list[str]]:
    """The header, then one row per contract, as text (the columns of a contract import, less the
    `hidden` ones: `access.hidden_fields` of the user, the notes for portal users)."""
    kept = [index for index, column in enumerate(ContractKind.columns) if column not in hidden]
    yield [ContractKind.columns[index] for index in kept]
    for contract in contracts.iterator(chunk_size=CHUNK):
        cells = ContractKind.cells(contract)
        yield [cells[index] for index in kept]


def template_table(kind: str) -> Iterator[list[str]]:
    """The template of an import: its header row and an example row (`Column.example`)."""
    yield list(KINDS[kind].columns)
    yield KINDS[kind].example_row()


def csv_stream(rows: Iterable[list[str]]) -> Iterator[bytes]:
    """CSV as UTF-8 with a BOM (so that spreadsheet programs read the letters right), streamed;
    every cell cleaned and guarded against formula injection (`formulas.neutralise`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def write_xlsx(rows: Iterable[list[str]], target: IO[bytes], title: str = "Contacts") -> None:
    """An XLSX workbook of typed string cells, written row by row (openpyxl's write-only mode).
    A string cell is never run as a formula, whatever its text (`=...`, `+1 312...`), so cells get
    no quote (`formulas.string_cell`; CSV keeps its guard); control characters other than tab and
    line breaks, which XLSX cannot hold, are left out, as in CSV. The first row is the header:
    bold, and frozen so that it stays in view; each column is as wide as its widest text among the
    header and the first `WIDTH_SAMPLE_ROWS` rows (`column_widths`), which are all the writer holds
    before it streams the rest."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    rows = iter(rows)
    first = list(islice(rows, WIDTH_SAMPLE_ROWS))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for column, width in enumerate(column_widths(first), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    for number, row in enumerate(chain(first, rows)):
        cells = []
        for text in row:
            cell = WriteOnlyCell(sheet, value=string_cell(text))
            cell.data_type = "s"  # openpyxl would make a text starting with "=" a formula
            if number == 0:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)


def column_widths(rows: Iterable[list[str]]) -> list[float]:
    """The width of each column (in characters, as XLSX measures them) for its longest line of
    text among `rows`, with a margin, within `MIN_WIDTH`..`MAX_WIDTH` (long notes wrap or are cut
    off on screen rather than make a column wider than the window). Wide characters (CJK) count
    twice."""
    longest: list[int] = []
    for row in rows:
        if len(row) > len(longest):
            longest.extend([0] * (len(row) - len(longest)))
        for column, text in enumerate(row):
            longest[column] = max(longest[column], max(map(_display_width, text.splitlines() or [""])))
    return [min(max(width + 2, MIN_WIDTH), MAX_WIDTH) for width in longest]


def _display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in line)


def xlsx_file(rows: Iterable[list[str]], title: str = "Contacts") -> IO[bytes]:
    """The workbook (its sheet named `title`) in an anonymous temporary file, rewound, for
    streaming to the client."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (closed by whoever streams it)
    write_xlsx(rows, target, title)
    target.seek(0)
    return target


def export_contacts(contacts: QuerySet[Contact], fmt: str, target: IO[bytes]) -> None:
    """Write the export into an open binary file (the CLI's path)."""
    if fmt == "csv":
        for chunk in csv_stream(contact_table(contacts)):
            target.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(contact_table(contacts), target)
    elif fmt == "vcf":
        for card in vcards(contacts.iterator(chunk_size=CHUNK)):
            target.write(card)
    else:
        raise ValidationFailed({"format": [f"One of {', '.join(FORMATS)}."]})


def export_contracts(
    contracts: QuerySet[Contract], fmt: str, target: IO[bytes], hidden: frozenset[str] = frozenset()
) -> None:
    """Write the contracts' export (CSV or XLSX) into an open binary file (the CLI's path)."""
    if fmt == "csv":
        for chunk in csv_stream(contract_table(contracts, hidden)):
            target.write(chunk)
    elif fmt == "xlsx":
        write_xlsx(contract_table(contracts, hidden), target, "Contracts")
    else:
        raise ValidationFailed({"format": [f"One of {', '.join(CONTRACT_FORMATS)}."]})
