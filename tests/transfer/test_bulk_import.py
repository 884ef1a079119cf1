"""Contacts imported a chunk at a time (`transfer/bulk.py`): a fixed number of queries per chunk,
and every rule, figure, error, history record and revert as the one-by-one import gives them. The
one-by-one import is what an import with `details` (the preview of the staff pages) runs, so each
file here is imported both ways and the reports compared."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact
from clientbase.phones import phone_search_digits
from clientbase.transfer.models import ImportRun, ImportRunItem
from clientbase.transfer.services import import_file, revert_import
from tests.factories import ContactFactory, CustomerFactory
from tests.transfer.conftest import contacts_dump, csv_bytes

pytestmark = pytest.mark.django_db

HEADER = "external_id,customer,first_name,last_name,email,phone,title\n"


def both_ways(user, text: str, **options) -> dict:
    """The dry-run report of `text` imported a chunk at a time, checked equal to the one-by-one
    import's; nothing is written either way."""
    dump = contacts_dump()
    bulk = import_file(acting_user=user, kind="contacts", file=csv_bytes(text), dry_run=True, **options)
    one_by_one = import_file(
        acting_user=user, kind="contacts", file=csv_bytes(text), dry_run=True, details=True, **options
    )
    assert bulk.as_dict() == one_by_one.as_dict()
    assert contacts_dump() == dump
    return bulk.as_dict()


def stored_contacts(customer, count: int) -> list[Contact]:
    contacts = [
        Contact(
            customer=customer,
            first_name="Old",
            last_name=f"Person {index}",
            email=f"person{index}@example.com",
            external_id=f"E-{index}",
            title="Technician",
        )
        for index in range(count)
    ]
    for contact in contacts:
        contact.derive_fields(None, customer_name=customer.name)
    return Contact.objects.bulk_create(contacts)


def mixed_file(customer, rows: int) -> str:
    """`rows` rows: 60 % new contacts, 40 % updates of `stored_contacts` by external_id or e-mail."""
    lines = []
    for index in range(rows):
        if index % 5 < 3:
            lines.append(
                f"N-{index},{customer.number},José,Nguyễn {index},new{index}@example.org,(312) 555-0142,"
            )
        elif index % 2:
            lines.append(f"E-{index},{customer.number},Zoë,Person {index},,+44 20 7946 0018,Lead")
        else:
            lines.append(f",{customer.number},Ana,Person {index},Person{index}@Example.com,,Lead")
    return HEADER + "".join(line + "\n" for line in lines)


# Queries ----------------------------------------------------------------------------------------


