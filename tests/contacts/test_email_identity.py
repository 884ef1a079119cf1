"""One e-mail address belongs to one contact per customer (and to one contact among those without a
customer), ignoring case: held by the database (partial unique indexes on LOWER(email)), refused
with a 409 naming the contact that has the address by the API, the staff pages, the portal, the
move and the import; a duplicate leaves its e-mail empty; migration 0009 moves the addresses that
were already stored twice to the notes of the later contacts."""

from __future__ import annotations

import html
import importlib
import re
from types import SimpleNamespace

import pytest
from django.apps import apps as installed_apps
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from clientbase.contacts import services
from clientbase.contacts.models import Contact
from clientbase.demo.data import CUSTOMERS, UNAFFILIATED_CONTACTS
from clientbase.errors import Conflict, ValidationFailed, conflict_from_integrity_error
from clientbase.transfer.services import import_file
from clientbase.writes import validate
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_refused_by, assert_unchanged
from tests.portal import conftest as portal_fixtures
from tests.portal.conftest import signed_in
from tests.transfer.conftest import csv_bytes

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"
make_portal_contact = portal_fixtures.make_portal_contact  # the portal's fixture, used here too
PER_CUSTOMER = "contacts_contact_unique_email_per_customer"
UNAFFILIATED = "contacts_contact_unique_email_unaffiliated"


def page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.fixture
def jane(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    return ContactFactory(customer=customer, first_name="Jane", last_name="Smith", email="Jane@example.com")


def named_refusal(holder: Contact, whose: str = "of this customer") -> str:
    return f"Another contact {whose}, {holder.full_name}, already has the e-mail {holder.email}."


# The database ----------------------------------------------------------------------------------------


def test_the_database_refuses_an_address_twice_in_one_customer_ignoring_case(jane):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        ContactFactory(customer=jane.customer, email="JANE@EXAMPLE.COM")
    assert_refused_by(refused.value, Contact, PER_CUSTOMER)
    assert conflict_from_integrity_error(refused.value).message == (
        "Another contact of this customer already has this e-mail address."
    )
    assert Contact.objects.count() == 1


def test_the_database_refuses_an_address_twice_among_contacts_without_customer():
    ContactFactory(customer=None, email="solo@example.com")
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        ContactFactory(customer=None, email="Solo@example.com")
    assert_refused_by(refused.value, Contact, UNAFFILIATED)
    assert conflict_from_integrity_error(refused.value).message == (
        "Another contact without a customer already has this e-mail address."
    )


def test_other_customers_the_unaffiliated_and_empty_addresses_do_not_clash(jane, other_customer):
    ContactFactory(customer=other_customer, email="jane@example.com")
    ContactFactory(customer=None, email="jane@example.com")
    ContactFactory(customer=jane.customer, email="")
    ContactFactory(customer=jane.customer, email="")
    assert Contact.objects.filter(email__iexact="jane@example.com").count() == 3


def test_writes_validate_checks_the_lower_email_constraints(jane):
    """The model's own check (`writes.validate`, Django's UniqueConstraint.validate with an
    expression) refuses a clash in the constraint's words, for a new contact and a changed address."""
    new = Contact(customer=jane.customer, last_name="Twin", email="jane@EXAMPLE.com")
    with pytest.raises(ValidationFailed) as refused:
        validate(new)
    assert refused.value.errors == {
        "non_field_errors": ["Another contact of this customer already has this e-mail address."]
    }
    other = ContactFactory(customer=jane.customer, email="other@example.com")
    other.email = "JANE@example.com"
    with pytest.raises(ValidationFailed):
        validate(other, changed=["email"])
    jane.email = "JANE@example.com"  # its own address in another case
    validate(jane, changed=["email"])


# The API ---------------------------------------------------------------------------------------------


def test_the_api_refuses_a_new_contact_with_an_address_of_the_customer_naming_its_holder(
    api, dispatcher, jane
):
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL,
            {"customer": jane.customer_id, "last_name": "Twin", "email": "jane@example.com"},
            format="json",
        )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Another contact of this customer, Jane Smith, already has the e-mail Jane@example.com."
    }


