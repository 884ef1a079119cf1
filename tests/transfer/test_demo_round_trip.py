"""What a newcomer does: export the demo contacts, edit the file in a spreadsheet, and import it
back with a preview that shows exactly what will change."""

from __future__ import annotations

import csv
import io

import pytest

from clientbase.contacts.models import Contact
from clientbase.demo import load_demo
from clientbase.phones import format_phone
from clientbase.transfer.exporters import contacts_for_export, export_contacts
from clientbase.transfer.formulas import restore
from clientbase.transfer.services import import_file
from tests.transfer.conftest import contacts_dump

pytestmark = pytest.mark.django_db


def test_export_edit_and_preview_the_demo_contacts(monkeypatch):
    monkeypatch.delenv("CLIENTBASE_ADMIN_PASSWORD", raising=False)
    load_demo(stdout=io.StringIO(), admin_password="demo-pass-7391")
    admin = Contact._meta.get_field("user").related_model.objects.get(username="admin")
    out = io.BytesIO()
    export_contacts(contacts_for_export(admin, {}), "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))
    total = len(rows)
    assert total == Contact.objects.count() > 10

    # In the spreadsheet: a new title, a new phone number typed as people type them, one more row.
    old_title, old_mobile = rows[0]["title"], restore(rows[1]["mobile"])
    rows[0]["title"] = "Director of Facilities"
    rows[1]["mobile"] = "(312) 555-0177"
    rows.append(
        {
            "customer": rows[0]["customer"],
            "first_name": "Nora",
            "last_name": "Quinn",
            "email": "nora.quinn@example.com",
            "roles": "requester",
        }
    )
    edited = io.StringIO()
    writer = csv.DictWriter(edited, fieldnames=list(rows[0]), restval="")
    writer.writeheader()
    writer.writerows(rows)
    data = edited.getvalue().encode("utf-8")

    before = contacts_dump()
    preview = import_file(
        acting_user=admin, kind="contacts", file=io.BytesIO(data), dry_run=True, details=True
    )
    assert contacts_dump() == before
    assert (preview.created, preview.updated, preview.unchanged, preview.errors) == (1, 2, total - 2, [])
    changes = {change["row"]: change for change in preview.changes}
    assert changes[2]["fields"] == [
        {"field": "title", "old": old_title, "new": "Director of Facilities", "cleared": False}
    ]
    assert changes[3]["fields"] == [
        {"field": "mobile", "old": format_phone(old_mobile), "new": "+1 312-555-0177", "cleared": False}
    ]
    assert changes[total + 2]["action"] == "create"

    committed = import_file(acting_user=admin, kind="contacts", file=io.BytesIO(data), dry_run=False)
    assert committed.as_dict() == {**preview.as_dict(), "dry_run": False}
    again = import_file(acting_user=admin, kind="contacts", file=io.BytesIO(data), dry_run=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, total + 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_demo_contacts_exported_and_imported_back_are_all_unchanged(monkeypatch, fmt):
    monkeypatch.delenv("CLIENTBASE_ADMIN_PASSWORD", raising=False)
    load_demo(stdout=io.StringIO(), admin_password="demo-pass-7391")
    admin = Contact._meta.get_field("user").related_model.objects.get(username="admin")
    out = io.BytesIO()
    export_contacts(contacts_for_export(admin, {}), fmt, out)
    out.seek(0)
    before = contacts_dump()
    report = import_file(acting_user=admin, kind="contacts", file=out, dry_run=False).as_dict()
    assert (report["created"], report["updated"], report["errors"]) == (0, 0, [])
    assert report["unchanged"] == Contact.objects.count()
    assert contacts_dump() == before
