"""Columns described once: blank cells keep or clear, every error of a row at once, headers
recognised as other programs write them, mappings (API, CLI, service), the `id` key of exports and
the ignored `customer_name`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command

from clientbase.contacts.models import Contact
from clientbase.errors import ValidationFailed
from clientbase.transfer.exporters import contact_table, csv_stream
from clientbase.transfer.kinds import KINDS, ContactKind
from clientbase.transfer.services import import_file
from tests.factories import ContactFactory
from tests.helpers import assert_unchanged
from tests.transfer.conftest import csv_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    contact = ContactFactory(
        customer=customer,
        external_id="E-1",
        last_name="Johnson",
        title="Engineer",
        phone="+13125550142",
        roles=["site"],
    )
    contact.locations.set([north])
    return contact


def export_csv(contacts) -> str:
    return b"".join(csv_stream(contact_table(contacts))).decode("utf-8-sig")


# Blank cells ------------------------------------------------------------------------------------


def test_a_blank_cell_keeps_the_stored_value_by_default(run_import, dispatcher, stored):
    customer = stored.customer
    report = run_import(
        dispatcher, f"external_id,customer,phone,title,roles,locations\nE-1,{customer.number},,Boss,,\n"
    )
    assert (report["updated"], report["errors"]) == (1, [])
    stored.refresh_from_db()
    assert (stored.phone, stored.title, stored.roles) == ("+13125550142", "Boss", ["site"])
    assert [location.code for location in stored.locations.all()] == ["N"]


def test_blank_clear_empties_what_the_blank_cells_name(run_import, dispatcher, stored):
    customer = stored.customer
    report = run_import(
        dispatcher,
        f"external_id,customer,phone,title,roles,locations,status\nE-1,{customer.number},,Boss,,,\n",
        blank="clear",
    )
    assert (report["updated"], report["errors"]) == (1, [])
    stored.refresh_from_db()
    assert (stored.phone, stored.title, stored.roles, stored.status) == ("", "Boss", [], "active")
    assert list(stored.locations.all()) == []


def test_the_preview_marks_every_value_that_would_be_cleared(dispatcher, stored):
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes(f"external_id,customer,phone,title\nE-1,{stored.customer.number},,Boss\n"),
        dry_run=True,
        blank="clear",
        details=True,
    )
    fields = {field["field"]: field for field in report.changes[0]["fields"]}
    assert fields["phone"] == {"field": "phone", "old": "+1 312-555-0142", "new": "", "cleared": True}
    assert fields["title"]["cleared"] is False


def test_an_unknown_blank_option_is_refused_and_changes_nothing(dispatcher, stored):
    with assert_unchanged(Contact), pytest.raises(ValidationFailed) as refused:
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes(f"external_id,customer,phone\nE-1,{stored.customer.number},\n"),
            dry_run=False,
            blank="wipe",
        )
    assert "keep" in refused.value.errors["blank"][0] and "clear" in refused.value.errors["blank"][0]


# Every error of a row at once -----------------------------------------------------------------------


def test_a_row_reports_every_error_at_once_and_writes_nothing(run_import, dispatcher, stored):
    customer = stored.customer
    with assert_unchanged(Contact):
        report = run_import(
            dispatcher,
            "external_id,customer,email,phone,approval_limit,is_primary,roles\n"
            f"E-1,{customer.number},not-an-address,555-0142,a lot,perhaps,approver\n",
        )
    assert sorted(error["field"] for error in report["errors"]) == [
        "approval_limit",
        "email",
        "is_primary",
        "phone",
    ]
    assert {error["row"] for error in report["errors"]} == {2}


# Headers and mapping ------------------------------------------------------------------------------


def test_headers_of_other_programs_are_recognised(run_import, dispatcher, customer_with_two_sites):
    customer = customer_with_two_sites[0]
    report = run_import(
        dispatcher,
        "First Name,Last Name,E-mail Address,Mobile Phone,Job Title,Company\n"
        f"Ann,Lee,ann.lee@example.com,(312) 555-0177,Facilities Manager,{customer.name}\n",
    )
    assert (report["created"], report["errors"]) == (1, [])
    contact = Contact.objects.get(email="ann.lee@example.com")
    assert (contact.first_name, contact.last_name, contact.mobile, contact.title, contact.customer) == (
        "Ann",
        "Lee",
        "+13125550177",
        "Facilities Manager",
        customer,
    )


@pytest.mark.parametrize("header", ["LAST NAME", " last-name ", "Last_Name", "lastname", "Surname"])
def test_case_spaces_and_punctuation_do_not_matter(header):
    assert ContactKind.check_columns([header]) == ["last_name"]


def test_a_spelling_two_columns_share_names_neither():
    spec = KINDS["contacts"].spec
    assert spec.recognise("Title") == "title"
    assert spec.recognise("customer_name") == "customer_name"


def test_unknown_headers_refuse_the_file_naming_them_and_the_way_out(dispatcher):
    with pytest.raises(ValidationFailed) as refused:
        import_file(
            acting_user=dispatcher, kind="contacts", file=csv_bytes("Last Name,Fax\nLee,1\n"), dry_run=True
        )
    message = refused.value.errors["file"][0]
    assert message.startswith("Unknown columns: Fax.")
    assert "map other columns" in message


def test_a_mapping_places_and_ignores_columns(run_import, dispatcher):
    report = run_import(
        dispatcher,
        "Nachname,Handy,Fax\nLee,(312) 555-0177,1\n",
        mapping={"Nachname": "last_name", "Handy": "mobile", "Fax": ""},
    )
    assert (report["created"], report["errors"]) == (1, [])
    assert Contact.objects.get(last_name="Lee").mobile == "+13125550177"


@pytest.mark.parametrize(
    ("mapping", "field", "words"),
    [
        ({"Nachname": "shoe_size"}, "mapping", "no column “shoe_size”"),
        ({"Vorname": "first_name"}, "mapping", "The file has no column “Vorname”"),
        ('{"Nachname": 3}', "mapping", "A JSON object"),
        ("not json", "mapping", "A JSON object"),
        ({"Nachname": "last_name", "last_name": "last_name"}, "file", "Repeated columns: last_name."),
    ],
)
def test_a_bad_mapping_is_refused_and_imports_nothing(dispatcher, mapping, field, words):
    with assert_unchanged(Contact), pytest.raises(ValidationFailed) as refused:
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes("Nachname,last_name\nLee,Lee\n"),
            dry_run=False,
            mapping=mapping,
        )
    assert words in refused.value.errors[field][0]


def test_the_api_takes_a_mapping_and_blank(api, dispatcher, stored):
    client = api(dispatcher)
    data = f"External ID,Kunde,Telefon\nE-1,{stored.customer.number},\n".encode()
    response = client.post(
        "/api/v1/imports/",
        {
            "file": io.BytesIO(data),
            "mapping": json.dumps({"Kunde": "customer", "Telefon": "phone"}),
            "blank": "clear",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert response.json()["updated"] == 1
    stored.refresh_from_db()
    assert stored.phone == ""
    refused = client.post("/api/v1/imports/", {"file": io.BytesIO(data), "blank": "wipe"}, format="multipart")
    assert refused.status_code == 400 and "blank" in refused.json()


def test_the_command_line_takes_map_and_blank(dispatcher, stored, tmp_path, capsys):
    path = tmp_path / "contacts.csv"
    path.write_text(f"External ID,Kunde,Telefon,Fax\nE-1,{stored.customer.number},,1\n")
    call_command(
        "import",
        "contacts",
        str(path),
        "--map",
        "Kunde=customer",
        "--map",
        "Telefon=phone",
        "--map",
        "Fax=",
        "--blank",
        "clear",
        "--user",
        dispatcher.username,
        "--no-progress",
    )
    assert json.loads(capsys.readouterr().out)["updated"] == 1
    stored.refresh_from_db()
    assert stored.phone == ""


def test_the_command_line_refuses_a_map_without_equals(dispatcher, stored, tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "contacts.csv"
    path.write_text("last_name\nLee\n")
    with assert_unchanged(Contact), pytest.raises(CommandError, match="COLUMN=FIELD"):
        call_command("import", "contacts", str(path), "--map", "Kunde", "--user", dispatcher.username)


# Keys of exports ----------------------------------------------------------------------------------


def test_an_edited_export_updates_the_contact_it_came_from_by_id(run_import, dispatcher, stored):
    exported = export_csv(Contact.objects.filter(pk=stored.pk))
    header = exported.splitlines()[0]
    assert header.startswith("id,external_id,customer,customer_name,")
    edited = exported.replace("E-1", "").replace("Johnson", "Johnston")  # no external id any more
    report = run_import(dispatcher, edited)
    assert (report["created"], report["updated"], report["errors"]) == (0, 1, [])
    stored.refresh_from_db()
    assert (stored.last_name, stored.external_id) == ("Johnston", "E-1")  # blank keeps


def test_an_id_of_another_customers_contact_never_matches(run_import, dispatcher, stored, other_customer):
    foreign = ContactFactory(customer=other_customer, last_name="Theirs")
    report = run_import(dispatcher, f"id,customer,last_name\n{foreign.pk},{stored.customer.number},Mine\n")
    assert report["created"] == 1
    foreign.refresh_from_db()
    assert foreign.last_name == "Theirs"


def test_an_id_that_is_no_number_is_a_row_error(run_import, dispatcher, stored):
    report = run_import(dispatcher, f"id,customer,last_name\nabc,{stored.customer.number},X\n")
    assert report["errors"] == [
        {"row": 2, "field": "id", "message": "“abc” is not an id; ids are whole numbers."}
    ]


def test_the_same_id_twice_refuses_both_rows(run_import, dispatcher, stored):
    number = stored.customer.number
    report = run_import(
        dispatcher, f"id,customer,last_name\n{stored.pk},{number},A\n{stored.pk},{number},B\n"
    )
    assert {error["row"] for error in report["errors"]} == {2, 3}


def test_customer_name_is_exported_and_ignored_on_import(run_import, dispatcher, stored):
    exported = export_csv(Contact.objects.filter(pk=stored.pk))
    assert stored.customer.name in exported
    edited = exported.replace(stored.customer.name, "Somebody Else Entirely")
    with assert_unchanged(Contact):
        report = run_import(dispatcher, edited)
    assert (report["unchanged"], report["errors"]) == (1, [])


def test_templates_carry_an_example_row(api, dispatcher):
    response = api(dispatcher).get("/api/v1/imports/templates/contacts/")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2
    assert "jane.example@example.com" in lines[1]


# What an attack pass found ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "\u0661", "1.0", "-1"])  # superscript two, Arabic-Indic one
def test_an_id_of_other_digits_is_a_row_error_never_a_crash(run_import, dispatcher, stored, value):
    report = run_import(dispatcher, f"id,customer,last_name\n{value},{stored.customer.number},X\n")
    assert report["errors"] == [
        {"row": 2, "field": "id", "message": f"“{value}” is not an id; ids are whole numbers."}
    ]


def test_an_id_written_with_a_leading_zero_twice_in_a_file_is_a_conflict(run_import, dispatcher, stored):
    number = stored.customer.number
    report = run_import(
        dispatcher, f"id,customer,last_name\n{stored.pk},{number},A\n0{stored.pk},{number},B\n"
    )
    assert {error["row"] for error in report["errors"]} == {2, 3}


@pytest.mark.parametrize("header", ["ID", "Contact ID", "Id"])
def test_other_programs_id_columns_are_never_taken_for_ours(header):
    assert ContactKind.spec.recognise(header) is None
    with pytest.raises(ValidationFailed, match="Unknown columns"):
        ContactKind.check_columns([header, "last_name"])
    assert ContactKind.check_columns(["id", "last_name"]) == ["id", "last_name"]


@pytest.mark.parametrize(
    ("header", "mapping"),
    [
        (["Email", "EMAIL", "last_name"], {"Email": "email", "EMAIL": ""}),
        (["Email", "EMAIL", "last_name"], {"EMAIL": "", "Email": "email"}),
        (["Mail", "last_name"], {"Mail": "email", "MAIL": ""}),
    ],
)
def test_a_mapping_that_could_name_two_columns_is_refused(header, mapping):
    with pytest.raises(ValidationFailed) as refused:
        ContactKind.check_columns(header, mapping)
    assert "More than one column" in refused.value.errors["mapping"][0]


def test_customer_name_names_the_customer_when_the_file_has_no_customer_column(
    run_import, dispatcher, customer_with_two_sites
):
    customer = customer_with_two_sites[0]
    report = run_import(dispatcher, f"Customer Name,Last Name\n{customer.name},Lee\n")
    assert (report["created"], report["errors"]) == (1, [])
    assert Contact.objects.get(last_name="Lee").customer == customer


def test_a_user_who_may_not_see_contacts_may_not_import_them(dispatcher, stored):
    from django.contrib.auth.models import Permission

    from clientbase.errors import Forbidden
    from tests.factories import UserFactory

    adder = UserFactory(username="adder", is_staff=True)
    adder.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_contact", "maintain_customer_contacts", "view_customer"]
        )
    )
    with assert_unchanged(Contact), pytest.raises(Forbidden):
        import_file(
            acting_user=adder,
            kind="contacts",
            file=csv_bytes(f"customer,last_name,email\n{stored.customer.number},X,{stored.email}\n"),
            dry_run=True,
        )


def test_line_breaks_of_other_systems_are_stored_as_line_feeds_and_round_trip(run_import, dispatcher, stored):
    from clientbase.contacts import services as contact_services

    contact_services.update_contact(contact=stored, acting_user=dispatcher, data={"notes": "a\r\nb\rc"})
    stored.refresh_from_db()
    assert stored.notes == "a\nb\nc"


def test_the_templates_examples_match_no_stored_data(run_import, dispatcher, customer_with_two_sites):
    from clientbase.transfer.exporters import template_table

    for kind in ("contacts", "locations"):
        header, example = list(template_table(kind))
        text = ",".join(header) + "\n" + ",".join(f'"{cell}"' for cell in example) + "\n"
        report = run_import(dispatcher, text, kind=kind, dry_run=True)
        assert report["updated"] == 0
        assert "No customer numbered or named “Example Facilities Inc.”." in report["errors"][0]["message"]
