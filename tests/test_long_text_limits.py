"""One limit per multi-line text field on every path (API, service, database, import, export),
within what a spreadsheet cell holds, so that our own exports always import."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction

from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer, Location
from clientbase.errors import ValidationFailed
from clientbase.text import LONG_TEXT_MAX
from clientbase.transfer.exporters import contacts_for_export, export_contacts
from clientbase.transfer.services import import_file
from tests.factories import ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * (LONG_TEXT_MAX + 1)


def test_the_limit_fits_a_spreadsheet_cell_with_an_export_guard():
    assert LONG_TEXT_MAX + 1 <= 32_767  # Excel's most characters in a cell


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/contacts/", {"last_name": "Lee", "notes": TOO_LONG}, "notes"),
        ("/api/v1/customers/", {"name": "Acme", "notes": TOO_LONG}, "notes"),
    ],
)
def test_the_api_refuses_longer_notes_and_changes_nothing(api, admin_user, path, body, field):
    with assert_unchanged(Contact, Customer):
        response = api(admin_user).post(path, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_the_api_refuses_longer_access_notes(api, admin_user):
    location = LocationFactory()
    with assert_unchanged(Location):
        response = api(admin_user).patch(
            f"/api/v1/locations/{location.pk}/", {"access_notes": TOO_LONG}, format="json"
        )
    assert response.status_code == 400 and "access_notes" in response.json()


def test_the_service_refuses_them_by_the_databases_rule(admin_user):
    contact = ContactFactory()
    with assert_unchanged(Contact), pytest.raises(ValidationFailed) as refused:
        contact_services.update_contact(contact=contact, acting_user=admin_user, data={"notes": TOO_LONG})
    assert refused.value.errors["notes"] == [f"Notes may have at most {LONG_TEXT_MAX:,} characters."]


@pytest.mark.parametrize(
    ("model", "field", "make"),
    [
        (Contact, "notes", ContactFactory),
        (Customer, "notes", CustomerFactory),
        (Location, "access_notes", LocationFactory),
    ],
)
def test_the_database_holds_the_limit(model, field, make):
    obj = make()
    with transaction.atomic(), pytest.raises(IntegrityError):
        model.objects.filter(pk=obj.pk).update(**{field: TOO_LONG})


def test_an_import_row_with_longer_notes_is_a_row_error(admin_user):
    text = f'last_name,notes\nLee,"{"y" * (LONG_TEXT_MAX + 1)}"\n'
    with assert_unchanged(Contact):
        report = import_file(
            acting_user=admin_user, kind="contacts", file=io.BytesIO(text.encode()), dry_run=False
        ).as_dict()
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, "notes")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_longest_notes_export_and_import_back_unchanged(admin_user, fmt):
    ContactFactory(notes="=" + "z" * (LONG_TEXT_MAX - 1))  # guarded in CSV: one character more
    out = io.BytesIO()
    export_contacts(contacts_for_export(admin_user, {}), fmt, out)
    out.seek(0)
    with assert_unchanged(Contact):
        report = import_file(acting_user=admin_user, kind="contacts", file=out, dry_run=False).as_dict()
    assert (report["unchanged"], report["errors"]) == (1, [])


def test_the_migration_stops_naming_rows_longer_than_the_new_limit_and_changes_nothing():
    from django.apps import apps

    from clientbase.migration_checks import refuse_longer_texts

    longer = ContactFactory(notes="x" * 40)
    ContactFactory(notes="short")
    step = refuse_longer_texts("contacts", [("Contact", "notes")], 30)
    with assert_unchanged(Contact), pytest.raises(RuntimeError) as stopped:
        step.code(apps, None)
    assert f"Contact {longer.pk} (notes)" in str(stopped.value)
    assert "nothing was changed" in str(stopped.value)
    refuse_longer_texts("contacts", [("Contact", "notes")], 40).code(apps, None)  # within: passes