def test_the_queries_of_a_chunk_do_not_grow_with_its_rows(dispatcher):
    """100 rows and 1,000 rows (one chunk each, new contacts and updates) cost the same queries:
    the rows are matched, read, checked and written together."""
    customer = CustomerFactory()
    stored_contacts(customer, 1000)

    def queries_for(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            report = import_file(
                acting_user=dispatcher,
                kind="contacts",
                file=csv_bytes(mixed_file(customer, rows)),
                dry_run=True,
                match="external_id,email",
            )
        assert report.errors == []
        assert (report.created, report.updated) == (rows * 3 // 5, rows * 2 // 5)
        return len(queries)

    few, many = queries_for(100), queries_for(1000)
    assert abs(many - few) <= 2, (few, many)
    assert many < 60


def test_a_committed_chunk_writes_with_a_fixed_number_of_queries(dispatcher):
    customer = CustomerFactory()
    stored_contacts(customer, 400)

    def queries_for(rows: int) -> int:
        with CaptureQueriesContext(connection) as queries:
            report = import_file(
                acting_user=dispatcher,
                kind="contacts",
                file=csv_bytes(mixed_file(customer, rows)),
                dry_run=False,
                match="external_id,email",
            )
        assert report.errors == []
        assert report.created + report.updated + report.unchanged == rows
        return len(queries)

    few = queries_for(40)
    Contact.objects.filter(external_id__startswith="N-").delete()
    many = queries_for(400)
    assert abs(many - few) <= 2, (few, many)


def test_the_customers_rows_name_are_looked_up_together(dispatcher):
    """Rows naming 5 or 60 different customers, by number or by name (one of them ambiguous, one
    unknown), cost the same queries: the customers of a chunk (and of the first pass, which notes
    each row's keys per customer) are looked up together, not one query per customer."""
    customers = [CustomerFactory(name=f"Firm {index}") for index in range(60)]
    CustomerFactory(name="Firm 8")  # two customers of this name: naming it is refused

    def report_for(count: int) -> tuple[int, list]:
        lines = [
            f"N-{index},{customer.number if index % 2 else customer.name},Ann,Lee {index},"
            f"ann{index}@example.org,,\n"
            for index, customer in enumerate(customers[:count])
        ]
        lines.append("N-X,Nobody Inc,Ann,Lee,nobody@example.org,,\n")
        with CaptureQueriesContext(connection) as queries:
            report = import_file(
                acting_user=dispatcher, kind="contacts", file=csv_bytes(HEADER + "".join(lines)), dry_run=True
            )
        return len(queries), report.errors

    (few, few_errors), (many, many_errors) = report_for(5), report_for(60)
    assert abs(many - few) <= 2, (few, many)
    assert [(error["field"], error["message"]) for error in many_errors] == [
        ("customer", "More than one customer is named “Firm 8”; give its number (C-000042) instead."),
        ("customer", "No customer numbered or named “Nobody Inc”."),
    ]
    assert len(few_errors) == 1


# Rules ------------------------------------------------------------------------------------------


def test_each_rule_refuses_its_row_as_one_by_one(dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    ContactFactory(
        customer=customer, external_id="HELD", email="held@example.com", first_name="Ann", last_name="Holder"
    )
    text = HEADER + "".join(
        line + "\n"
        for line in (
            f"B-1,{customer.number},Bad,Phone,b1@example.com,not a phone,",
            f"B-2,{customer.number},Clash,Stored,HELD@example.com,,",  # another contact's address
            f"B-3,{customer.number},Same,Twice,twice@example.com,,",
            f"B-4,{customer.number},Same,Again,Twice@Example.com,,",  # the same address in the file
            f"B-5,{customer.number},,,b5@example.com,,",  # no last name
            f"B-6,{customer.number},Line,Break,bad@,,",  # not an address
            "B-7,C-999999,No,Customer,b7@example.com,,",
            f"B-8,{customer.number},Good,Row,b8@example.com,312.555.0199,Owner",
        )
    )
    report = both_ways(dispatcher, text, match="external_id")
    fields = {(error["row"], error["field"]) for error in report["errors"]}
    assert {(2, "phone"), (3, "email"), (4, "email"), (5, "email"), (6, "last_name"), (7, "email")} <= fields
    assert (8, "customer") in fields
    assert (report["created"], report["updated"]) == (1, 0)
    clash = next(error for error in report["errors"] if error["row"] == 3)
    assert clash["message"] == (
        "Another contact of this customer, Ann Holder, already has the e-mail held@example.com."
    )


def test_an_address_is_free_or_held_as_the_earlier_rows_left_it(dispatcher):
    """Row order decides, as one by one: an address a contact gives up is free for the rows after
    it, and held for the rows before."""
    customer = CustomerFactory()
    ContactFactory(customer=customer, external_id="E-1", email="one@example.com", last_name="One")
    freed = HEADER + (
        f"E-1,{customer.number},,One,other@example.com,,\nN-1,{customer.number},,New,one@example.com,,\n"
    )
    report = both_ways(dispatcher, freed, match="external_id")
    assert (report["updated"], report["created"], report["errors"]) == (1, 1, [])
    held = HEADER + (
        f"N-1,{customer.number},,New,one@example.com,,\nE-1,{customer.number},,One,other@example.com,,\n"
    )
    report = both_ways(dispatcher, held, match="external_id")
    assert (report["updated"], report["created"]) == (1, 0)
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(2, "email")]


def test_locations_of_another_customer_are_refused(dispatcher, customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    text = "external_id,customer,last_name,locations\n" + (
        f"L-1,{customer.number},Here,N\nL-2,{other_customer.number},There,N\nL-3,{customer.number},Plain,\n"
    )
    report = both_ways(dispatcher, text)
    assert [(error["row"], error["field"]) for error in report["errors"]] == [(3, "locations")]
    assert report["created"] == 2


def test_an_out_of_scope_contact_matched_by_id_answers_as_one_by_one(portal_user_factory):
    customer_a, customer_b = CustomerFactory(), CustomerFactory()
    theirs = ContactFactory(customer=customer_a, last_name="Theirs", external_id="T")
    portal_b = portal_user_factory(customer_b, permissions=["edit_contacts"], email="me@b.example")
    text = f"id,customer,last_name\n{theirs.pk},{customer_b.number},Sneaky\n{theirs.pk + 1000},,Nobody\n"
    report = both_ways(portal_b, text)
    assert customer_a.name not in str(report)
    theirs.refresh_from_db()
    assert theirs.last_name == "Theirs"


def test_a_refusal_of_the_database_sends_the_chunk_one_by_one(dispatcher):
    """A new contact taking a stored contact's external_id is refused by the unique index: the
    chunk is written one by one, which names that row and writes the others."""
    customer = CustomerFactory()
    ContactFactory(customer=customer, external_id="TAKEN", email="taken@example.com")
    text = HEADER + (
        f"G-1,{customer.number},,Good,g1@example.com,,\n"
        f"TAKEN,{customer.number},,Copy,copy@example.com,,\n"
        f"G-2,{customer.number},,Also good,g2@example.com,,\n"
    )
    report = both_ways(dispatcher, text, match="email")
    assert [error["row"] for error in report["errors"]] == [3]
    committed = import_file(
        acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False, match="email"
    )
    assert (committed.created, [error["row"] for error in committed.errors]) == (2, [3])
    assert set(Contact.objects.filter(customer=customer).values_list("external_id", flat=True)) == {
        "TAKEN",
        "G-1",
        "G-2",
    }


def test_a_row_making_a_contact_primary_goes_one_by_one_in_its_place(dispatcher):
    customer = CustomerFactory()
    old = ContactFactory(customer=customer, external_id="OLD", is_primary=True, title="Boss")
    text = "external_id,customer,last_name,title,is_primary\n" + (
        f"A,{customer.number},Before,,\nB,{customer.number},Primary,,true\n"
        f"OLD,{customer.number},{old.last_name},Former boss,\nC,{customer.number},After,,\n"
    )
    assert both_ways(dispatcher, text)["errors"] == []
    report = import_file(acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False)
    assert (report.created, report.updated, report.errors) == (3, 1, [])
    old.refresh_from_db()
    assert (old.is_primary, old.title, old.version) == (False, "Former boss", 3)
    assert Contact.objects.get(external_id="B").is_primary


# A mixed file -----------------------------------------------------------------------------------


def test_a_mixed_file_writes_exactly_its_good_rows_with_history_and_a_revert(dispatcher):
    customer = CustomerFactory(name="Kunde Müller")
    stored = stored_contacts(customer, 4)
    before = contacts_dump()[:-1]  # the contacts' rows, without the history count
    text = HEADER + "".join(
        line + "\n"
        for line in (
            f"E-0,{customer.number},Zoë,Person 0,,(312) 555-0100 ext. 7,Lead",  # update by external_id
            f",{customer.number},,Person 1,PERSON1@example.com,,Chef",  # update by e-mail
            f"E-2,{customer.number},Old,Person 2,person2@example.com,,Technician",  # unchanged
            f"N-1,{customer.number},José,Nguyễn,jose@example.org,312.555.0199,",  # new
            f"N-2,{customer.number},Bad,Phone,bad@example.org,12,",  # refused
            f"E-3,{customer.number},,Person 3,person0@example.com,,",  # refused: row 2's contact has it
        )
    )
    expected = both_ways(dispatcher, text)
    report = import_file(acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False)
    assert report.as_dict() == {**expected, "dry_run": False}
    assert (report.created, report.updated, report.unchanged) == (1, 2, 1)
    assert [(error["row"], error["field"]) for error in report.errors] == [(6, "phone"), (7, "email")]

    zoe = Contact.objects.get(pk=stored[0].pk)
    assert (zoe.first_name, zoe.phone, zoe.title, zoe.version) == ("Zoë", "+13125550100;ext=7", "Lead", 2)
    assert zoe.phone_digits == phone_search_digits(zoe.phone) and "3125550100" in zoe.phone_digits
    assert zoe.search_document == zoe.searched_text()
    assert zoe.folded_first_last == "zoe person 0"
    jose = Contact.objects.get(external_id="N-1")
    assert (jose.phone, jose.email, jose.notify, jose.version) == (
        "+13125550199",
        "jose@example.org",
        {"work_orders": False, "completions": False, "quotes": False, "invoices": False},
        1,
    )
    assert jose.search_document == jose.searched_text() and "kunde" in jose.search_document
    assert (jose.folded_last_first, jose.phone_digits) == ("nguyen jose", phone_search_digits(jose.phone))
    # history: one record per write, by the importing user; unchanged and refused rows have none
    assert [(record.history_type, record.history_user) for record in jose.history.all()] == [
        ("+", dispatcher)
    ]
    latest = zoe.history.latest("history_id")
    assert (latest.history_type, latest.title, latest.version, latest.history_user) == (
        "~",
        "Lead",
        2,
        dispatcher,
    )
    assert not Contact.history.filter(id=stored[2].pk).exists()
    # revert data: an item per written contact, stamped with its newest history record
    items = {item.object_id: item for item in ImportRunItem.objects.filter(run=report.run)}
    assert set(items) == {stored[0].pk, stored[1].pk, jose.pk}
    assert items[stored[0].pk].before == {
        "first_name": "Old",
        "last_name": "Person 0",
        "phone": "",
        "title": "Technician",
        "customer": customer.pk,
        "external_id": "E-0",
    }
    assert items[zoe.pk].history_id == latest.history_id
    assert (items[jose.pk].action, items[jose.pk].history_id) == ("created", jose.history.get().history_id)

    revert_import(run=report.run, acting_user=dispatcher)
    assert contacts_dump()[:-1] != before  # versions went up
    restored = {row["id"]: row for row in Contact.objects.values()}
    assert set(restored) == {contact.pk for contact in stored}
    for contact in stored:
        row = restored[contact.pk]
        assert (row["first_name"], row["title"], row["phone"], row["email"]) == (
            "Old",
            "Technician",
            "",
            contact.email,
        )
    assert ImportRun.objects.get().status == ImportRun.Status.REVERTED


def test_history_records_match_those_the_services_write(dispatcher, customer_with_two_sites):
    """Two alike contacts changed alike, one a chunk at a time and one by one (with `details`): their
    new history records hold the same values, the same user and the same links to locations."""
    customer, north, south = customer_with_two_sites
    pair = [
        ContactFactory(customer=customer, external_id=key, title="Old", locations=[north, south])
        for key in ("A", "B")
    ]
    for contact, details in zip(pair, (False, True), strict=True):
        text = f"external_id,customer,title,phone\n{contact.external_id},{customer.number},New,312 555 0142\n"
        report = import_file(
            acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False, details=details
        )
        assert (report.updated, report.errors) == (1, [])
    records = [contact.history.latest("history_id") for contact in pair]
    skipped = {"history_id", "history_date", "created_at", "updated_at", "id", "external_id", "first_name"}
    skipped |= {"last_name", "email"}

    def values(record) -> dict:
        fields = record._meta.concrete_fields
        return {
            field.attname: getattr(record, field.attname) for field in fields if field.name not in skipped
        }

    assert values(records[0]) == values(records[1])
    assert values(records[0])["phone"] == "+13125550142" and values(records[0])["history_type"] == "~"
    links = [sorted(link.location_id for link in record.locations.all()) for record in records]
    assert links[0] == links[1] == sorted([north.pk, south.pk])


def test_an_id_beyond_any_row_matches_nothing(dispatcher):
    customer = CustomerFactory()
    text = f"id,customer,last_name\n{2**70},{customer.number},Huge\n12,{customer.number},Small\n"
    report = both_ways(dispatcher, text)
    assert (report["created"], report["errors"]) == (2, [])


def test_a_chunk_of_many_rows_only_the_services_write_is_finished_one_by_one(
    dispatcher, customer_with_two_sites
):
    customer, north, _ = customer_with_two_sites
    lines = [f"L-{index},{customer.number},Sited {index},{'N' if index % 2 else ''}" for index in range(30)]
    text = "external_id,customer,last_name,locations\n" + "".join(line + "\n" for line in lines)
    assert both_ways(dispatcher, text)["created"] == 30
    report = import_file(acting_user=dispatcher, kind="contacts", file=csv_bytes(text), dry_run=False)
    assert (report.created, report.errors) == (30, [])
    sited = Contact.objects.filter(locations=north).values_list("external_id", flat=True)
    assert sorted(sited) == sorted(f"L-{index}" for index in range(1, 30, 2))
    assert ImportRunItem.objects.filter(run=report.run).count() == 30


def test_an_export_imported_again_reads_in_bulk_whatever_its_locations(dispatcher, customer_with_two_sites):
    """An export names each contact's locations; the same ones again change nothing, so those
    rows go in bulk (a fixed number of queries), not one by one."""
    import io

    from clientbase.contacts.models import ContactLocation
    from clientbase.transfer.exporters import export_contacts

    customer, north, south = customer_with_two_sites
    contacts = stored_contacts(customer, 60)
    ContactLocation.objects.bulk_create(
        [ContactLocation(contact=c, location=(north, south)[i % 2]) for i, c in enumerate(contacts)]
    )

    def queries_for(count: int) -> int:
        target = io.BytesIO()
        export_contacts(Contact.objects.filter(pk__in=[c.pk for c in contacts[:count]]), "csv", target)
        with CaptureQueriesContext(connection) as queries:
            report = import_file(
                acting_user=dispatcher,
                kind="contacts",
                file=csv_bytes(target.getvalue().decode()),
                dry_run=False,
            )
        assert report.errors == [] and report.unchanged == count
        return len(queries)

    few, many = queries_for(10), queries_for(60)
    assert abs(many - few) <= 2, (few, many)


def test_the_matching_keys_of_a_chunk_are_read_from_indexes(dispatcher):
    """A chunk's e-mail addresses (ignoring case) and external ids are looked up with `IN`, which
    an index answers instead of a read of every contact."""
    from django.db.models import CharField
    from django.db.models.functions import Lower

    stored_contacts(CustomerFactory(), 30)
    by_email = Contact.objects.annotate(key=Lower("email", output_field=CharField())).filter(
        key__in=["person1@example.com", "person2@example.com"]
    )
    by_external_id = Contact.objects.filter(external_id__in=["E-1", "E-2"])
    for queryset, index in (
        (by_email, "contacts_contact_email_key_idx"),
        (by_external_id, "contacts_contact_external_idx"),
    ):
        sql, params = queryset.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute(f"EXPLAIN {sql}", params)
            else:
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
        assert index in plan, plan
