"""Import matching stays inside the row's customer: a row naming customer B never finds, and so
never moves, a contact of customer A, whatever key it shares with it. CSV and XLSX, dry run and
commit, staff and portal users."""

from __future__ import annotations

import io

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from knox.models import AuthToken
from openpyxl import Workbook

from clientbase.contacts.models import Contact
from clientbase.transfer.services import import_file
from tests.factories import ContactFactory
from tests.transfer.conftest import contacts_dump, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_and_b(customer_with_two_sites, other_customer, portal_user_factory):
    """Customer A's contact E-1 with portal access, a signed-in session and an API token; customer B."""
    customer_a, _, _ = customer_with_two_sites
    user = portal_user_factory(
        customer_a, permissions=["admin"], email="owner@northwind.example", external_id="E-1"
    )
    Client().force_login(user)
    AuthToken.objects.create(user=user)
    return customer_a, other_customer, Contact.objects.get(user=user)


def state_of(contact: Contact) -> tuple:
    contact.refresh_from_db()
    return (
        contact.customer_id,
        contact.external_id,
        contact.email,
        contact.last_name,
        contact.portal_enabled,
        list(contact.portal_permissions),
        contact.user_id,
        contact.user.is_active,
        AuthToken.objects.filter(user=contact.user).count(),
        Session.objects.count(),
    )


def xlsx_bytes(rows: list[list[str]]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def as_file(rows: list[list[str]], fmt: str) -> io.BytesIO:
    if fmt == "xlsx":
        return xlsx_bytes(rows)
    return csv_bytes("".join(",".join(row) + "\n" for row in rows))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_row_of_customer_b_never_matches_customer_as_contact(a_and_b, dispatcher, fmt, dry_run):
    _, customer_b, contact_a = a_and_b
    before = state_of(contact_a)
    rows = [["external_id", "customer", "last_name", "email"], ["E-1", customer_b.number, "Taken", ""]]
    report = import_file(acting_user=dispatcher, kind="contacts", file=as_file(rows, fmt), dry_run=dry_run)
    assert (report.created, report.updated, report.errors) == (1, 0, [])
    assert state_of(contact_a) == before  # A's contact, its customer, portal access, token, session
    new = Contact.objects.filter(customer=customer_b, external_id="E-1")
    assert new.count() == (0 if dry_run else 1)
    if not dry_run:
        assert new.get().user_id is None and not new.get().portal_enabled


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_row_of_customer_b_matches_bs_own_contact_by_email(a_and_b, dispatcher, fmt):
    _, customer_b, contact_a = a_and_b
    own = ContactFactory(customer=customer_b, email="buyer@contoso.example", title="Buyer")
    before = state_of(contact_a)
    rows = [
        ["external_id", "customer", "email", "title"],
        ["E-1", customer_b.name, "Buyer@Contoso.example", "Head buyer"],
    ]
    report = import_file(acting_user=dispatcher, kind="contacts", file=as_file(rows, fmt), dry_run=False)
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    own.refresh_from_db()
    assert (own.customer, own.external_id, own.title) == (customer_b, "E-1", "Head buyer")
    assert state_of(contact_a) == before


def test_an_email_of_customer_as_contact_does_not_match_for_customer_b(a_and_b, dispatcher):
    _, customer_b, contact_a = a_and_b
    before = state_of(contact_a)
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes(f"customer,last_name,email\n{customer_b.number},Owner,owner@northwind.example\n"),
        dry_run=False,
        match="email",
    )
    assert (report.created, report.updated, report.errors) == (1, 0, [])
    assert state_of(contact_a) == before
    assert Contact.objects.filter(customer=customer_b, email="owner@northwind.example").count() == 1


def test_a_blank_customer_matches_only_contacts_without_a_customer(a_and_b, dispatcher):
    _, _, contact_a = a_and_b
    free = ContactFactory(customer=None, external_id="E-1", title="Freelancer")
    before = state_of(contact_a)
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes("external_id,customer,title\nE-1,,Consultant\n"),
        dry_run=False,
    )
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    free.refresh_from_db()
    assert (free.customer, free.title) == (None, "Consultant")
    assert state_of(contact_a) == before


def test_the_same_external_id_for_two_customers_in_one_file_is_no_conflict(
    customer_with_two_sites, other_customer, dispatcher
):
    customer_a, _, _ = customer_with_two_sites
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes(
            "external_id,customer,last_name,email\n"
            f"E-7,{customer_a.number},Alpha,same@example.com\n"
            f"E-7,{other_customer.number},Beta,same@example.com\n"
            f"E-8,{customer_a.number},Gamma,\n"
            f"E-8,{customer_a.name},Delta,\n"
        ),
        dry_run=False,
    )
    assert report.created == 2
    assert sorted((error["row"], error["field"]) for error in report.errors) == [
        (4, "external_id"),
        (5, "external_id"),
    ]
    assert report.errors[0]["message"] == (
        "The external_id E-8 appears in more than one row (4, 5); none of them was imported."
    )
    assert set(Contact.objects.filter(external_id="E-7").values_list("customer", flat=True)) == {
        customer_a.pk,
        other_customer.pk,
    }


def test_a_portal_user_importing_an_id_another_customer_uses_learns_nothing(a_and_b, portal_user_factory):
    customer_a, customer_b, contact_a = a_and_b
    portal_b = portal_user_factory(customer_b, permissions=["edit_contacts"], email="me@contoso.example")
    before = state_of(contact_a)
    dump = contacts_dump()

    def report_for(external_id: str, dry_run: bool) -> dict:
        text = f"external_id,customer,last_name\n{external_id},{customer_b.number},Mine\n"
        return import_file(
            acting_user=portal_b, kind="contacts", file=csv_bytes(text), dry_run=dry_run
        ).as_dict()

    used_by_a = report_for("E-1", dry_run=True)
    assert used_by_a == report_for("E-NEVER-USED", dry_run=True)  # the same answer: nothing learnt
    assert contacts_dump() == dump
    committed = report_for("E-1", dry_run=False)
    assert {**used_by_a, "dry_run": False} == committed
    assert customer_a.name not in str(committed) and "another" not in str(committed).lower()
    assert state_of(contact_a) == before


def test_the_api_import_never_moves_a_contact_with_its_login(a_and_b, api, dispatcher):
    _, customer_b, contact_a = a_and_b
    before = state_of(contact_a)
    response = api(dispatcher).post(
        "/api/v1/imports/",
        {"file": csv_bytes(f"external_id,customer,last_name\nE-1,{customer_b.number},Moved\n")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["created"], response.json()["updated"]) == (1, 0)
    assert state_of(contact_a) == before
    assert contact_a.last_name != "Moved"


def test_without_a_customer_column_a_contact_is_matched_and_keeps_its_customer(a_and_b, dispatcher):
    customer_a, _, contact_a = a_and_b
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes("external_id,title\nE-1,Owner\n"),
        dry_run=False,
    )
    assert (report.updated, report.errors) == (1, [])
    contact_a.refresh_from_db()
    assert (contact_a.customer, contact_a.title, contact_a.portal_enabled) == (customer_a, "Owner", True)


def test_without_a_customer_column_an_id_of_two_customers_is_a_row_error(a_and_b, dispatcher):
    _, customer_b, _ = a_and_b
    ContactFactory(customer=customer_b, external_id="E-1")
    before = contacts_dump()
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes("external_id,title\nE-1,Owner\n"),
        dry_run=False,
    )
    assert report.errors == [
        {"row": 2, "field": "external_id", "message": "More than one stored contact has this external_id."}
    ]
    assert contacts_dump() == before
