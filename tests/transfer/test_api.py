"""`imports/`, `exports/contacts/`, `contacts/{id}/vcard/` and the import templates over REST:
the report, downloads with their content types, 401, 403 and out-of-scope 404s."""

from __future__ import annotations

import csv
import io

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from clientbase.contacts.models import Contact
from clientbase.transfer.kinds import KINDS
from clientbase.transfer.models import ImportRun
from tests.factories import ContactFactory, UserFactory
from tests.transfer.conftest import contacts_dump

pytestmark = pytest.mark.django_db
IMPORTS = "/api/v1/imports/"
EXPORTS = "/api/v1/exports/contacts/"


def upload(text: str, name: str = "contacts.csv", encoding: str = "utf-8") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# POST imports/ ----------------------------------------------------------------------------------------


def test_dry_run_answers_the_report_and_changes_nothing(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    before = contacts_dump()
    response = api(dispatcher).post(
        IMPORTS,
        {
            "file": upload(f"last_name,customer,email\nDoe,{customer.number},doe@example.com\nRoe,,bad@\n"),
            "dry_run": "true",
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "dry_run": True,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "errors": [{"row": 3, "field": "email", "message": response.json()["errors"][0]["message"]}],
    }
    assert contacts_dump() == before


def test_commit_answers_201_with_the_run_in_location(api, dispatcher):
    response = api(dispatcher).post(
        IMPORTS,
        {"file": upload("last_name;first_name\nDoe;Jane\n", encoding="utf-16"), "match": "email"},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"dry_run": False, "created": 1, "updated": 0, "unchanged": 0, "errors": []}
    run = ImportRun.objects.get()
    assert response["Location"].endswith(f"/api/v1/imports/{run.pk}/")
    assert Contact.objects.get().first_name == "Jane"
    detail = api(dispatcher).get(f"{IMPORTS}{run.pk}/").json()
    assert (detail["user"], detail["filename"], detail["match"], detail["created"]) == (
        "dispatcher",
        "contacts.csv",
        ["email"],
        1,
    )


def test_a_large_upload_kept_in_a_temporary_file_imports_the_same(api, dispatcher, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload goes to a temporary file
    text = "last_name,notes\n" + "".join(f'Person {n},"line one\nline two, {n}"\n' for n in range(50))
    response = api(dispatcher).post(IMPORTS, {"file": upload(text, encoding="cp1252")}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == 50
    assert Contact.objects.get(last_name="Person 7").notes == "line one\nline two, 7"


def test_imports_customers_and_locations_by_kind(api, dispatcher):
    client = api(dispatcher)
    customers = client.post(
        IMPORTS, {"file": upload("name,status\nAcme,prospect\n"), "kind": "customers"}, format="multipart"
    )
    assert customers.status_code == 201 and customers.json()["created"] == 1
    locations = client.post(
        IMPORTS,
        {"file": upload("customer,name,code\nAcme,Plant,P1\n"), "kind": "locations"},
        format="multipart",
    )
    assert locations.status_code == 201 and locations.json()["created"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"file": upload("last_name,shoe_size\nDoe,9\n")}, "file"),
        ({"file": upload("")}, "file"),
        ({"file": upload("last_name\nDoe\n"), "match": "phone"}, "match"),
        ({"file": upload("last_name\nDoe\n"), "kind": "assets"}, "kind"),
        ({"file": upload("last_name\nDoe\n"), "colour": "blue"}, "colour"),
        ({}, "file"),
    ],
)
def test_refused_files_and_parameters_are_400_and_import_nothing(api, dispatcher, data, field):
    response = api(dispatcher).post(IMPORTS, data, format="multipart")
    assert response.status_code == 400
    assert field in response.json()
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


def test_import_needs_authentication_and_permission(api, technician):
    assert api().post(IMPORTS, {"file": upload("last_name\nDoe\n")}, format="multipart").status_code == 401
    assert api().get(IMPORTS).status_code == 401
    response = api(technician).post(IMPORTS, {"file": upload("last_name\nDoe\n")}, format="multipart")
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_a_portal_user_cannot_import_into_another_customer(
    api, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com")
    response = api(user).post(
        IMPORTS, {"file": upload(f"last_name,customer\nSneaky,{other_customer.number}\n")}, format="multipart"
    )
    assert response.status_code == 201
    assert response.json()["errors"][0]["field"] == "customer"
    assert not Contact.objects.filter(last_name="Sneaky").exists()


# Past imports and revert ------------------------------------------------------------------------------


def test_lists_own_imports_and_all_with_the_permission(api, dispatcher, location_contact_clerk, admin_user):
    api(dispatcher).post(IMPORTS, {"file": upload("last_name\nA\n")}, format="multipart")
    api(location_contact_clerk).post(IMPORTS, {"file": upload("last_name\nB\n")}, format="multipart")
    assert len(api(dispatcher).get(IMPORTS).json()["results"]) == 2  # Dispatchers may view import runs
    own = api(location_contact_clerk).get(IMPORTS).json()["results"]
    assert [run["user"] for run in own] == ["sitesonly"]
    other = ImportRun.objects.get(user=dispatcher)
    assert api(location_contact_clerk).get(f"{IMPORTS}{other.pk}/").status_code == 404
    assert api(location_contact_clerk).post(f"{IMPORTS}{other.pk}/revert/").status_code == 404
    assert api(admin_user).get(IMPORTS).status_code == 200


def test_revert_over_the_api(api, dispatcher, admin_user, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    api(dispatcher).post(
        IMPORTS, {"file": upload(f"last_name,customer\nDoe,{customer.number}\n")}, format="multipart"
    )
    run = ImportRun.objects.get()
    other_dispatcher = UserFactory(username="dispatcher2", groups=["Dispatcher"])
    refused = api(other_dispatcher).post(f"{IMPORTS}{run.pk}/revert/")
    assert refused.status_code == 403
    response = api(dispatcher).post(f"{IMPORTS}{run.pk}/revert/")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "reverted"
    assert response.json()["reverted_by"] == "dispatcher"
    assert not Contact.objects.exists()
    again = api(admin_user).post(f"{IMPORTS}{run.pk}/revert/")
    assert again.status_code == 409
    assert "already reverted" in again.json()["detail"]


# Templates ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KINDS))
def test_templates_list_the_columns_of_each_kind(api, dispatcher, kind):
    response = api(dispatcher).get(f"{IMPORTS}templates/{kind}/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f'filename="{kind}-template.csv"' in response["Content-Disposition"]
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == list(KINDS[kind].columns)


def test_template_of_an_unknown_kind_is_404_and_anonymous_401(api, dispatcher):
    assert api(dispatcher).get(f"{IMPORTS}templates/assets/").status_code == 404
    assert api().get(f"{IMPORTS}templates/contacts/").status_code == 401


# Exports ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_customers_contacts(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    return ContactFactory(customer=customer, last_name="Mine", email="mine@example.com"), ContactFactory(
        customer=other_customer, last_name="Theirs", email="theirs@example.com"
    )


@pytest.mark.parametrize(
    ("fmt", "content_type", "extension"),
    [
        (None, "text/csv", "csv"),
        ("csv", "text/csv", "csv"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
        ("vcf", "text/vcard", "vcf"),
    ],
)
def test_export_downloads_each_format(api, dispatcher, two_customers_contacts, fmt, content_type, extension):
    params = {"format": fmt} if fmt else {}
    response = api(dispatcher).get(EXPORTS, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"].startswith('attachment; filename="contacts-')
    assert response["Content-Disposition"].endswith(f'.{extension}"')
    data = body_of(response)
    if extension == "csv":
        assert len(list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))) == 3
    elif extension == "xlsx":
        assert len(list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows())) == 3
    else:
        assert {card.n.value.family for card in vobject.readComponents(data.decode())} == {"Mine", "Theirs"}


def test_export_filters_like_the_list(api, dispatcher, two_customers_contacts):
    mine, _ = two_customers_contacts
    data = body_of(api(dispatcher).get(EXPORTS, {"customer": mine.customer_id}))
    assert data.decode("utf-8-sig").count("\r\n") == 2
    assert b"Mine" in data and b"Theirs" not in data
    assert api(dispatcher).get(EXPORTS, {"role": "plumber"}).status_code == 400
    assert api(dispatcher).get(EXPORTS, {"format": "pdf"}).status_code == 400


def test_export_respects_scope_and_permissions(api, nobody, portal_user_factory, two_customers_contacts):
    mine, _ = two_customers_contacts
    assert api().get(EXPORTS).status_code == 401
    assert api(nobody).get(EXPORTS).status_code == 403
    portal = portal_user_factory(mine.customer, permissions=["edit_contacts"], email="me@example.com")
    data = body_of(api(portal).get(EXPORTS, {"format": "vcf"}))
    assert b"Mine" in data and b"Theirs" not in data
    assert b"Theirs" not in body_of(
        api(portal).get(EXPORTS, {"customer": two_customers_contacts[1].customer_id})
    )


# contacts/{id}/vcard/ ----------------------------------------------------------------------------------------


def test_vcard_of_one_contact(api, dispatcher, two_customers_contacts):
    mine, _ = two_customers_contacts
    response = api(dispatcher).get(f"/api/v1/contacts/{mine.pk}/vcard/", HTTP_ACCEPT="text/vcard")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/vcard; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="{mine.first_name.lower()}-mine-{mine.pk}.vcf"'
    )
    card = vobject.readOne(response.content.decode())
    assert (card.version.value, card.email.value) == ("4.0", "mine@example.com")


def test_vcard_needs_auth_permission_and_scope(api, nobody, portal_user_factory, two_customers_contacts):
    mine, theirs = two_customers_contacts
    url = f"/api/v1/contacts/{theirs.pk}/vcard/"
    assert api().get(url).status_code == 401
    assert api(nobody).get(url).status_code == 403
    portal = portal_user_factory(mine.customer, permissions=["edit_contacts"], email="me@example.com")
    assert api(portal).get(url).status_code == 404
    assert api(portal).get(f"/api/v1/contacts/{mine.pk}/vcard/").status_code == 200
    assert api(portal).get("/api/v1/contacts/999999/vcard/").status_code == 404


def test_schema_describes_imports_and_exports(api, dispatcher):
    response = api(dispatcher).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/imports/",
        "/api/v1/imports/{id}/revert/",
        "/api/v1/exports/contacts/",
        "/api/v1/contacts/{id}/vcard/",
    ):
        assert path in paths
