"""The service reports page in a real Chromium: open it from the navigation, filter it (group by,
customer, period) with the GET form, read the table, and download the filtered report as CSV."""

from __future__ import annotations

import csv
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import AssetFactory, CustomerFactory, LocationFactory
from tests.reports.conftest import at, work_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filter_the_report_and_download_it_as_csv(signed_in, tmp_path):
    page = signed_in
    acme = CustomerFactory(name="Acme Cooling")
    north = LocationFactory(customer=acme, name="North Plant")
    south = LocationFactory(customer=acme, name="South Plant")
    chiller = AssetFactory(location=north, name="Chiller 1")
    work_order(
        acme,
        location=north,
        asset=chiller,
        status="completed",
        created=at(2024, 3, 1, 8),
        completed=at(2024, 3, 3, 20),
    )
    work_order(acme, location=north, status="open", created=at(2024, 3, 15))
    work_order(acme, location=south, status="completed", created=at(2024, 4, 2), completed=at(2024, 4, 3))
    birch = CustomerFactory(name="Birch Offices")
    work_order(birch, location=LocationFactory(customer=birch, name="Birch HQ"), created=at(2024, 3, 6))
    AssetFactory(location=south, name="Idle boiler", installed_on=datetime.date(2015, 1, 1))  # fmt: skip

    page.goto("/customers/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports").click()
    page.wait_for_url("**/reports/")
    report = page.get_by_role("region", name="Work orders per customer")
    expect(report.get_by_role("row").filter(has_text="Acme Cooling")).to_contain_text("3")
    expect(
        page.get_by_role("region", name="Idle assets").get_by_role("row").filter(has_text="Idle boiler")
    ).to_contain_text("never")

    page.get_by_label("Group by").select_option("location")
    page.get_by_label("Customer number").fill(acme.number)
    page.get_by_label("Created from").fill("2024-03-01")
    page.get_by_label("Created to").fill("2024-03-31")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/reports/?*group_by=location*")
    expect(page.get_by_role("heading", level=1)).to_have_text("Service reports: Acme Cooling")
    rows = page.get_by_role("region", name="Work orders per location").get_by_role("row")
    expect(rows.filter(has_text="North Plant")).to_contain_text("2.5")
    expect(rows.filter(has_text="South Plant")).to_have_count(0)  # created in April
    expect(rows.filter(has_text="Birch")).to_have_count(0)
    screenshot(page, "reports")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == f"service-report-location-{timezone.localdate().isoformat()}.csv"
    saved = tmp_path / "report.csv"
    download.save_as(saved)
    with saved.open(encoding="utf-8-sig", newline="") as file:
        lines = list(csv.reader(file))
    assert lines[0] == [
        "location_id", "location_name", "customer_id", "customer_number", "customer_name", "total", "open", "completed", "cancelled",
        "mean_days_to_complete", "last_service",
    ]  # fmt: skip
    assert lines[1] == [
        str(north.pk),
        "North Plant",
        str(acme.pk),
        acme.number,
        "Acme Cooling",
        "2",
        "1",
        "1",
        "0",
        "2.5",
        "2024-03-03",
    ]
    assert len(lines) == 2
