"""The service report as CSV and XLSX: every group (not a page), the columns of its grouping, the
file's name, texts guarded against formula injection as the contact exports guard them, the
download recorded in the audit log; through the API and the staff page alike."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from clientbase.audit.models import AuditEvent
from tests.factories import CustomerFactory
from tests.reports.conftest import at, work_order

pytestmark = pytest.mark.django_db

SERVICE = "/api/v1/reports/service/"
PAGE_DOWNLOAD = "/reports/service/download/"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_by_customer(scene, dispatcher, api):
    response = api(dispatcher).get(SERVICE, {"group_by": "customer", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="service-report-customer-{today}.csv"'
    assert csv_rows(response) == [
        [
            "customer_id",
            "customer_number",
            "customer_name",
            "total",
            "open",
            "completed",
            "cancelled",
            "mean_days_to_complete",
            "last_service",
        ],
        [str(scene.acme.pk), scene.acme.number, "Acme Cooling", "7", "3", "3", "1", "2.3", "2024-04-05"],
        [str(scene.birch.pk), scene.birch.number, "Birch Offices", "2", "1", "1", "0", "0.5", "2024-03-05"],
    ]


def test_csv_by_location_names_the_customer_and_keeps_the_filters(scene, dispatcher, api):
    response = api(dispatcher).get(
        SERVICE,
        {
            "group_by": "location",
            "customer": scene.acme.pk,
            "from": "2024-03-01",
            "to": "2024-03-31",
            "format": "csv",
        },
    )
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="service-report-location-{today}.csv"'
    acme = [str(scene.acme.pk), scene.acme.number, "Acme Cooling"]
    assert csv_rows(response) == [
        ["location_id", "location_name", "customer_id", "customer_number", "customer_name", "total", "open", "completed", "cancelled",
         "mean_days_to_complete", "last_service"],
        [str(scene.north.pk), "North Plant", *acme, "3", "1", "2", "0", "1.8", "2024-03-11"],
        [str(scene.south.pk), "South Plant", *acme, "2", "1", "0", "1", "", ""],
        ["", "Not at one particular site", *acme, "1", "1", "0", "0", "", ""],
    ]  # fmt: skip
    event = AuditEvent.objects.get(type="data.export")
    assert event.user == dispatcher
    assert event.detail == {
        "kind": "service report",
        "format": "csv",
        "filters": {
            "group_by": "location",
            "customer": str(scene.acme.pk),
            "from": "2024-03-01",
            "to": "2024-03-31",
        },
        "count": 3,
        "via": "api",
    }


def test_the_file_holds_every_group_not_a_page(db, dispatcher, api):
    for number in range(60):
        work_order(CustomerFactory(name=f"Customer {number:02d}"), created=at(2024, 1, 1))
    response = api(dispatcher).get(SERVICE, {"group_by": "customer", "format": "csv", "page_size": 10})
    assert len(csv_rows(response)) == 61


def test_cells_that_a_spreadsheet_would_run_are_guarded(db, dispatcher, api):
    customer = CustomerFactory(name='=HYPERLINK("http://evil.example","Click")')
    work_order(customer, created=at(2024, 1, 1))
    rows = csv_rows(api(dispatcher).get(SERVICE, {"group_by": "customer", "format": "csv"}))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example","Click")'
    sheet = workbook(api(dispatcher).get(SERVICE, {"group_by": "customer", "format": "xlsx"}))
    cell = sheet.cell(row=2, column=3)
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://evil.example","Click")'


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return load_workbook(io.BytesIO(body(response))).active


def test_xlsx_by_asset_types_its_cells(scene, dispatcher, api):
    response = api(dispatcher).get(SERVICE, {"group_by": "asset", "format": "xlsx"})
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="service-report-asset-{today}.xlsx"'
    sheet = workbook(response)
    assert sheet.title == "Service report"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "asset_id", "asset_name", "customer_id", "customer_number", "customer_name", "total", "open", "completed", "cancelled",
        "mean_days_to_complete", "last_service",
    ]  # fmt: skip
    assert rows[1] == [None, "Not on one particular asset", scene.acme.pk, scene.acme.number, "Acme Cooling", 3, 2, 1, 0, 3.5,
                       datetime.datetime(2024, 4, 5)]  # fmt: skip
    assert rows[2] == [
        scene.boiler.pk, "Boiler 2", scene.acme.pk, scene.acme.number, "Acme Cooling", 2, 1, 0, 1, None, None
    ]  # fmt: skip
    assert len(rows) == 5
    assert sheet.freeze_panes == "A2"
    assert sheet.cell(row=1, column=1).font.bold
    assert sheet.cell(row=2, column=11).number_format == "yyyy-mm-dd"


def test_the_staff_page_downloads_the_same_file(scene, dispatcher, client):
    client.force_login(dispatcher)
    response = client.get(
        PAGE_DOWNLOAD, {"group_by": "customer", "customer": scene.acme.number, "format": "csv"}
    )
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[1][:4] == [str(scene.acme.pk), scene.acme.number, "Acme Cooling", "7"]
    assert len(rows) == 2
    assert AuditEvent.objects.get(type="data.export").detail["via"] == "pages"
    # CSV unless told otherwise; XLSX when asked.
    assert csv_rows(client.get(PAGE_DOWNLOAD, {"group_by": "customer"}))[0][0] == "customer_id"
    assert workbook(client.get(PAGE_DOWNLOAD, {"group_by": "location", "format": "xlsx"})).max_row == 5


def test_the_page_download_refuses_as_the_api_does(scene, dispatcher, nobody, portal_user_factory, client):
    client.force_login(dispatcher)
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer", "from": "2024-02-30"}).status_code == 400
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer", "format": "pdf"}).status_code == 400
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer", "customer": "C-999999"}).status_code == 404
    client.force_login(nobody)
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer"}).status_code == 403
    client.force_login(portal_user_factory(scene.acme, ("admin",)))
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer"}).status_code == 403
    client.logout()
    assert client.get(PAGE_DOWNLOAD, {"group_by": "customer"})["Location"].startswith("/accounts/login/")
    assert not AuditEvent.objects.filter(type="data.export").exists()


def test_a_download_costs_the_same_queries_for_2_and_40_groups(db, dispatcher, api):
    client = api(dispatcher)
    client.get(SERVICE, {"group_by": "customer"})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(SERVICE, {"group_by": "customer", "format": "csv"})
            body(response)
        return len(captured)

    for number in range(2):
        work_order(CustomerFactory(), created=at(2024, 1, number + 1))
    few = queries()
    for number in range(38):
        work_order(CustomerFactory(), created=at(2024, 1, number % 27 + 1))
    assert queries() == few
