"""Searches answer in tiers, each read with its own LIMIT from its own index: folded names by
prefix (last name first, then first name first), then words anywhere from the trigram index (the
FTS5 table on SQLite, pg_trgm on PostgreSQL), by id. Pages follow one cursor across the tiers."""

from __future__ import annotations

import base64
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact
from clientbase.contacts.selectors import search_contacts
from clientbase.keyset import first_rows
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(customer_with_two_sites):
    customer = customer_with_two_sites[0]
    made = {}
    for first, last in [
        ("Zed", "Martin"),  # last name begins with "mar"
        ("Amy", "Martinez"),
        ("Mara", "Young"),  # first name begins with "mar"
        ("Bob", "Lamarck"),  # "mar" inside the name
        ("Cy", "Omar"),
        ("Dee", "Stone"),  # no "mar" at all
    ]:
        made[last] = ContactFactory(customer=customer, first_name=first, last_name=last, email="", title="")
    return made


def results(client, params) -> list[str]:
    return [row["last_name"] for row in client.get("/api/v1/contacts/", params).json()["results"]]


def test_prefix_tiers_come_first_then_words_anywhere_by_id(api, admin_user, people):
    order = results(api(admin_user), {"search": "mar"})
    assert order[:3] == ["Martin", "Martinez", "Young"]
    inside = sorted(["Lamarck", "Omar"], key=lambda name: people[name].pk)
    assert order[3:] == inside
    assert "Stone" not in order


def test_one_or_two_characters_read_the_prefix_tiers_only(api, admin_user, people):
    assert results(api(admin_user), {"search": "ma"}) == ["Martin", "Martinez", "Young"]
    assert results(api(admin_user), {"search": "M"}) == ["Martin", "Martinez", "Young"]


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_a_search_pages_by_cursor_across_tiers_both_ways(api, admin_user, people, size):
    client = api(admin_user)
    expected = results(client, {"search": "mar", "page_size": 50})
    page = client.get("/api/v1/contacts/", {"search": "mar", "page_size": size}).json()
    assert page["previous"] is None
    pages = [page]
    while page["next"]:
        assert "cursor=" in page["next"] and "page=" not in page["next"]
        page = client.get(page["next"]).json()
        pages.append(page)
    forwards = [row["last_name"] for page in pages for row in page["results"]]
    assert forwards == expected
    backwards = []
    while page["previous"]:
        page = client.get(page["previous"]).json()
        backwards = [row["last_name"] for row in page["results"]] + backwards
    assert backwards == expected[: len(expected) - len(pages[-1]["results"])]


def test_a_page_of_a_search_costs_one_query_per_tier_read(api, admin_user, people):
    client = api(admin_user)
    client.get("/api/v1/contacts/", {"search": "mar", "page_size": 1})  # warm caches
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/contacts/", {"search": "mar", "page_size": 1})
    with CaptureQueriesContext(connection) as all_tiers:
        client.get("/api/v1/contacts/", {"search": "mar", "page_size": 50})
    # A page of 1 (and the row telling that more follow) is filled by the first tier; 50 reads
    # the other two tiers as well.
    assert len(all_tiers) == len(one) + 2
    contact_reads = [q["sql"] for q in all_tiers.captured_queries if 'FROM "contacts_contact"' in q["sql"]]
    assert all("LIMIT" in sql for sql in contact_reads)
    assert not any("COUNT(" in sql.upper() for sql in contact_reads)


def test_a_cursor_naming_a_tier_the_search_has_not_is_refused(api, admin_user, people):
    cursor = base64.urlsafe_b64encode(json.dumps({"t": 7, "v": [1], "d": "n"}).encode()).decode().rstrip("=")
    response = api(admin_user).get("/api/v1/contacts/", {"search": "mar", "cursor": cursor})
    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_start_page_reads_the_first_rows_by_tier(people):
    rows, more = first_rows(search_contacts(Contact.objects.all(), "mar"), 2)
    assert [row.last_name for row in rows] == ["Martin", "Martinez"] and more
    rows, more = first_rows(search_contacts(Contact.objects.all(), "mar"), 10)
    assert len(rows) == 5 and not more


