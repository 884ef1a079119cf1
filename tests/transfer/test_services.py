"""The import engine: create, update, unchanged; matching; dry run; row errors by the API's rules;
conflicts inside a file; chunks and resuming; scope; revert; customers and locations."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer, Location
from clientbase.errors import Conflict, Forbidden, ValidationFailed
from clientbase.transfer.models import ImportRun, ImportRunItem
from clientbase.transfer.services import import_file, revert_import
from tests.factories import ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged
from tests.transfer.conftest import contacts_dump, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "external_id,customer,first_name,last_name,roles,email,phone,locations,is_primary\n"


def rows(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


# Create, update, unchanged ---------------------------------------------------------------------------


def test_creates_contacts_through_the_api_rules(run_import, dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    report = run_import(
        dispatcher,
        rows(
            f'E-1,{customer.number},Mike,Johnson,"site, emergency",Mike@NORTHWIND.example,(312) 555-0142,N,true',
            'E-2,Northwind Hospitals,Susan,Williams,billing,susan@northwind.example,312.555.0199,"N, South Campus",',
        ),
    )
    assert report == {"dry_run": False, "created": 2, "updated": 0, "unchanged": 0, "errors": []}
    mike = Contact.objects.get(external_id="E-1")
    assert (mike.customer, mike.first_name, mike.email) == (customer, "Mike", "Mike@northwind.example")
    assert mike.phone == "+13125550142"
    assert mike.roles == ["site", "emergency"]
    assert mike.notify == {"work_orders": True, "completions": True, "quotes": False, "invoices": False}
    assert mike.is_primary
    assert list(mike.locations.all()) == [north]
    susan = Contact.objects.get(external_id="E-2")
    assert set(susan.locations.all()) == {north, south}
    assert not susan.is_primary
    assert susan.history.get().history_user == dispatcher


def test_reimporting_the_same_file_is_all_unchanged_and_writes_nothing(
    run_import, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    text = rows(
        f"E-1,{customer.number},Mike,Johnson,site,mike@northwind.example,(312) 555-0142,N,true",
        f"E-2,{customer.number},Susan,Williams,billing,susan@northwind.example,,,false",
    )
    run_import(dispatcher, text)
    before = contacts_dump()
    report = run_import(dispatcher, text)
    assert report == {"dry_run": False, "created": 0, "updated": 0, "unchanged": 2, "errors": []}
    assert contacts_dump() == before


def test_unchanged_compares_normalised_values(run_import, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    ContactFactory(
        customer=customer,
        external_id="E-1",
        first_name="Mike",
        last_name="Johnson",
        email="mike@northwind.example",
        phone="+13125550142",
        role_site=True,
        locations=[north],
    )
    before = contacts_dump()
    report = run_import(
        dispatcher,
        rows(f"E-1,{customer.name},  Mike ,Johnson,site,mike@Northwind.EXAMPLE,312-555-0142,N,false"),
    )
    assert report["unchanged"] == 1, report
    assert contacts_dump() == before


def test_updates_only_the_columns_of_the_file(run_import, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, external_id="E-1", title="Technician", notes="Keep me")
    report = run_import(dispatcher, "external_id,title\nE-1,Lead Technician\n")
    assert report["updated"] == 1
    contact.refresh_from_db()
    assert (contact.title, contact.notes) == ("Lead Technician", "Keep me")


def test_matches_on_the_keys_in_order(run_import, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    by_id = ContactFactory(customer=customer, external_id="E-1", email="one@example.com")
    by_email = ContactFactory(customer=customer, email="two@example.com")
    report = run_import(
        dispatcher,
        "external_id,email,last_name,title\n"
        f"E-1,one.new@example.com,{by_id.last_name},A\n"
        f",TWO@example.com,{by_email.last_name},B\n"
        "E-9,three@example.com,New,C\n",
    )
    assert report["errors"] == []
    assert (report["created"], report["updated"]) == (1, 2)
    by_id.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_id.title, by_id.email) == ("A", "one.new@example.com")
    assert by_email.title == "B"
    assert Contact.objects.get(external_id="E-9").title == "C"


def test_match_on_email_only_ignores_external_ids(run_import, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer, external_id="OLD", email="one@example.com")
    report = run_import(dispatcher, "external_id,email\nNEW,one@example.com\n", match="email")
    assert report["updated"] == 1
    contact.refresh_from_db()
    assert contact.external_id == "NEW"


def test_an_email_shared_by_two_stored_contacts_is_a_row_error(
    run_import, dispatcher, customer_with_two_sites, other_customer
):
    """An address is one contact's within a customer (the database holds that), so two stored
    contacts share one only across customers: a file without a customer column matches among
    both."""
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, email="shared@example.com")
    ContactFactory(customer=other_customer, email="SHARED@example.com")
    report = run_import(dispatcher, "email,title\nshared@example.com,X\n")
    assert report["errors"] == [
        {"row": 2, "field": "email", "message": "More than one stored contact has this email."}
    ]


def test_unknown_match_keys_are_refused(dispatcher):
    with assert_unchanged(Contact, ImportRun), pytest.raises(ValidationFailed) as refused:
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes("last_name\nX\n"),
            dry_run=True,
            match="phone",
        )
    assert "match" in refused.value.errors


# Dry run -------------------------------------------------------------------------------------------


def test_dry_run_reports_what_the_commit_does_and_changes_nothing(
    run_import, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    first = ContactFactory(customer=customer, external_id="E-1", title="Old", is_primary=True)
    ContactFactory(
        customer=customer, external_id="E-2", first_name="Same", last_name="Person", email="same@example.com"
    )
    text = (
        "external_id,customer,first_name,last_name,email,title,is_primary\n"
        f"E-1,{customer.number},{first.first_name},{first.last_name},{first.email},New,false\n"
        f"E-2,{customer.number},Same,Person,same@example.com,,false\n"
        f"E-3,{customer.number},New,Primary,new@example.com,,true\n"
        f"E-4,{customer.number},,,other@example.com,,\n"
        f"E-5,{customer.number},Bad,Address,bad@,,\n"
    )
    before = contacts_dump()
    dry = run_import(dispatcher, text, dry_run=True)
    assert contacts_dump() == before
    assert not ImportRun.objects.exists()
    committed = run_import(dispatcher, text)
    assert {**dry, "dry_run": False} == committed
    assert (committed["created"], committed["updated"], committed["unchanged"]) == (1, 1, 1)
    assert {error["field"] for error in committed["errors"]} == {"last_name", "email"}


# Row errors: the API's rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "cells", "field"),
    [
        ("last_name,email", "Doe,not-an-address", "email"),
        ("last_name,phone", "Doe,call me maybe", "phone"),
        ("last_name,roles", "Doe,plumber", "roles"),
        ("last_name,preferred_channel", "Doe,pigeon", "preferred_channel"),
        ("last_name,status", "Doe,retired", "status"),
        ("last_name,roles,approval_limit", "Doe,approver,-1", "approval_limit"),
        ("last_name,roles,approval_limit", "Doe,approver,lots", "approval_limit"),
        ("last_name,roles,approval_limit", "Doe,site,100", "approval_limit"),
        ("first_name", "Ann", "last_name"),
        ("last_name,is_primary", "Doe,maybe", "is_primary"),
        ("last_name,notify_quotes", "Doe,often", "notify_quotes"),
        ("last_name,portal_enabled", "Doe,true", "portal"),
        ("last_name,portal_permissions", "Doe,superuser", "portal_permissions"),
        ("last_name,portal_support_start", "Doe,next week", "portal_support_start"),
        ("last_name,customer", "Doe,Nobody Inc", "customer"),
        ("last_name,is_primary", "Doe,true", "is_primary"),
    ],
)
def test_bad_values_are_row_errors_naming_the_column(run_import, accounts_clerk, header, cells, field):
    report = run_import(
        accounts_clerk, f"{header}\n{cells}\nGood,\n" if header == "first_name" else f"{header}\n{cells}\n"
    )
    assert report["created"] == 0 or header == "first_name"
    assert [(error["row"], error["field"]) for error in report["errors"]][:1] == [(2, field)], report
    assert not Contact.objects.filter(last_name="Doe").exists()


def test_locations_must_be_the_customers(run_import, dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    report = run_import(
        dispatcher,
        f"last_name,customer,locations\nA,{customer.number},Contoso HQ\nB,,N\nC,{customer.number},N\n",
    )
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "locations"), (3, "locations")]
    assert report["created"] == 1


def test_a_customer_name_shared_by_two_customers_needs_the_number(run_import, dispatcher):
    CustomerFactory(name="Acme")
    second = CustomerFactory(name="Acme")
    report = run_import(dispatcher, f"last_name,customer\nA,Acme\nB,{second.number}\n")
    assert report["errors"][0]["field"] == "customer"
    assert "number" in report["errors"][0]["message"]
    assert Contact.objects.get(last_name="B").customer == second


def test_a_formula_guard_from_our_export_is_removed_on_import(run_import, dispatcher):
    report = run_import(dispatcher, "last_name,phone,notes\nDoe,'+1 312 555 0142,'=1+1\n")
    assert report["created"] == 1, report
    contact = Contact.objects.get()
    assert (contact.phone, contact.notes) == ("+13125550142", "=1+1")


# The whole file refused --------------------------------------------------------------------------------


def test_unknown_columns_refuse_the_file_and_import_nothing(dispatcher):
    with pytest.raises(ValidationFailed) as refused:
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes("last_name,favourite_colour,Shoe Size\nDoe,blue,9\n"),
            dry_run=False,
        )
    message = refused.value.errors["file"][0]
    assert "favourite_colour" in message and "Shoe Size" in message
    assert not Contact.objects.exists()
    assert not ImportRun.objects.exists()


def test_repeated_columns_refuse_the_file(dispatcher):
    with (
        assert_unchanged(Contact, ImportRun),
        pytest.raises(ValidationFailed, match="Repeated columns: email"),
    ):
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes("email,last_name,EMAIL\na,b,c\n"),
            dry_run=True,
        )


def test_unknown_kind_is_refused(dispatcher):
    with assert_unchanged(Contact, ImportRun), pytest.raises(ValidationFailed) as refused:
        import_file(acting_user=dispatcher, kind="assets", file=csv_bytes("name\nx\n"), dry_run=True)
    assert "kind" in refused.value.errors


# Conflicts inside the file ---------------------------------------------------------------------------


def test_the_same_email_twice_refuses_both_rows(run_import, dispatcher):
    report = run_import(
        dispatcher,
        "last_name,email,external_id\nA,dup@example.com,\nB,other@example.com,X\nC,DUP@example.com,\nD,,X\n",
    )
    assert report["created"] == 0
    assert sorted((e["row"], e["field"]) for e in report["errors"]) == [
        (2, "email"),
        (3, "external_id"),
        (4, "email"),
        (5, "external_id"),
    ]
    assert report["errors"][0]["message"] == (
        "The e-mail dup@example.com appears in more than one row (2, 4); none of them was imported."
    )
    assert not Contact.objects.exists()


def test_two_primaries_for_one_customer_refuse_both_rows(run_import, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    current = ContactFactory(customer=customer, is_primary=True)
    report = run_import(
        dispatcher,
        f"last_name,customer,is_primary\nA,{customer.number},true\nB,{customer.name},yes\nC,{customer.number},false\n",
    )
    assert sorted((e["row"], e["field"]) for e in report["errors"]) == [(2, "is_primary"), (3, "is_primary")]
    assert report["created"] == 1
    current.refresh_from_db()
    assert current.is_primary


# Chunks, resuming, records -------------------------------------------------------------------------------


class Interrupted(Exception):
    pass


class StopAt:
    """A progress listener that interrupts the import after `rows` rows, like a killed process."""

    def __init__(self, rows: int):
        self.rows = rows
        self.done = 0
        self.total = None

    def start(self, total: int) -> None:
        self.total = total

    def advance(self, rows: int = 1) -> None:
        self.done += rows
        if self.done == self.rows:
            raise Interrupted


def test_an_interrupted_commit_keeps_whole_chunks_and_resumes_when_run_again(
    dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    text = "external_id,customer,last_name\n" + "".join(
        f"E-{n},{customer.number},Person {n}\n" for n in range(10)
    )
    stop = StopAt(7)
    with pytest.raises(Interrupted):
        import_file(
            acting_user=dispatcher,
            kind="contacts",
            file=csv_bytes(text),
            dry_run=False,
            progress=stop,
            chunk_rows=3,
        )
    assert stop.total == 10
    assert Contact.objects.count() == 6  # two whole chunks of three; the third was rolled back
    interrupted = ImportRun.objects.get()
    assert (interrupted.status, interrupted.created) == ("running", 6)
    again = import_file(
        acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False, chunk_rows=3
    )
    assert (again.created, again.updated, again.unchanged, again.errors) == (4, 0, 6, [])
    assert Contact.objects.count() == 10


def test_a_commit_records_who_imported_what(run_import, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, external_id="E-1", title="Old")
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes("external_id,last_name,title\nE-1,Kept,New\nE-2,Added,\n,,\n"),
        dry_run=False,
        filename="contacts.csv",
    )
    run = report.run
    assert run is not None
    run.refresh_from_db()
    assert (run.user, run.kind, run.filename, run.status) == (
        dispatcher,
        "contacts",
        "contacts.csv",
        "applied",
    )
    assert (run.created, run.updated, run.unchanged, run.error_count) == (1, 1, 0, 0)
    assert run.match == ["id", "external_id", "email"]
    items = list(run.items.order_by("id"))
    assert [(item.row, item.action) for item in items] == [(2, "updated"), (3, "created")]
    assert items[0].before["title"] == "Old"


def test_blank_rows_are_skipped_and_row_numbers_stay_those_of_the_spreadsheet(run_import, dispatcher):
    report = run_import(dispatcher, 'last_name,notes\nA,"two\nlines"\n\n,,\nB,x\n,\n')
    assert report["created"] == 2
    report = run_import(dispatcher, 'last_name,notes,email\nC,"two\nlines",x\n\nD,,bad@\n')
    assert [(e["row"], e["field"]) for e in report["errors"]] == [(2, "email"), (4, "email")]


# Scope -----------------------------------------------------------------------------------------------------


def test_a_user_who_may_not_add_or_change_is_refused_the_whole_import(technician, nobody):
    for user in (technician, nobody):
        for dry_run in (True, False):
            with assert_unchanged(Contact, ImportRun), pytest.raises(Forbidden):
                import_file(
                    acting_user=user, kind="contacts", file=csv_bytes("last_name\nDoe\n"), dry_run=dry_run
                )


def test_without_maintain_customer_contacts_only_location_level_rows_pass(
    run_import, location_contact_clerk, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    report = run_import(
        location_contact_clerk,
        f"last_name,customer,locations\nCustomerLevel,{customer.number},\nSiteLevel,{customer.number},N\n",
    )
    assert report["created"] == 1
    assert report["errors"][0]["row"] == 2
    assert "location-level" in report["errors"][0]["message"]
    existing = ContactFactory(customer=customer, external_id="CL")
    report = run_import(location_contact_clerk, "external_id,title\nCL,Changed\n")
    assert report["errors"][0]["row"] == 2
    existing.refresh_from_db()
    assert existing.title != "Changed"


def test_a_portal_user_imports_only_into_its_own_customer(
    run_import, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    theirs = ContactFactory(customer=other_customer, email="theirs@example.com", title="Theirs")
    user = portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com")
    report = run_import(
        user,
        f"last_name,customer,email,title\nMine,{customer.number},,\nSneaky,{other_customer.number},,\nX,,theirs@example.com,Hacked\n",
    )
    assert report["created"] == 1
    assert [(e["row"], e["field"]) for e in report["errors"]][:1] == [(3, "customer")]
    # the other customer's contact is not matched: the row would create one (refused: no customer)
    theirs.refresh_from_db()
    assert theirs.title == "Theirs"
    assert not Contact.objects.filter(last_name="Sneaky").exists()


# Revert -------------------------------------------------------------------------------------------------


def test_revert_deletes_created_and_restores_updated_contacts(dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    old_primary = ContactFactory(customer=customer, is_primary=True, external_id="P")
    changed = ContactFactory(
        customer=customer, external_id="E-1", title="Old", role_billing=True, locations=[north]
    )
    text = (
        "external_id,customer,last_name,title,roles,locations,is_primary\n"
        f"E-1,{customer.number},{changed.last_name},New,site,,true\n"
        f"E-2,{customer.number},Added,,,N,false\n"
    )
    report = import_file(acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False)
    changed.refresh_from_db()
    old_primary.refresh_from_db()
    assert (changed.title, changed.is_primary, old_primary.is_primary) == ("New", True, False)

    run = revert_import(run=report.run, acting_user=dispatcher)

    assert run.status == "reverted" and run.reverted_by == dispatcher
    assert not Contact.objects.filter(external_id="E-2").exists()
    changed.refresh_from_db()
    old_primary.refresh_from_db()
    assert (changed.title, changed.roles, changed.is_primary) == ("Old", ["billing"], False)
    assert list(changed.locations.all()) == [north]
    assert old_primary.is_primary
    with assert_unchanged(Contact, ImportRun), pytest.raises(Conflict, match="already reverted"):
        revert_import(run=run, acting_user=dispatcher)


TWO_ROWS = "external_id,customer,last_name,email,title,is_primary\n"


def test_revert_restores_a_contact_two_rows_changed_to_before_the_first(
    run_import, dispatcher, customer_with_two_sites
):
    """Row 1 changes P's title, row 2 makes a new contact primary (un-marking P): the revert gives
    P both its title and its primary flag back."""
    customer, _, _ = customer_with_two_sites
    p = ContactFactory(customer=customer, is_primary=True, email="p@n.example", external_id="P", title="Old")
    run_import(
        dispatcher,
        TWO_ROWS
        + f"P,{customer.number},{p.last_name},p@n.example,New,\n"
        + f"N,{customer.number},Newman,n@n.example,,true\n",
    )
    revert_import(run=ImportRun.objects.get(), acting_user=dispatcher)
    p.refresh_from_db()
    assert (p.title, p.is_primary) == ("Old", True)
    assert list(Contact.objects.filter(customer=customer).values_list("pk", flat=True)) == [p.pk]


def test_revert_restores_a_side_effect_and_a_later_change_of_the_same_contact(
    run_import, dispatcher, customer_with_two_sites
):
    """Row 1 makes a new contact primary (un-marking B), row 2 changes B's title."""
    customer, _, _ = customer_with_two_sites
    b = ContactFactory(customer=customer, is_primary=True, email="b@n.example", external_id="B", title="Old")
    run_import(
        dispatcher,
        TWO_ROWS
        + f"A,{customer.number},Anew,a@n.example,,true\n"
        + f"B,{customer.number},{b.last_name},b@n.example,New,\n",
    )
    revert_import(run=ImportRun.objects.get(), acting_user=dispatcher)
    b.refresh_from_db()
    assert (b.title, b.is_primary) == ("Old", True)
    assert not Contact.objects.filter(external_id="A").exists()


