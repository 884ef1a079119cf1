"""Large files stream: memory stays flat however many rows a file has. Measured with tracemalloc
(peak of what Python allocated while the import ran), never timed.

The bounds: a 100,000-row CSV (15 MB on disk) is read, checked for conflicts inside the file and
turned into API bodies row by row with a peak of about 3 MB; we allow 20 MB, far below what holding
its rows would take (each row as a dict of nine strings is about 1.5 KB of Python objects: some
150 MB for the file), so any accumulation per row fails the test. The full path through
the serializer and the service (about 15 ms a row on SQLite, mostly the contact service's own model
validation, and several times that under tracemalloc) is measured on a commit of 100 rows in chunks
of 20: its peak must not grow with the rows written, so it is compared with that of a 25-row commit.
XLSX is read by openpyxl's streaming reader, slow under tracemalloc: 5,000 rows show it."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from openpyxl import Workbook

from clientbase.contacts.models import Contact
from clientbase.transfer import services
from clientbase.transfer.kinds import ContactKind
from clientbase.transfer.readers import open_table

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def contact_rows(count: int, customer_number: str) -> Iterator[list[str]]:
    yield [
        "external_id",
        "customer",
        "first_name",
        "last_name",
        "roles",
        "email",
        "phone",
        "locations",
        "notes",
    ]
    for n in range(count):
        yield [
            f"X-{n}",
            customer_number,
            f"First{n}",
            f"Last{n}",
            "site, billing",
            f"person{n}@example.com",
            f"+1 312 555 {n % 10000:04d}",
            "N",
            "Prefers e-mail, mornings only; gate code 1234",
        ]


def peak_of(work: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    try:
        result = work()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_100k_row_csv_is_read_checked_and_parsed_in_flat_memory(
    admin_user, customer_with_two_sites, tmp_path
):
    customer = customer_with_two_sites[0]
    path = tmp_path / "big.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows(contact_rows(100_000, customer.number))
    assert path.stat().st_size > 10 * MB

    def read_everything() -> int:
        with path.open("rb") as file:
            table = open_table(file)
            spec = ContactKind(admin_user)
            names = ContactKind.check_columns(table.header)
            total, conflicts = services._check_file(spec, table, names)  # pass 1: every row, conflicts
            assert conflicts == {}
            parsed = 0
            for _, row in services._rows(table, names):  # pass 2's reading and parsing
                spec.body(row, None)
                parsed += 1
            assert parsed == total
            return total

    total, peak = peak_of(read_everything)
    assert total == 100_000
    assert peak < 20 * MB, f"peak {peak / MB:.1f} MB"


def test_a_large_xlsx_is_read_in_flat_memory(tmp_path):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    rows = 5_000
    for row in contact_rows(rows, "C-000001"):
        sheet.append(row)
    path = tmp_path / "big.xlsx"
    workbook.save(path)

    def read_everything() -> int:
        with path.open("rb") as file:
            return sum(1 for _ in open_table(file).records())

    count, peak = peak_of(read_everything)
    assert count == rows
    # openpyxl keeps a workbook's shared strings in memory (ours writes inline strings); the rows
    # themselves are parsed one by one.
    assert peak < 10 * MB, f"peak {peak / MB:.1f} MB"


def test_the_full_commit_path_does_not_grow_with_the_rows_written(admin_user, customer_with_two_sites):
    customer = customer_with_two_sites[0]

    def commit(count: int, offset: int) -> services.ImportReport:
        out = io.StringIO()
        writer = csv.writer(out)
        for n, row in enumerate(contact_rows(count, customer.number)):
            if n:
                row[0], row[5] = f"X-{offset + n}", f"person{offset + n}@example.com"
            writer.writerow(row)
        return services.import_file(
            acting_user=admin_user,
            kind="contacts",
            file=io.BytesIO(out.getvalue().encode()),
            dry_run=False,
            chunk_rows=20,
        )

    commit(10, 0)  # warm up: imports, caches, first queries
    small, small_peak = peak_of(lambda: commit(25, 1000))
    large, large_peak = peak_of(lambda: commit(100, 2000))
    assert (small.created, large.created, large.errors) == (25, 100, [])
    assert Contact.objects.count() == 135
    assert large_peak < small_peak + 2 * MB, f"{small_peak / MB:.1f} MB -> {large_peak / MB:.1f} MB"