def test_the_other_filters_hold_in_every_tier(api, admin_user, people):
    other = CustomerFactory()
    ContactFactory(customer=other, first_name="Mark", last_name="Marsh")
    customer = people["Martin"].customer_id
    found = results(api(admin_user), {"search": "mar", "customer": customer})
    assert "Marsh" not in found and len(found) == 5


def test_search_stays_true_after_changes_and_deletions(people, admin_user):
    from clientbase.contacts.services import delete_contact, update_contact

    def found(text):
        return {c.last_name for c in search_contacts(Contact.objects.all(), text)}

    update_contact(contact=people["Stone"], acting_user=admin_user, data={"title": "Quartermaster"})
    assert "Stone" in found("termast")
    update_contact(contact=people["Stone"], acting_user=admin_user, data={"title": "Clerk"})
    assert "Stone" not in found("termast")
    delete_contact(contact=people["Omar"], acting_user=admin_user)
    assert "Omar" not in found("omar")


def test_customers_and_locations_answer_by_name_prefix_first(api, admin_user):
    CustomerFactory(name="Northwind")
    CustomerFactory(name="Acme Northern")
    CustomerFactory(name="Norris Hotels")
    client = api(admin_user)
    names = [row["name"] for row in client.get("/api/v1/customers/", {"search": "nor"}).json()["results"]]
    assert names == ["Norris Hotels", "Northwind", "Acme Northern"]
    assert [r["name"] for r in client.get("/api/v1/customers/", {"search": "no"}).json()["results"]] == [
        "Norris Hotels",
        "Northwind",
    ]
    customer = CustomerFactory(name="Sites")
    LocationFactory(customer=customer, name="Depot East")
    LocationFactory(customer=customer, name="East Wing")
    names = [row["name"] for row in client.get("/api/v1/locations/", {"search": "east"}).json()["results"]]
    assert names == ["East Wing", "Depot East"]


def plan(queryset, *, walks: bool = True) -> str:
    """The query plan; on PostgreSQL with no reading of the whole (small) table; with `walks`, no
    bitmap read nor sort either, so that a plan without a sort shows the rows can be read in index
    order; else no walk of an index in order, so the plan shows which index answers the condition
    (a table this small, or bloated by earlier tests, makes any plan the cheapest)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            if walks:
                cursor.execute("SET LOCAL enable_bitmapscan = off")
                cursor.execute("SET LOCAL enable_sort = off")
            else:
                cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_prefix_tier_reads_the_folded_name_index_in_order(people):
    from clientbase.text import starts_with

    tier = Contact.objects.filter(starts_with("folded_last_first", "mar")).order_by("folded_last_first", "id")
    shown = plan(tier[:21])
    assert "contacts_folded_last_first_idx" in shown
    assert "TEMP B-TREE" not in shown and "Sort" not in shown  # read in index order, no sort


def test_the_words_tier_reads_the_trigram_index(people):
    from clientbase.search import every_word

    tier = Contact.objects.filter(every_word("contacts_contact", ["artin"])).order_by("id")
    shown = plan(tier[:21], walks=False)
    if connection.vendor == "postgresql":
        assert "contacts_contact_search_document_trgm" in shown
    else:
        assert "contacts_contact_fts VIRTUAL TABLE" in shown


def test_the_trigram_table_holds_what_the_contacts_hold(people):
    """SQLite's FTS5 table is external content kept by triggers: its integrity check compares it
    with the contacts it indexes."""
    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 table is SQLite's; PostgreSQL indexes the column itself")
    omar = Contact.objects.get(pk=people["Omar"].pk)
    omar.title = "Harbour master"
    omar.save()
    Contact.objects.filter(pk=people["Young"].pk).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO contacts_contact_fts(contacts_contact_fts, rank) VALUES ('integrity-check', 1)"
        )
    assert {c.last_name for c in search_contacts(Contact.objects.all(), "rbour")} == {"Omar"}
