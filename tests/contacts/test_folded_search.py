# ruff: noqa: RUF001 -- look-alike characters are what these tests are about
"""Search matches folded text: accents, case in every script, apostrophes and quote marks, umlaut
spellings; the customer's name too, kept true when the customer is renamed; on PostgreSQL the
query uses the trigram index."""

from __future__ import annotations

import pytest
from django.db import connection

from clientbase.contacts.models import Contact
from clientbase.contacts.selectors import search_contacts
from clientbase.customers import services as customer_services
from clientbase.text import fold, search_document
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("Lefèvre", "lefevre"),
        ("ОЛЬГА", "ольга"),
        ("Straße", "strasse"),
        ("O’Testy", "otesty"),
        ("O'Testy", "otesty"),
        ("ＡＢＣ  ﬁne", "abc fine"),
        ("Ἀθῆναι", "αθηναι"),
    ],
)
def test_fold(written, folded):
    assert fold(written) == folded


def test_a_document_holds_the_spelling_without_umlauts_too():
    assert search_document("Müller", "", "x@y.de").splitlines() == ["muller", "mueller", "x@y.de"]


def found(text: str) -> set[str]:
    return set(search_contacts(Contact.objects.all(), text).values_list("last_name", flat=True))


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("Lefèvre", "Lefevre"),
        ("Lefevre", "lefèvre"),
        ("Ольга", "ОЛЬГА"),
        ("ОЛЬГА", "ольга"),
        ("Müller", "Mueller"),
        ("Müller", "muller"),
        ("Mueller", "Mueller"),
        ("Straße", "strasse"),
        ("O'Testy", "OTesty"),
        ("O’Testy", "o'testy"),
        ("OTesty", "O’Testy"),
        ("Nguyễn", "nguyen"),
    ],
)
def test_search_matches_folded_names(stored, typed):
    ContactFactory(last_name=stored)
    ContactFactory(last_name="Unrelated")
    assert found(typed) == {stored}


def test_every_word_must_match_somewhere_including_the_customer_name():
    customer = CustomerFactory(name="Brightwater Öffice Parks")
    ContactFactory(customer=customer, first_name="Marcus", last_name="Bell", title="Chief Engineer")
    ContactFactory(first_name="Marcus", last_name="Other")
    assert found("marcus office") == {"Bell"}
    assert found("engineer BELL") == {"Bell"}
    assert found("marcus") == {"Bell", "Other"}


def test_a_renamed_customer_is_found_by_its_new_name_only(admin_user):
    customer = CustomerFactory(name="Old Name Holdings")
    ContactFactory(customer=customer, last_name="Kept")
    customer_services.update_customer(customer=customer, acting_user=admin_user, data={"name": "Zephyr Ltd"})
    assert found("zephyr") == {"Kept"}
    assert found("holdings") == set()


def test_a_changed_name_is_searched_as_changed():
    contact = ContactFactory(first_name="Al", last_name="Before", email="al@example.com")
    contact.last_name = "Après"
    contact.save(update_fields=["last_name"])
    assert found("apres") == {"Après"}
    assert found("before") == set()


def test_quote_marks_alone_find_nothing():
    ContactFactory(last_name="O'Testy")
    assert found("’'") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_postgresql_answers_a_search_from_the_trigram_index():
    for index in range(50):
        ContactFactory(last_name=f"Person{index}")
    query = search_contacts(Contact.objects.all(), "person4").values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        # A table this small is read whole; without that path (nor a walk of another index),
        # the planner shows whether the condition can be answered from the trigram index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "contacts_contact_search_document_trgm" in plan


def test_a_change_of_a_name_keeps_the_customer_part_without_reading_the_customer(dispatcher):
    from clientbase.contacts.services import update_contact

    customer = CustomerFactory(name="Zephyr Ltd")
    contact = ContactFactory(customer=customer, first_name="Al", last_name="Before", email="al@example.com")
    contact = Contact.objects.get(pk=contact.pk)  # no customer cached
    update_contact(contact=contact, acting_user=dispatcher, data={"last_name": "Après"})
    assert found("zephyr apres") == {"Après"}
    assert found("before") == set()


def test_a_moved_contact_is_found_by_its_new_customer(admin_user):
    from clientbase.contacts.services import move_contact

    old, new = CustomerFactory(name="Oldco"), CustomerFactory(name="Newco")
    contact = ContactFactory(customer=old, last_name="Mover", email="")
    move_contact(contact=contact, acting_user=admin_user, customer=new)
    assert found("newco") == {"Mover"}
    assert found("oldco") == set()


def test_customers_and_locations_are_searched_folded_too(admin_user):
    from clientbase.customers.models import Customer, Location
    from clientbase.customers.selectors import search_customers, search_locations
    from tests.factories import LocationFactory

    customer = CustomerFactory(name="Société Générale Öl", legal_name="SG O’Brien")
    CustomerFactory(name="Other")
    LocationFactory(customer=customer, name="Zürich Hauptbahnhof", code="ZH-1", address={"city": "Zürich"})
    LocationFactory(customer=customer, name="Bern")

    def customers(text):
        return set(search_customers(Customer.objects.all(), text).values_list("name", flat=True))

    def locations(text):
        return set(search_locations(Location.objects.all(), text).values_list("name", flat=True))

    assert customers("societe generale") == {customer.name}
    assert customers("OEL obrien") == {customer.name}
    assert customers(customer.number) == {customer.name}
    assert locations("zuerich") == {"Zürich Hauptbahnhof"}
    assert locations("ZURICH zh-1") == {"Zürich Hauptbahnhof"}
    customer_services.update_location(
        location=Location.objects.get(name="Bern"), acting_user=admin_user, data={"name": "Genève"}
    )
    assert locations("geneve") == {"Genève"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram indexes are PostgreSQL's")
def test_postgresql_has_trigram_indexes_for_customers_and_locations():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%\\_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert names == {
        "contacts_contact_search_document_trgm",
        "customers_customer_search_document_trgm",
        "customers_location_search_document_trgm",
        "contacts_contact_phone_digits_trgm",
    }