def test_the_api_refuses_changing_an_address_to_one_of_the_customer(api, dispatcher, jane):
    other = ContactFactory(customer=jane.customer, email="other@example.com")
    with assert_unchanged(Contact):
        response = api(dispatcher).patch(f"{URL}{other.pk}/", {"email": "JANE@example.com"}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": named_refusal(jane)}


def test_the_api_refuses_an_address_of_another_contact_without_customer(api, dispatcher):
    holder = ContactFactory(customer=None, first_name="Sol", last_name="Oh", email="solo@example.com")
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL, {"last_name": "Twin", "email": "SOLO@example.com"}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"detail": named_refusal(holder, "without a customer")}


def test_the_same_address_at_another_customer_and_a_change_of_case_are_accepted(
    api, dispatcher, jane, other_customer
):
    client = api(dispatcher)
    created = client.post(
        URL, {"customer": other_customer.pk, "last_name": "Smith", "email": "jane@example.com"}, format="json"
    )
    assert created.status_code == 201, created.json()
    changed = client.patch(f"{URL}{jane.pk}/", {"email": "JANE@example.com"}, format="json")
    assert changed.status_code == 200, changed.json()
    jane.refresh_from_db()
    assert jane.email == "JANE@example.com"


def test_a_write_racing_the_check_is_refused_by_the_database_in_the_constraints_words(
    api, dispatcher, jane, monkeypatch
):
    """Two writes that both pass the service's check before either saves: the index refuses the
    second, a 409 in the constraint's own words, nothing stored."""
    monkeypatch.setattr(services, "check_email_free", lambda contact: None)
    monkeypatch.setattr(services, "validate", lambda *args, **kwargs: None)
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            URL,
            {"customer": jane.customer_id, "last_name": "Twin", "email": "jane@example.com"},
            format="json",
        )
    assert response.status_code == 409
    assert response.json() == {"detail": "Another contact of this customer already has this e-mail address."}


def test_a_move_to_a_customer_where_the_address_is_taken_is_refused(api, dispatcher, jane, other_customer):
    holder = ContactFactory(
        customer=other_customer, first_name="Jo", last_name="Smith", email="JANE@example.com"
    )
    with assert_unchanged(Contact):
        response = api(dispatcher).post(
            f"{URL}{jane.pk}/move/", {"customer": other_customer.pk}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Another contact of Contoso Offices, Jo Smith, already has the e-mail {holder.email}; "
        "change or clear this contact's e-mail address before moving it."
    }
    ContactFactory(customer=None, email="elsewhere@example.com")
    moved = api(dispatcher).post(f"{URL}{jane.pk}/move/", {"customer": None}, format="json")
    assert moved.status_code == 200, moved.json()


# The staff pages and the portal ----------------------------------------------------------------------


def staff_form(customer, **values):
    data = {
        "customer": customer.pk,
        "last_name": "Twin",
        "preferred_channel": "email",
        "status": "active",
        "notify_from_roles": "on",
    }
    data.update(values)
    return data


def test_the_staff_form_refuses_an_address_of_the_customer_and_keeps_what_was_typed(client, dispatcher, jane):
    client.force_login(dispatcher)
    with assert_unchanged(Contact):
        created = client.post("/contacts/new/", staff_form(jane.customer, email="jane@example.com"))
    assert created.status_code == 409  # the form again, the reason on it
    assert named_refusal(jane) in page_text(created)
    assert 'value="Twin"' in page_text(created)
    other = ContactFactory(customer=jane.customer, last_name="Other", email="other@example.com")
    with assert_unchanged(Contact):
        edited = client.post(
            f"/contacts/{other.pk}/edit/",
            staff_form(jane.customer, last_name="Other", email="JANE@example.com"),
        )
    assert edited.status_code == 409
    assert named_refusal(jane) in page_text(edited)