def test_revert_is_refused_when_something_changed_since(api, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    report = import_file(
        acting_user=dispatcher,
        kind="contacts",
        file=csv_bytes(f"external_id,customer,last_name\nE-1,{customer.number},Doe\n"),
        dry_run=False,
    )
    contact = Contact.objects.get(external_id="E-1")
    # a change of the locations only (no updated_at change) counts as well
    assert (
        api(dispatcher)
        .patch(f"/api/v1/contacts/{contact.pk}/", {"locations": [north.pk]}, format="json")
        .status_code
        == 200
    )
    with (
        assert_unchanged(Contact, ImportRun),
        pytest.raises(Conflict, match=r"changed or deleted since \(rows 2\); nothing was reverted"),
    ):
        revert_import(run=report.run, acting_user=dispatcher)
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert ImportRun.objects.get().status == "applied"


# Customers and locations ----------------------------------------------------------------------------------


def test_imports_customers_matching_number_then_name(run_import, dispatcher):
    existing = CustomerFactory(name="Acme", phone="+13125550100")
    report = run_import(
        dispatcher,
        "number,name,status,phone,billing_address_city\n"
        f"{existing.number},Acme Corp,active,(312) 555-0100,Chicago\n"
        ",Globex,prospect,,Springfield\n"
        "C-999999,Ghost,,,\n",
        kind="customers",
    )
    assert (report["created"], report["updated"]) == (1, 1)
    assert report["errors"] == [
        {
            "row": 4,
            "field": "number",
            "message": "No customer numbered C-999999; leave the number empty to create one.",
        }
    ]
    existing.refresh_from_db()
    assert (existing.name, existing.billing_address) == ("Acme Corp", {"city": "Chicago"})
    assert Customer.objects.get(name="Globex").status == "prospect"
    again = run_import(
        dispatcher, f"number,name,phone\n{existing.number},Acme Corp,312 555 0100\n", kind="customers"
    )
    assert again["unchanged"] == 1


def test_imports_locations_of_a_customer_matching_code_then_name(
    run_import, dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    report = run_import(
        dispatcher,
        "customer,name,code,address_city,is_active\n"
        f"{customer.number},North Campus (new wing),N,Chicago,true\n"
        f"{customer.name},East Campus,E,,\n"
        f",Nowhere,X,,\n",
        kind="locations",
    )
    assert (report["created"], report["updated"]) == (1, 1), report
    assert report["errors"] == [{"row": 4, "field": "customer", "message": "The customer is required."}]
    north.refresh_from_db()
    assert (north.name, north.address) == ("North Campus (new wing)", {"city": "Chicago"})
    assert Location.objects.get(code="E").customer == customer


def test_a_customers_import_needs_customer_permissions(run_import, accounts_clerk):
    for dry_run in (True, False):
        with assert_unchanged(Customer, ImportRun), pytest.raises(Forbidden):
            import_file(
                acting_user=accounts_clerk, kind="customers", file=csv_bytes("name\nAcme\n"), dry_run=dry_run
            )


def test_revert_of_a_customer_import(dispatcher):
    report = import_file(
        acting_user=dispatcher, kind="customers", file=csv_bytes("name\nAcme\n"), dry_run=False
    )
    assert Customer.objects.filter(name="Acme").exists()
    revert_import(run=report.run, acting_user=dispatcher)
    assert not Customer.objects.filter(name="Acme").exists()
    assert ImportRunItem.objects.filter(run=report.run).count() == 1


def test_with_maintain_customer_contacts_customer_level_rows_pass(
    location_contact_clerk, customer_with_two_sites
):
    location_contact_clerk.user_permissions.add(Permission.objects.get(codename="maintain_customer_contacts"))
    customer, _, _ = customer_with_two_sites
    report = import_file(
        acting_user=location_contact_clerk,
        kind="contacts",
        file=csv_bytes(f"last_name,customer\nDoe,{customer.number}\n"),
        dry_run=False,
    )
    assert (report.created, report.errors) == (1, [])


def test_blank_cells_of_true_false_and_choice_columns_give_no_value(
    run_import, dispatcher, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    stored = ContactFactory(
        customer=customer, external_id="E-1", is_primary=True, preferred_channel="sms", notify_quotes=True
    )
    header = "external_id,customer,last_name,roles,status,preferred_channel,is_primary,notify_quotes,notify_work_orders\n"
    report = run_import(
        dispatcher,
        header + f"E-1,{customer.number},{stored.last_name},,,,,,\nE-2,{customer.number},New,site,,,,,\n",
    )
    assert (report["created"], report["updated"], report["errors"]) == (1, 0, []), report
    stored.refresh_from_db()
    assert (stored.is_primary, stored.preferred_channel, stored.notify_quotes) == (True, "sms", True)
    new = Contact.objects.get(external_id="E-2")
    assert (new.status, new.preferred_channel, new.is_primary) == ("active", "email", False)
    assert new.notify == {"work_orders": True, "completions": True, "quotes": False, "invoices": False}


def test_revert_is_refused_when_a_created_customer_gained_locations(dispatcher):
    report = import_file(
        acting_user=dispatcher, kind="customers", file=csv_bytes("name\nAcme\n"), dry_run=False
    )
    acme = Customer.objects.get(name="Acme")
    Location.objects.create(customer=acme, name="Plant")
    with (
        assert_unchanged(Customer, Location, ImportRun),
        pytest.raises(Conflict, match=r"Row 2: .*still referenced by 1 location.*Nothing was reverted"),
    ):
        revert_import(run=report.run, acting_user=dispatcher)
    assert Customer.objects.filter(name="Acme").exists()
    report.run.refresh_from_db()
    assert report.run.status == "applied"


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", b"", ","),
        ("utf-8", b"\xef\xbb\xbf", ";"),
        ("utf-16", b"", "\t"),
        ("utf-16-le", b"", ";"),
        ("cp1252", b"", ","),
    ],
)
def test_imports_each_encoding_and_delimiter_end_to_end(dispatcher, encoding, bom, delimiter):
    d = delimiter
    text = f'last_name{d}first_name{d}notes\r\nMüller{d}Zoë{d}"Café{d} “2” €"\r\n'
    report = import_file(
        acting_user=dispatcher, kind="contacts", file=io.BytesIO(bom + text.encode(encoding)), dry_run=False
    )
    assert (report.created, report.errors) == (1, [])
    contact = Contact.objects.get()
    assert (contact.last_name, contact.first_name, contact.notes) == ("Müller", "Zoë", f"Café{d} “2” €")
