"""Erasure reaches what past imports kept of the person (the values before an update, error
messages quoting a cell, the file's name), the personal-data answer lists it, and every versioned
row the erasure changes gets a new version, so a write with the ETag from before is refused."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection, models
from django.test import Client

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts.models import Contact
from clientbase.transfer.models import ImportRun, ImportRunItem
from clientbase.transfer.services import import_file
from clientbase.workorders.models import Quote, WorkOrder
from tests.factories import CustomerFactory
from tests.workorders.factories import QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zoltana", "Quixwell"
EMAIL = "zoltana.quixwell@northwind.example"
EXTERNAL_ID = "ZQ-4711"
OLD_PHONE, NEW_PHONE = "3125550100", "3125550199"
# Every value that names the person, as a lower-case text (phones as their digits).
OLD_VALUES = (FIRST.lower(), LAST.lower(), EMAIL, EXTERNAL_ID.lower(), OLD_PHONE, NEW_PHONE)
# What an unrelated import keeps, which the erasure leaves alone.
OTHER_EMAIL = "quentin.other@contoso.example"
HEADER = "external_id,customer,first_name,last_name,email,phone,notes\n"


def digits(text: str) -> str:
    return "".join(character for character in text if character.isdigit())


def transfer_texts() -> list[str]:
    """Every text and JSON column of every row of the transfer models, lower-case, read through
    the database connection (so nothing the ORM shapes is missed)."""
    texts = []
    for model in (ImportRun, ImportRunItem):
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField | models.JSONField)
        ]
        quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
            texts.extend(
                str(value).lower() for row in cursor.fetchall() for value in row if value is not None
            )
    return texts


def naming(texts: list[str], value: str) -> list[str]:
    """The texts that hold `value` (a phone number also when written with other characters)."""
    return [text for text in texts if value in text or (value.isdigit() and value in digits(text))]


def import_csv(user, text: str, filename: str) -> dict:
    report = import_file(
        acting_user=user, kind="contacts", file=io.BytesIO(text.encode()), dry_run=False, filename=filename
    )
    return report.as_dict()


@pytest.fixture
def imported(admin_user):
    """A person imported from a file named after her, updated by a second import (which kept her
    earlier first name and phone), and named in the errors of a third; an unrelated import with an
    error of its own."""
    customer = CustomerFactory(name="Northwind Hospitals")
    number = customer.number
    first = import_csv(
        admin_user,
        HEADER + f"{EXTERNAL_ID},{number},{FIRST},{LAST},{EMAIL},+1 312 555 0100,Prefers mornings\n",
        f"{FIRST} {LAST}.csv",
    )
    assert first["created"] == 1, first
    second = import_csv(
        admin_user,
        HEADER + f"{EXTERNAL_ID},{number},Zoli,{LAST},{EMAIL},+1 312 555 0199,Prefers afternoons\n",
        "update.csv",
    )
    assert second["updated"] == 1, second
    third = import_csv(
        admin_user,
        HEADER
        + f"{EXTERNAL_ID},{number},{FIRST},{LAST},{EMAIL},,\n"
        + f"{EXTERNAL_ID},{number},{FIRST},{LAST},{EMAIL},,\n",
        "twice.csv",
    )
    assert third["created"] == 0 and len(third["errors"]) == 4, third
    other = import_csv(
        admin_user,
        HEADER + f",{number},Quentin,Other,{OTHER_EMAIL},,\n" + f",{number},Quentin,Other,{OTHER_EMAIL},,\n",
        "weekly.csv",
    )
    assert len(other["errors"]) == 2, other
    contact = Contact.objects.get(email=EMAIL)
    texts = transfer_texts()
    for value in set(OLD_VALUES) - {NEW_PHONE}:  # the imports keep these (not her phone now)
        assert naming(texts, value), value
    return contact


def erase_through(surface: str, user, contact: Contact) -> None:
    if surface == "api":
        from rest_framework.test import APIClient

        client = APIClient()
        client.force_authenticate(user)
        response = client.post(f"/api/v1/contacts/{contact.pk}/erase/")
        assert response.status_code == 200, response.content
    elif surface == "page":
        client = Client()
        client.force_login(user)
        response = client.post(f"/contacts/{contact.pk}/erase/")
        assert response.status_code == 302, response.content
    else:
        call_command("erase", str(contact.pk), "--yes", "--user", user.username, stdout=io.StringIO())


# What imports kept -----------------------------------------------------------------------------


@pytest.mark.parametrize("surface", ["api", "page", "cli"])
def test_erasure_takes_the_person_out_of_every_import(admin_user, imported, surface):
    erase_through(surface, admin_user, imported)

    texts = transfer_texts()
    for value in OLD_VALUES:
        assert naming(texts, value) == [], value
    # What does not name her stays: the unrelated import's error, the other file names.
    assert naming(texts, OTHER_EMAIL)
    assert {run.filename for run in ImportRun.objects.all()} == {
        "[erased].csv",
        "update.csv",
        "twice.csv",
        "weekly.csv",
    }
    # The kept values keep their shape: the personal fields blank, the rest as it was.
    [update] = ImportRunItem.objects.filter(run__filename="update.csv", object_id=imported.pk)
    assert update.before["first_name"] == "" and update.before["phone"] == ""
    twice = ImportRun.objects.get(filename="twice.csv")
    assert {error["row"] for error in twice.errors} == {2, 3}
    assert all("[erased]" in error["message"] for error in twice.errors)
    # The audit log's import events no longer name her file either; the erasure counts the rows.
    imports = AuditEvent.objects.filter(type=events.IMPORT)
    assert not [event for event in imports if FIRST.lower() in json.dumps(event.detail).lower()]
    [erasure] = AuditEvent.objects.filter(type=events.ERASURE)
    assert erasure.detail["rows"]["imports"] >= 4


def test_erasure_leaves_nothing_of_the_imported_person_anywhere(api, admin_user, imported):
    from tests.contacts.test_privacy import database_text, digits_only, lines_with

    assert api(admin_user).post(f"/api/v1/contacts/{imported.pk}/erase/").status_code == 200

    after = database_text()
    for value in OLD_VALUES:
        assert lines_with(after, value) == [], value
    assert OLD_PHONE not in digits_only(after) and NEW_PHONE not in digits_only(after)


def test_erasing_twice_leaves_the_imports_as_they_are(api, admin_user, imported):
    assert api(admin_user).post(f"/api/v1/contacts/{imported.pk}/erase/").status_code == 200
    once = transfer_texts()
    assert api(admin_user).post(f"/api/v1/contacts/{imported.pk}/erase/").status_code == 200
    assert transfer_texts() == once
    assert not [text for text in once if "[[erased]]" in text]


def test_personal_data_lists_what_the_imports_kept(api, admin_user, imported):
    response = api(admin_user).get(f"/api/v1/contacts/{imported.pk}/personal-data/")

    assert response.status_code == 200, response.content
    runs = {run["filename"]: run for run in response.json()["imports"]["runs"]}
    assert set(runs) == {f"{FIRST} {LAST}.csv", "update.csv", "twice.csv"}
    [created] = runs[f"{FIRST} {LAST}.csv"]["items"]
    assert (created["action"], created["object"], created["row"]) == ("created", f"contacts:{imported.pk}", 2)
    [updated] = runs["update.csv"]["items"]
    assert updated["before"]["first_name"] == FIRST
    assert updated["before"]["phone"] == "+13125550100"
    errors = runs["twice.csv"]["errors"]
    assert {error["field"] for error in errors} == {"email", "external_id"}
    assert all(EMAIL in error["message"] or EXTERNAL_ID in error["message"] for error in errors)
    assert OTHER_EMAIL not in response.content.decode()


def test_staff_who_may_not_erase_leave_the_imports_untouched(api, technician, imported):
    before = transfer_texts()

    response = api(technician).post(f"/api/v1/contacts/{imported.pk}/erase/")

    assert response.status_code == 403
    assert EMAIL not in response.content.decode() and FIRST not in response.content.decode()
    assert transfer_texts() == before
    assert Contact.objects.get(pk=imported.pk).email == EMAIL


# Versions --------------------------------------------------------------------------------------


@pytest.fixture
def named_everywhere(api, admin_user):
    """A contact who requested a work order, is the site contact of another, approved a quote."""
    customer = CustomerFactory(name="Northwind Hospitals")
    created = api(admin_user).post(
        "/api/v1/contacts/",
        {"customer": customer.pk, "first_name": FIRST, "last_name": LAST, "email": EMAIL},
        format="json",
    )
    assert created.status_code == 201, created.content
    contact = Contact.objects.get(pk=created.json()["id"])
    name = contact.full_name
    requested = WorkOrderFactory(customer=customer, requested_by=contact, requested_by_name=name)
    on_site = WorkOrderFactory(customer=customer, site_contact=contact, site_contact_name=name)
    quote = QuoteFactory(customer=customer, approved_by=contact, approved_by_name=name)
    return contact, requested, on_site, quote


def test_erasure_gives_every_row_it_changes_a_new_version(api, admin_user, named_everywhere):
    contact, requested, on_site, quote = named_everywhere
    versions = {
        obj: obj._meta.model.objects.get(pk=obj.pk).version for obj in (contact, requested, on_site, quote)
    }

    assert api(admin_user).post(f"/api/v1/contacts/{contact.pk}/erase/").status_code == 200

    for obj, version in versions.items():
        assert obj._meta.model.objects.get(pk=obj.pk).version > version, obj


def test_a_write_with_the_etag_from_before_the_erasure_is_refused(api, admin_user, named_everywhere):
    contact, requested, _, _ = named_everywhere
    client = api(admin_user)
    old_tags = {
        "contacts": client.get(f"/api/v1/contacts/{contact.pk}/")["ETag"],
        "work-orders": client.get(f"/api/v1/work-orders/{requested.pk}/")["ETag"],
    }
    assert client.post(f"/api/v1/contacts/{contact.pk}/erase/").status_code == 200
    erased = (
        tuple(Contact.objects.filter(pk=contact.pk).values_list()),
        tuple(WorkOrder.objects.order_by("pk").values_list()),
        tuple(Quote.objects.order_by("pk").values_list()),
    )

    stale_contact = client.patch(
        f"/api/v1/contacts/{contact.pk}/",
        {"first_name": FIRST, "last_name": LAST, "email": EMAIL},
        format="json",
        HTTP_IF_MATCH=old_tags["contacts"],
    )
    stale_order = client.patch(
        f"/api/v1/work-orders/{requested.pk}/",
        {"summary": "Written back"},
        format="json",
        HTTP_IF_MATCH=old_tags["work-orders"],
    )

    assert stale_contact.status_code == 412, stale_contact.content
    assert stale_order.status_code == 412, stale_order.content
    for response in (stale_contact, stale_order):
        assert EMAIL not in response.content.decode() and FIRST not in response.content.decode()
    assert (
        tuple(Contact.objects.filter(pk=contact.pk).values_list()),
        tuple(WorkOrder.objects.order_by("pk").values_list()),
        tuple(Quote.objects.order_by("pk").values_list()),
    ) == erased
    # The ETag answered now is the new version, and a write naming it goes through.
    fresh = client.get(f"/api/v1/contacts/{contact.pk}/")["ETag"]
    assert fresh != old_tags["contacts"]
    assert (
        client.patch(
            f"/api/v1/contacts/{contact.pk}/", {"title": "Engineer"}, format="json", HTTP_IF_MATCH=fresh
        ).status_code
        == 200
    )


def test_a_name_beyond_ascii_is_found_in_every_column(api, admin_user):
    """SQLite keeps JSON with such letters escaped, PostgreSQL as they are: found in both."""
    customer = CustomerFactory(name="Northwind Hospitals")
    report = import_csv(
        admin_user,
        HEADER + f",{customer.number},Renée,Größ,renee@northwind.example,,\n",
        "Renée Größ.csv",
    )
    assert report["created"] == 1, report
    contact = Contact.objects.get(email="renee@northwind.example")

    assert api(admin_user).post(f"/api/v1/contacts/{contact.pk}/erase/").status_code == 200

    assert ImportRun.objects.get().filename == "[erased].csv"
    [event] = AuditEvent.objects.filter(type=events.IMPORT)
    assert event.detail["filename"] == "[erased].csv"
    assert "größ" not in event.object_repr.lower()


def test_erasure_discards_the_uploads_waiting_for_a_preview_to_be_committed(
    api, admin_user, imported, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.VAR_DIR = tmp_path
    client = Client()
    client.force_login(admin_user)
    text = f"customer,last_name,email\n{imported.customer.number},{LAST},{EMAIL}\n"
    preview = client.post(
        "/imports/new/",
        {
            "kind": "contacts",
            "file": SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv"),
        },
    )
    assert preview.status_code in (200, 302)
    waiting = list((tmp_path / "uploads").glob("import-*"))
    assert len(waiting) == 1 and EMAIL.encode() in waiting[0].read_bytes()

    assert api(admin_user).post(f"/api/v1/contacts/{imported.pk}/erase/").status_code == 200

    assert list((tmp_path / "uploads").glob("import-*")) == []