def test_the_portal_contact_form_refuses_an_address_of_the_customer(make_portal_contact, jane):
    editor = make_portal_contact(jane.customer, ["edit_contacts"], email="eddie@example.com")
    client = signed_in(editor)
    with assert_unchanged(Contact):
        created = client.post(
            "/portal/contacts/new/", {"last_name": "Twin", "email": "JANE@example.com", "status": "active"}
        )
    assert created.status_code == 409
    assert named_refusal(jane) in page_text(created)
    colleague = ContactFactory(customer=jane.customer, last_name="Builder", email="bob@example.com")
    with assert_unchanged(Contact):
        edited = client.post(
            f"/portal/contacts/{colleague.pk}/edit/",
            {"last_name": "Builder", "email": "jane@example.com", "status": "active"},
        )
    assert edited.status_code == 409
    assert named_refusal(jane) in page_text(edited)


# The import ------------------------------------------------------------------------------------------


def test_an_import_row_taking_an_address_of_the_customer_is_a_row_error_naming_its_holder(dispatcher, jane):
    """Row 2 would give contact E-2 Jane's address, row 3 create a contact with Bob's."""
    other = ContactFactory(customer=jane.customer, external_id="E-2", email="other@example.com")
    bob = ContactFactory(
        customer=jane.customer, first_name="Bob", last_name="Builder", email="bob@example.com"
    )
    number = jane.customer.number
    text = (
        "external_id,customer,last_name,email\n"
        f"E-2,{number},Other,JANE@example.com\n"
        f"E-3,{number},New,Bob@Example.com\n"
    )
    with assert_unchanged(Contact):
        report = import_file(
            acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False, match="external_id"
        ).as_dict()
    assert report["errors"] == [
        {"row": 2, "field": "email", "message": named_refusal(jane)},
        {"row": 3, "field": "email", "message": named_refusal(bob)},
    ]
    assert (report["created"], report["updated"]) == (0, 0)
    other.refresh_from_db()
    assert other.email == "other@example.com"


# Duplicate -------------------------------------------------------------------------------------------


def test_a_duplicate_leaves_the_e_mail_empty_and_portal_access_off(api, dispatcher, jane):
    Contact.objects.filter(pk=jane.pk).update(portal_enabled=True)
    response = api(dispatcher).post(f"{URL}{jane.pk}/duplicate/")
    assert response.status_code == 201, response.json()
    copy = response.json()
    assert (copy["last_name"], copy["email"], copy["portal"]["enabled"]) == ("Smith", "", False)
    jane.refresh_from_db()
    assert jane.email == "Jane@example.com"


def test_the_duplicate_page_says_to_fill_in_the_copys_address(client, dispatcher, jane):
    client.force_login(dispatcher)
    response = client.get(f"/contacts/{jane.pk}/duplicate/")
    assert Contact.objects.exclude(pk=jane.pk).count() == 0  # nothing saved yet
    email_input = re.search(r'<input[^>]* name="email"[^>]*>', response.content.decode())
    assert email_input is not None and "value=" not in email_input.group(0)  # left empty
    assert (
        "Copy of Jane Smith" in page_text(response)
        and "without an e-mail address, since Jane@example.com is Jane Smith's: enter the copy's own address"
        in page_text(response)
    )


# The migration that moves repeated addresses ---------------------------------------------------------

MIGRATION = ("contacts", "0009_move_repeated_emails")
REASON = "E-mail address moved to the notes: another contact of the same customer has it."


def before_migration(executor: MigrationExecutor) -> list[tuple[str, str]]:
    parents = executor.loader.graph.node_map[MIGRATION].parents
    return [parent.key for parent in parents if parent.key[0] == "contacts"]


