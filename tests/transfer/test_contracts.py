"""Contracts in and out: the export (CSV, XLSX; API, pages, command line) in the columns of a contract
import, the import (dry run, create, natural-key upsert on `id` and `number`, locations and assets
named in a cell, row errors with nothing written), the round trip and the revert."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from clientbase.audit.models import AuditEvent
from clientbase.contracts.models import Contract, ContractAsset, ContractLocation
from clientbase.errors import Forbidden
from clientbase.transfer.kinds import ContractKind
from clientbase.transfer.models import ImportRun
from clientbase.transfer.services import import_file, revert_import
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory
from tests.helpers import assert_unchanged
from tests.transfer.conftest import csv_bytes

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/exports/contracts/"


@pytest.fixture
def covered(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller", asset_tag="NW-N-001")
    boiler = AssetFactory(location=south, name="Boiler", asset_tag="", serial_number="SN-B-7")
    contracts = {
        "hvac": ContractFactory(
            customer=customer,
            name="HVAC care",
            start_date=days_from_today(-10),
            end_date=days_from_today(355),
            locations=[north],
            assets=[chiller, boiler],
            visits_per_year=4,
            response_hours=24,
            notes='=HYPERLINK("http://evil.example")\nsecond line',
        ),
        "everywhere": ContractFactory(customer=customer, name="Everywhere"),
        "contoso": ContractFactory(customer=other_customer, name="Contoso lifts"),
    }
    return customer, north, south, chiller, boiler, contracts


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def export_text(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_csv_export_has_the_import_columns_and_guards_formulas(api, dispatcher, covered):
    customer, _, _, _, _, contracts = covered
    response = api(dispatcher).get(f"{EXPORT}?format=csv&customer={customer.pk}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="contracts-')
    rows = read_csv(export_text(response))
    assert list(rows[0]) == list(ContractKind.columns)
    hvac = next(row for row in rows if row["name"] == "HVAC care")
    contract = contracts["hvac"]
    assert hvac["id"] == str(contract.pk) and hvac["number"] == contract.number
    assert (hvac["customer"], hvac["customer_name"], hvac["status"]) == (
        customer.number,
        customer.name,
        "active",
    )
    assert (hvac["locations"], hvac["assets"]) == ("N", "NW-N-001, SN-B-7")
    assert (hvac["visits_per_year"], hvac["response_hours"]) == ("4", "24")
    assert hvac["notes"].startswith("'=HYPERLINK")  # shown as text by spreadsheet programs
    assert {row["name"] for row in rows} == {"HVAC care", "Everywhere"}
    event = AuditEvent.objects.filter(type="data.export").latest("id")
    assert (event.detail["kind"], event.detail["count"], event.detail["via"]) == ("contracts", 2, "api")


def test_the_xlsx_export_and_the_pages_export(client, dispatcher, covered):
    client.force_login(dispatcher)
    response = client.get("/exports/contracts/?format=xlsx&status=active")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook["Contracts"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(ContractKind.columns)
    names = {row[header.index("name")] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"HVAC care", "Everywhere", "Contoso lifts"}
    assert client.get("/exports/contracts/?format=vcf").status_code == 400
    assert client.get("/exports/contracts/?ending=0").status_code == 400


def test_portal_users_export_their_own_contracts_without_notes(api, portal_user_factory, covered, nobody):
    customer, *_ = covered
    rows = read_csv(export_text(api(portal_user_factory(customer, ("billing",))).get(EXPORT)))
    assert {row["name"] for row in rows} == {"HVAC care", "Everywhere"}
    assert "notes" not in rows[0]
    assert api(nobody).get(EXPORT).status_code == 403


def test_the_command_line_exports_contracts(dispatcher, covered, tmp_path):
    customer, *_ = covered
    target = tmp_path / "contracts.xlsx"
    err = io.StringIO()
    call_command(
        "export",
        "contracts",
        "-o",
        str(target),
        "--customer",
        customer.number,
        "--user",
        "dispatcher",
        stderr=err,
    )
    assert "Wrote 2 contracts" in err.getvalue()
    assert load_workbook(target)["Contracts"].max_row == 3
    out = io.StringIO()
    call_command("export", "contracts", "--user", "dispatcher", stdout=out)
    assert len(read_csv(out.getvalue().encode())) == 3


def test_an_export_imported_back_changes_nothing(api, dispatcher, covered, run_import):
    content = export_text(api(dispatcher).get(f"{EXPORT}?format=csv"))
    with assert_unchanged(Contract, ContractLocation, ContractAsset):
        report = run_import(dispatcher, io.BytesIO(content), kind="contracts")
    assert report == {"dry_run": False, "created": 0, "updated": 0, "unchanged": 3, "errors": []}


HEADER = "number,customer,name,start_date,end_date,locations,assets,visits_per_year,response_hours,notes\n"


def test_a_dry_run_reports_and_writes_nothing(run_import, dispatcher, covered):
    customer, *_ = covered
    text = HEADER + f"{covered[5]['hvac'].number},{customer.number},HVAC care renamed,,,,,,,\n"
    text += f",{customer.number},New lifts,2026-01-01,2026-12-31,S,Chiller,2,48,\n"
    with assert_unchanged(Contract, ContractLocation, ContractAsset, ImportRun):
        report = run_import(dispatcher, text, kind="contracts", dry_run=True)
    assert report == {"dry_run": True, "created": 1, "updated": 1, "unchanged": 0, "errors": []}


def test_creates_and_updates_on_the_number_with_places_in_a_cell(run_import, dispatcher, covered):
    customer, north, south, chiller, boiler, contracts = covered
    hvac = contracts["hvac"]
    text = HEADER + f'{hvac.number},{customer.number},HVAC care,,,"N, South Campus",,6,,\n'
    text += f',{customer.name},New lifts,2026-01-01,2026-12-31,S,"Chiller, SN-B-7",2,48,Keys at desk\n'
    report = run_import(dispatcher, text, kind="contracts")
    assert report == {"dry_run": False, "created": 1, "updated": 1, "unchanged": 0, "errors": []}
    hvac = Contract.objects.get(pk=hvac.pk)
    assert set(hvac.locations.all()) == {north, south}
    assert set(hvac.assets.all()) == {chiller, boiler}  # a blank cell keeps them
    assert (hvac.visits_per_year, hvac.response_hours) == (6, 24)
    new = Contract.objects.get(name="New lifts")
    assert (new.customer, list(new.locations.all()), set(new.assets.all())) == (
        customer,
        [south],
        {chiller, boiler},
    )
    assert (new.visits_per_year, new.response_hours, new.notes) == (2, 48, "Keys at desk")
    assert new.history.get().history_user == dispatcher


def test_blank_clear_empties_the_places(run_import, dispatcher, covered):
    customer, *_, contracts = covered
    hvac = contracts["hvac"]
    text = f"id,customer,locations,assets,end_date\n{hvac.pk},{customer.number},,,\n"
    report = run_import(dispatcher, text, kind="contracts", blank="clear")
    assert report["updated"] == 1, report
    hvac = Contract.objects.get(pk=hvac.pk)
    assert not hvac.locations.exists() and not hvac.assets.exists() and hvac.end_date is None


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("K-999999,{customer},X,2026-01-01,,,,,,", "number", "No contract with the number K-999999"),
        ("Q-12,{customer},X,2026-01-01,,,,,,", "number", "is not a contract number"),
        (",{customer},X,2026-06-01,2026-01-01,,,,,", "end_date", "cannot end before it starts"),
        (",{customer},X,2026-01-01,,Nowhere,,,,", "locations", "no location with the code or name “Nowhere”"),
        (
            ",{customer},X,2026-01-01,,,Unicorn,,,",
            "assets",
            "no asset with the asset tag, serial number or name",
        ),
        (",{customer},X,2026-01-01,,Contoso HQ,,,,", "locations", "no location with the code or name"),
        (",{customer},X,2026-01-01,,,,-1,,", "visits_per_year", "greater than or equal to 0"),
        (",{customer},X,2026-01-01,,,,,0,", "response_hours", "greater than or equal to 1"),
        (",,X,2026-01-01,,,,,,", "customer", "The customer is required."),
        (",{customer},,,,,,,,", "name", "required"),
        (",{customer},X,someday,,,,,,", "start_date", "Date has wrong format"),
    ],
)
def test_row_errors_name_the_column_and_write_nothing(run_import, dispatcher, covered, line, field, message):
    customer, *_ = covered
    with assert_unchanged(Contract, ContractLocation, ContractAsset):
        report = run_import(
            dispatcher, HEADER + line.format(customer=customer.number) + "\n", kind="contracts"
        )
    assert report["created"] == report["updated"] == 0
    errors = [(error["field"], error["message"]) for error in report["errors"]]
    assert any(name == field and message in text for name, text in errors), errors


def test_a_file_naming_one_contract_twice_is_refused_for_both_rows(run_import, dispatcher, covered):
    customer, *_, contracts = covered
    number = contracts["hvac"].number
    text = HEADER + f"{number},{customer.number},A,,,,,,,\n{number.lower()},{customer.number},B,,,,,,,\n"
    with assert_unchanged(Contract):
        report = run_import(dispatcher, text, kind="contracts")
    assert [error["row"] for error in report["errors"]] == [2, 3]


def test_scope_and_permission(run_import, technician, portal_user_factory, covered):
    customer, *_ = covered
    with pytest.raises(Forbidden):
        run_import(technician, HEADER, kind="contracts", dry_run=True)
    with pytest.raises(Forbidden):
        run_import(portal_user_factory(customer, ("billing",)), HEADER, kind="contracts", dry_run=True)


def test_a_committed_import_is_reverted(dispatcher, covered):
    customer, north, *_, contracts = covered
    hvac = contracts["hvac"]
    text = HEADER + f"{hvac.number},{customer.number},Renamed,,,S,,,,\n"
    text += f",{customer.number},Created,2026-01-01,,,,,,\n"
    report = import_file(acting_user=dispatcher, kind="contracts", file=csv_bytes(text), dry_run=False)
    run = report.run
    assert (run.kind, run.created, run.updated) == ("contracts", 1, 1)
    revert_import(run=run, acting_user=dispatcher)
    hvac = Contract.objects.get(pk=hvac.pk)
    assert (hvac.name, list(hvac.locations.all())) == ("HVAC care", [north])
    assert not Contract.objects.filter(name="Created").exists()


def test_the_api_imports_contracts_and_offers_their_template(api, dispatcher, covered):
    customer, *_ = covered
    client = api(dispatcher)
    template = client.get("/api/v1/imports/templates/contracts/")
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(ContractKind.columns)
    upload = io.BytesIO((HEADER + f",{customer.number},From the API,2026-01-01,,,,,,\n").encode())
    upload.name = "contracts.csv"
    response = client.post("/api/v1/imports/", {"file": upload, "kind": "contracts"}, format="multipart")
    assert response.status_code == 201, response.content
    assert json.loads(response.content)["created"] == 1
    assert Contract.objects.filter(name="From the API").exists()


def test_the_help_page_lists_the_contract_columns(client, dispatcher):
    client.force_login(dispatcher)
    page = client.get("/imports/help/").content.decode()
    assert 'id="kind-contracts"' in page
    for column in ("visits_per_year", "response_hours", "assets"):
        assert f"<code>{column}</code>" in page
    assert "asset tags, serial numbers or exact names" in page
