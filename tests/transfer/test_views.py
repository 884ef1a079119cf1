"""The staff pages: the import wizard (upload -> preview -> commit), past imports and their revert,
templates and exports, the vCard on the contact page."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clientbase.contacts.models import Contact
from clientbase.transfer.models import ImportRun
from clientbase.transfer.views import uploads_dir
from tests.factories import ContactFactory
from tests.transfer.conftest import contacts_dump

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser():
    """browser(user) -> a test client signed in as `user` (anonymous for None)."""

    def make(user=None):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _own_uploads_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def upload(text: str, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def start_import(client, text: str, kind: str = "contacts", match: str = ""):
    return client.post("/imports/new/", {"kind": kind, "file": upload(text), "match": match})


def test_the_wizard_previews_exactly_what_changes_then_commits(browser, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    kept = ContactFactory(customer=customer, external_id="E-1", last_name="Kept", title="Same", email="")
    changed = ContactFactory(customer=customer, external_id="E-2", last_name="Changed", title="Old", email="")
    client = browser(dispatcher)
    text = (
        "external_id,customer,last_name,title,email\n"
        f"E-1,{customer.number},Kept,Same,\n"
        f"E-2,{customer.number},Changed,New title,\n"
        f"E-3,{customer.number},Added,Tech,added@example.com\n"
        f"E-4,{customer.number},Broken,,broken@\n"
    )
    response = start_import(client, text)
    assert response.status_code == 302
    preview_url = response["Location"]
    assert preview_url.startswith("/imports/preview/")

    before = contacts_dump()
    preview = client.get(preview_url)
    assert preview.status_code == 200
    page = preview.content.decode()
    assert contacts_dump() == before
    assert 'data-figure="created">1<' in page
    assert 'data-figure="updated">1<' in page
    assert 'data-figure="unchanged">1<' in page
    assert 'data-figure="errors">1<' in page
    assert "<del>Old</del> → <ins>New title</ins>" in page
    assert "Added" in page and "added@example.com" in page
    assert "broken@" in page or "valid e-mail" in page
    assert "Import 2 rows" in page

    committed = client.post(preview_url, {"action": "commit"})
    run = ImportRun.objects.get()
    assert committed.status_code == 302
    assert committed["Location"] == f"/imports/{run.pk}/"
    assert (run.user, run.created, run.updated, run.unchanged, run.error_count) == (dispatcher, 1, 1, 1, 1)
    changed.refresh_from_db()
    kept.refresh_from_db()
    assert (changed.title, kept.title) == ("New title", "Same")
    assert Contact.objects.filter(external_id="E-3").exists()
    assert not list(uploads_dir().iterdir())
    assert client.get(preview_url).status_code == 404  # used up

    detail = client.get(committed["Location"])
    assert detail.status_code == 200
    assert "Revert this import" in detail.content.decode()


def test_a_file_that_cannot_be_imported_is_refused_at_upload(browser, dispatcher):
    client = browser(dispatcher)
    response = start_import(client, "last_name,,shoe_size\nDoe,,9\n")
    assert response.status_code == 200
    assert "Row 1: column 2 has no name." in response.content.decode()
    assert not list(uploads_dir().iterdir())
    bad_match = start_import(client, "last_name\nDoe\n", match="phone")
    assert bad_match.status_code == 200
    assert "match on id, external_id, email" in bad_match.content.decode()


def test_cancel_discards_the_upload(browser, dispatcher):
    client = browser(dispatcher)
    preview_url = start_import(client, "last_name\nDoe\n")["Location"]
    response = client.post(preview_url, {"action": "cancel"})
    assert response.status_code == 302
    assert not Contact.objects.exists()
    assert not list(uploads_dir().iterdir())


def test_an_upload_belongs_to_the_session_that_made_it(browser, dispatcher, admin_user):
    preview_url = start_import(browser(dispatcher), "last_name\nDoe\n")["Location"]
    other = browser(admin_user)
    assert other.get(preview_url).status_code == 404
    assert other.post(preview_url, {"action": "commit"}).status_code == 404
    assert not Contact.objects.exists()


def test_pages_need_a_staff_user_who_may_import(
    browser, technician, portal_user_factory, customer_with_two_sites
):
    assert browser().get("/imports/").status_code == 302
    assert browser().get("/imports/new/").status_code == 302
    assert browser(technician).get("/imports/new/").status_code == 403
    assert browser(technician).get("/imports/").status_code == 200  # own imports: none
    portal = portal_user_factory(customer_with_two_sites[0], permissions=["admin"], email="me@example.com")
    assert browser(portal).get("/imports/").status_code == 403


def test_a_kind_the_user_may_not_import_is_refused_at_upload(browser, accounts_clerk):
    response = start_import(browser(accounts_clerk), "name\nAcme\n", kind="customers")
    assert response.status_code == 200
    assert "You may not import customers." in response.content.decode()
    assert not list(uploads_dir().iterdir())


def test_past_imports_and_revert(browser, dispatcher, location_contact_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    client = browser(dispatcher)
    preview_url = start_import(client, f"external_id,customer,last_name\nE-1,{customer.number},Doe\n")[
        "Location"
    ]
    client.post(preview_url, {"action": "commit"})
    run = ImportRun.objects.get()
    listing = client.get("/imports/").content.decode()
    assert f"/imports/{run.pk}/" in listing and "contacts.csv" in listing
    assert browser(location_contact_clerk).get(f"/imports/{run.pk}/").status_code == 404

    contact = Contact.objects.get()
    contact.title = "Changed since"
    contact.save()
    refused = client.post(f"/imports/{run.pk}/revert/", follow=True)
    assert "nothing was reverted" in refused.content.decode()
    assert Contact.objects.exists()
    run.refresh_from_db()
    assert run.status == "applied"


def test_revert_from_the_detail_page(browser, dispatcher):
    client = browser(dispatcher)
    client.post(start_import(client, "last_name\nDoe\n")["Location"], {"action": "commit"})
    run = ImportRun.objects.get()
    detail = client.get(f"/imports/{run.pk}/").content.decode()
    assert f'href="/imports/{run.pk}/revert/"' in detail
    # First what the revert does, to confirm; opening that page changes nothing.
    confirm = client.get(f"/imports/{run.pk}/revert/")
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert f"Revert import {run.pk} of contacts?" in page and "The 1 contacts it created are deleted." in page
    assert Contact.objects.exists()
    run.refresh_from_db()
    assert run.status == "applied"
    response = client.post(f"/imports/{run.pk}/revert/", follow=True)
    assert response.status_code == 200
    assert f"Import {run.pk} was reverted." in response.content.decode()
    assert not Contact.objects.exists()
    assert "Revert this import" not in response.content.decode()
    # A reverted import has nothing left to confirm: its page again.
    again = client.get(f"/imports/{run.pk}/revert/")
    assert again.status_code == 302 and again["Location"] == f"/imports/{run.pk}/"


def test_templates_and_exports_download(browser, dispatcher, customer_with_two_sites, other_customer):
    client = browser(dispatcher)
    template = client.get("/imports/templates/locations.csv")
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").startswith("customer,name,code,")
    assert client.get("/imports/templates/assets.csv").status_code == 404
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, last_name="Mine")
    ContactFactory(customer=other_customer, last_name="Theirs")
    export = client.get("/exports/contacts/", {"format": "csv", "customer": customer.pk})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[rows[0].index("last_name")] for row in rows[1:]] == ["Mine"]
    assert browser().get("/exports/contacts/").status_code == 302


def test_the_contact_page_offers_its_vcard(browser, dispatcher, customer_with_two_sites):
    contact = ContactFactory(customer=customer_with_two_sites[0])
    page = browser(dispatcher).get(f"/contacts/{contact.pk}/").content.decode()
    assert f"/api/v1/contacts/{contact.pk}/vcard/" in page
    assert browser(dispatcher).get(f"/api/v1/contacts/{contact.pk}/vcard/").status_code == 200


def test_the_navigation_leads_to_imports(browser, dispatcher):
    page = browser(dispatcher).get("/imports/").content.decode()
    assert 'href="/imports/" aria-current="page">Imports<' in page


# Columns of the file, blank cells, the help page -------------------------------------------------


def test_unrecognised_headers_ask_what_each_column_is_then_remember_it(
    browser, dispatcher, customer_with_two_sites
):
    customer = customer_with_two_sites[0]
    client = browser(dispatcher)
    text = f"Kunde,Nachname,E-mail Address,Fax\n{customer.number},Lee,ann.lee@example.com,555\n"
    response = start_import(client, text)
    assert response.status_code == 302 and response["Location"].endswith("/columns/")
    page = client.get(response["Location"]).content.decode()
    assert "not recognised" in page
    assert '<option value="email" selected>' in page  # recognised: offered as chosen
    refused = client.post(
        response["Location"], {"column-0": "customer", "column-1": "", "column-2": "email", "column-3": "-"}
    )
    assert refused.status_code == 400
    assert "Say what the column “Nachname” is, or ignore it." in refused.content.decode()
    repeated = client.post(
        response["Location"],
        {"column-0": "customer", "column-1": "email", "column-2": "email", "column-3": "-"},
    )
    assert repeated.status_code == 400 and "Repeated columns: email." in repeated.content.decode()
    assert not Contact.objects.exists()
    chosen = client.post(
        response["Location"],
        {"column-0": "customer", "column-1": "last_name", "column-2": "email", "column-3": "-"},
    )
    assert chosen.status_code == 302 and "/columns/" not in chosen["Location"]
    preview = client.get(chosen["Location"])
    assert 'data-figure="created">1<' in preview.content.decode()
    client.post(chosen["Location"], {"action": "commit"})
    assert Contact.objects.get(last_name="Lee").customer == customer

    again = start_import(client, text.replace("Lee", "Lea"))  # the same header: remembered
    assert again.status_code == 302 and "/columns/" not in again["Location"]


def test_the_preview_of_a_file_whose_columns_are_not_chosen_goes_to_the_columns_step(browser, dispatcher):
    client = browser(dispatcher)
    response = start_import(client, "Nachname\nLee\n")
    preview_url = response["Location"].removesuffix("columns/")
    direct = client.get(preview_url)
    assert direct.status_code == 302 and direct["Location"].endswith("/columns/")


def test_blank_cells_keep_unless_the_box_is_ticked_and_the_preview_marks_clearing(
    browser, dispatcher, customer_with_two_sites
):
    customer = customer_with_two_sites[0]
    ContactFactory(customer=customer, external_id="E-1", last_name="Kept", title="Boss", email="")
    client = browser(dispatcher)
    text = f"external_id,customer,title\nE-1,{customer.number},\n"
    kept = client.get(start_import(client, text)["Location"]).content.decode()
    assert 'data-figure="unchanged">1<' in kept
    ticked = client.post(
        "/imports/new/", {"kind": "contacts", "file": upload(text), "match": "", "clear_blanks": "on"}
    )
    preview = client.get(ticked["Location"]).content.decode()
    assert 'data-figure="updated">1<' in preview
    assert "change--cleared" in preview and ">cleared<" in preview


def test_the_help_page_lists_every_column_with_its_other_names(browser, dispatcher):
    page = browser(dispatcher).get("/imports/help/").content.decode()
    assert "<code>customer_name</code>" in page and "E-mail Address".lower() in page.lower()
    assert "At most 254 characters." in page
    assert 'href="/imports/help/"' in browser(dispatcher).get("/imports/new/").content.decode()


def test_the_help_page_offers_an_import_only_to_those_who_may_import(browser, dispatcher, technician):
    assert 'href="/imports/new/"' in browser(dispatcher).get("/imports/help/").content.decode()
    page = browser(technician).get("/imports/help/")
    assert page.status_code == 200 and 'href="/imports/new/"' not in page.content.decode()