def note(address: str, holder_pk: int, whose: str = "of this customer", holder: str = "Jane One") -> str:
    return (
        f"E-mail address {address} moved here from the e-mail field: another contact {whose}, "
        f"{holder} (id {holder_pk}), has it."
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_the_first_address_and_moves_the_others_to_the_notes(capsys):
    executor = MigrationExecutor(connection)
    before = before_migration(executor)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    customer_model, contact_model = (
        old.get_model("customers", "Customer"),
        old.get_model("contacts", "Contact"),
    )
    user_model, location_model = old.get_model("auth", "User"), old.get_model("customers", "Location")
    link_model = old.get_model("contacts", "ContactLocation")
    northwind = customer_model.objects.create(name="Northwind", number="C-900001")
    contoso = customer_model.objects.create(name="Contoso", number="C-900002")
    site = location_model.objects.create(customer=northwind, name="North Campus")
    login = user_model.objects.create(username="jane@example.com", email="jane@example.com", password="x")

    def make(customer, email, **fields):
        return contact_model.objects.create(customer=customer, email=email, **fields)

    first = make(northwind, "Jane@example.com", first_name="Jane", last_name="One", email_status="verified")
    second = make(
        northwind,
        "jane@example.com",
        last_name="Two",
        notes="Gate code 4711",
        portal_enabled=True,
        user=login,
        email_status="verified",
    )
    link_model.objects.create(contact=second, location=site)
    third = make(northwind, "JANE@example.com", last_name="Three")
    elsewhere = make(contoso, "jane@example.com", last_name="Elsewhere")
    solo = make(None, "solo@example.com", first_name="Sol", last_name="First")
    solo_twin = make(None, "Solo@example.com", last_name="Second", notes="Ends with a line break\n")
    blanks = [make(northwind, "", last_name="Blank"), make(northwind, "", last_name="Blank")]
    untouched = [first, elsewhere, solo, *blanks]
    capsys.readouterr()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    printed = capsys.readouterr().out
    assert (
        f"contact {second.pk}: jane@example.com (kept by contact {first.pk}); portal access switched off"
        in printed
    )
    assert f"contact {third.pk}: JANE@example.com (kept by contact {first.pk})\n" in printed
    assert f"contact {solo_twin.pk}: Solo@example.com (kept by contact {solo.pk})\n" in printed
    for contact in untouched:
        stored = Contact.objects.get(pk=contact.pk)
        assert (stored.email, stored.notes, stored.version) == (contact.email, contact.notes, 1)

    moved = Contact.objects.get(pk=second.pk)
    assert (moved.email, moved.portal_enabled, moved.email_status, moved.version) == (
        "",
        False,
        "unverified",
        2,
    )
    assert moved.notes == (
        "Gate code 4711\n" + note("jane@example.com", first.pk) + " Portal access was switched off, since it "
        "needs an e-mail address; the portal login was closed."
    )
    moved.user.refresh_from_db()
    assert not moved.user.is_active and not moved.user.has_usable_password()
    assert moved.user.username == f"closed-portal-login-{login.pk}"
    record = moved.history.first()
    assert (record.history_type, record.history_change_reason, record.email) == ("~", REASON, "")
    assert [link.location_id for link in record.locations.all()] == [site.pk]
    assert Contact.objects.get(pk=third.pk).notes == note("JANE@example.com", first.pk)
    assert Contact.objects.get(pk=solo_twin.pk).notes == (
        "Ends with a line break\n" + note("Solo@example.com", solo.pk, "without a customer", "Sol First")
    )
    # From now on the database holds the rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=third.pk).update(email="jane@EXAMPLE.com")


def test_the_migration_moves_and_prints_nothing_when_no_address_repeats(capsys, other_customer):
    customer = CustomerFactory()
    contacts = [
        ContactFactory(customer=customer, email="jane@example.com"),
        ContactFactory(customer=other_customer, email="JANE@example.com"),
        ContactFactory(customer=None, email="Jane@example.com"),
        ContactFactory(customer=customer, email=""),
        ContactFactory(customer=customer, email=""),
    ]
    module = importlib.import_module("clientbase.contacts.migrations.0009_move_repeated_emails")
    with assert_unchanged(Contact, *[type(contact).history.model for contact in contacts[:1]]):
        module.move_repeated_emails(installed_apps, SimpleNamespace(connection=connection))
    assert capsys.readouterr().out == ""


def test_the_demo_data_has_no_address_twice_in_a_customer():
    groups = [[row.email for row in customer.contacts] for customer in CUSTOMERS]
    for addresses in [*groups, [row.email for row in UNAFFILIATED_CONTACTS]]:
        given = [address.lower() for address in addresses if address]
        assert len(given) == len(set(given)), addresses


def test_check_email_free_answers_a_conflict_naming_the_holder(jane):
    twin = Contact(customer=jane.customer, last_name="Twin", email="jane@example.com")
    with pytest.raises(Conflict) as refused:
        services.check_email_free(twin)
    assert refused.value.message == named_refusal(jane)
    services.check_email_free(jane)  # its own address
