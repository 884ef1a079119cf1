"""The import wizard in a real Chromium: export the contacts, change a cell, upload the file, read
the preview of exactly what will change, import, and revert. (Part of the transfer app; it lives
here to use this folder's browser fixtures.)"""

from __future__ import annotations

import csv
import re

import pytest
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_export_edit_preview_import_and_revert(signed_in, tmp_path):
    page = signed_in
    customer = CustomerFactory(name="Northwind Hospitals")
    LocationFactory(customer=customer, name="North Campus", code="N")
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        title="Technician",
        email="mike@northwind.example",
        phone="+13125550142",
    )
    ContactFactory(
        customer=customer, first_name="Susan", last_name="Williams", email="susan@northwind.example"
    )

    page.goto("/imports/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    exported = tmp_path / "contacts.csv"
    download_info.value.save_as(exported)
    with exported.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert "'+13125550142" in [row["phone"] for row in rows]  # the formula guard
    for row in rows:  # what a spreadsheet user does: change a cell, add a line
        if row["last_name"] == "Johnson":
            row["title"] = "Lead Technician"
    rows.append({"customer": customer.number, "first_name": "Ann", "last_name": "Lee", "locations": "N"})
    with exported.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]), restval="")
        writer.writeheader()
        writer.writerows(rows)

    screenshot(page, "transfer-imports")
    page.get_by_role("link", name="Import a file").first.click()
    page.get_by_label("File").set_input_files(str(exported))
    screenshot(page, "transfer-upload")
    page.get_by_role("button", name="Preview the import").click()
    expect(page).to_have_url(re.compile(r"/imports/preview/"))
    figures = page.locator("#import-figures")
    expect(figures.locator('[data-figure="created"]')).to_have_text("1")
    expect(figures.locator('[data-figure="updated"]')).to_have_text("1")
    expect(figures.locator('[data-figure="unchanged"]')).to_have_text("1")
    changes = page.locator("#import-changes")
    expect(changes).to_contain_text("Technician")
    expect(changes).to_contain_text("Lead Technician")
    expect(changes).to_contain_text("Ann Lee")
    screenshot(page, "transfer-preview")
    assert Contact.objects.count() == 2  # the preview changed nothing

    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator("#messages")).to_contain_text("Imported: 1 created, 1 updated, 1 unchanged.")
    mike.refresh_from_db()
    assert mike.title == "Lead Technician"
    assert Contact.objects.filter(last_name="Lee").exists()

    screenshot(page, "transfer-import")
    page.get_by_role("link", name="Revert this import…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Revert import")
    page.get_by_role("button", name="Revert this import").click()
    expect(page.locator("#messages")).to_contain_text("was reverted")
    mike.refresh_from_db()
    assert mike.title == "Technician"
    assert not Contact.objects.filter(last_name="Lee").exists()


def test_a_spreadsheet_with_other_headers_is_mapped_then_imported(signed_in, tmp_path):
    page = signed_in
    customer = CustomerFactory(name="Northwind Hospitals")
    stored = ContactFactory(
        customer=customer, external_id="E-1", last_name="Johnson", title="Technician", phone="+13125550142"
    )
    path = tmp_path / "people.csv"
    path.write_text(
        "External ID,Company,Nachname,Job Title,Telefon\n"
        f"E-1,{customer.number},Johnson,Lead Technician,\n"
        f"E-2,{customer.number},Lee,Engineer,(312) 555-0177\n"
    )
    page.goto("/imports/new/")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_role("button", name="Preview the import").click()
    expect(page).to_have_url(re.compile(r"/columns/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Columns of people.csv")
    expect(page.get_by_label("Job Title")).to_have_value("title")  # recognised
    page.get_by_label("Nachname").select_option("last_name")
    page.get_by_label("Telefon").select_option("phone")
    screenshot(page, "transfer-columns")
    page.get_by_role("button", name="Preview the import").click()
    expect(page).to_have_url(re.compile(r"/imports/preview/[^/]+/$"))
    figures = page.locator("#import-figures")
    expect(figures.locator('[data-figure="created"]')).to_have_text("1")
    expect(figures.locator('[data-figure="updated"]')).to_have_text("1")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator("#messages")).to_contain_text("Imported: 1 created, 1 updated")
    stored.refresh_from_db()
    assert (stored.title, stored.phone) == ("Lead Technician", "+13125550142")  # the blank kept it
    assert Contact.objects.get(external_id="E-2").phone == "+13125550177"
