"""`clientbase import` and `clientbase export`: the report, the progress bar, the exit status, the
acting user."""

from __future__ import annotations

import io
import json

import pytest
import vobject
from django.core.management import call_command
from django.core.management.base import CommandError

from clientbase.contacts.models import Contact
from clientbase.transfer.models import ImportRun
from tests.factories import ContactFactory
from tests.transfer.conftest import contacts_dump

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit_:
        code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def contacts_csv(tmp_path, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    path = tmp_path / "contacts.csv"
    path.write_text(
        f"external_id,customer,last_name,locations\nE-1,{customer.number},Doe,N\nE-2,{customer.number},Roe,\n"
    )
    return path


def test_import_prints_the_report_and_a_progress_bar(admin_user, contacts_csv):
    code, out, err = run("import", "contacts", str(contacts_csv))
    assert code == 0
    assert json.loads(out) == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    assert "2/2" in err and "rows/s" in err
    assert "Created 2" in err
    run_ = ImportRun.objects.get()
    assert (run_.user, run_.filename) == (admin_user, "contacts.csv")


def test_dry_run_changes_nothing(admin_user, contacts_csv):
    before = contacts_dump()
    code, out, err = run("import", "contacts", str(contacts_csv), "--dry-run", "--match", "external_id")
    assert code == 0
    assert json.loads(out)["dry_run"] is True and json.loads(out)["created"] == 2
    assert "Dry run: would create 2" in err
    assert contacts_dump() == before
    assert not ImportRun.objects.exists()


def test_row_errors_give_exit_status_1(admin_user, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("last_name,email\nDoe,bad@\nRoe,roe@example.com\n")
    code, out, err = run("import", "contacts", str(path), "--no-progress")
    assert code == 1
    report = json.loads(out)
    assert report["created"] == 1 and report["errors"][0]["row"] == 2
    assert "1 row refused" in err


def test_runs_as_the_named_user_and_refuses_unknown_ones(admin_user, technician, contacts_csv):
    with pytest.raises(CommandError, match=r"You may not import contacts\. Nothing was imported\."):
        run("import", "contacts", str(contacts_csv), "--user", "technician")
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("import", "contacts", str(contacts_csv), "--user", "ghost")


def test_without_a_superuser_names_the_user_to_give(dispatcher, contacts_csv):
    with pytest.raises(CommandError, match="--user"):
        run("import", "contacts", str(contacts_csv))
    code, _, _ = run("import", "contacts", str(contacts_csv), "--user", "dispatcher")
    assert code == 0


def test_a_refused_file_is_one_clear_error(admin_user, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"last_name,shoe\nDoe,9\n")
    with pytest.raises(CommandError, match="Unknown columns: shoe"):
        run("import", "contacts", str(path))
    with pytest.raises(CommandError, match="No file"):
        run("import", "contacts", str(tmp_path / "missing.csv"))
    assert not Contact.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "vcf"])
def test_export_writes_the_file_and_imports_back_unchanged(
    admin_user, customer_with_two_sites, other_customer, tmp_path, fmt
):
    customer, north, _ = customer_with_two_sites
    ContactFactory(customer=customer, email="a@example.com", phone="+13125550142", locations=[north])
    ContactFactory(customer=other_customer, email="b@example.com")
    target = tmp_path / f"out.{fmt}"
    code, _, said = run(
        "export", "contacts", "--format", fmt, "-o", str(target), "--customer", customer.number
    )
    assert code == 0
    assert f"Wrote 1 contact to {target} ({fmt.upper()})." in said
    if fmt == "vcf":
        assert [card.email.value for card in vobject.readComponents(target.read_text())] == ["a@example.com"]
        return
    code, out, _ = run("import", "contacts", str(target), "--no-progress")
    assert json.loads(out) == {"dry_run": False, "created": 0, "updated": 0, "unchanged": 1, "errors": []}


def test_export_to_standard_output(admin_user, customer_with_two_sites, capfdbinary):
    ContactFactory(customer=customer_with_two_sites[0], last_name="Stdout")
    call_command("export", "contacts", "--customer", str(customer_with_two_sites[0].pk))
    assert b"Stdout" in capfdbinary.readouterr().out


def test_export_to_a_text_stream(admin_user, customer_with_two_sites):
    ContactFactory(customer=customer_with_two_sites[0], last_name="Texty")
    code, out, _ = run("export", "contacts", "--format", "vcf")
    assert code == 0 and "FN:" in out and "Texty" in out
    with pytest.raises(CommandError, match="-o FILE"):
        run("export", "contacts", "--format", "xlsx")


@pytest.mark.parametrize(
    ("ending", "start"), [("xlsx", b"PK\x03\x04"), ("XLSX", b"PK\x03\x04"), ("txt", b"\xef\xbb\xbf")]
)
def test_export_takes_its_format_from_the_files_ending(
    admin_user, customer_with_two_sites, tmp_path, ending, start
):
    """`-o contacts.xlsx` writes a workbook; an ending that names no format writes CSV."""
    ContactFactory(customer=customer_with_two_sites[0])
    target = tmp_path / f"contacts.{ending}"
    code, _, _ = run("export", "contacts", "-o", str(target))
    assert code == 0
    assert target.read_bytes().startswith(start)
