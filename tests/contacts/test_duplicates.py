"""Likely duplicates: a table of real-life name variants with the matches expected and the pairs
that must stay apart; the same e-mail address or phone in any format; candidates read within the
customer and the user's scope only."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.duplicates import LIKELY, Person, compare, duplicate_pairs, likely_duplicates
from tests.factories import ContactFactory, CustomerFactory

MATCHES = [
    # (typed, stored, a word of the reason)
    (("Bob", "Smith"), ("Robert", "Smith"), "forms of one first name"),
    (("Bill", "Jones"), ("William", "Jones"), "forms of one first name"),
    (("Peggy", "Wilson"), ("Margaret", "Wilson"), "forms of one first name"),
    (("Kathy", "O\u2019Brien"), ("Katherine", "O'Brien"), "forms of one first name"),
    (("Jon", "Miller"), ("John", "Miller"), "forms of one first name"),
    (("Micheal", "Miller"), ("Michael", "Miller"), "similar spellings"),
    (("Cristina", "Rossi"), ("Christina", "Rossi"), "similar spellings"),
    (("Steven", "Clark"), ("Stephen", "Clark"), "similar spellings"),
    (("Erik", "Larsen"), ("Eric", "Larsen"), "similar spellings"),
    (("Hans", "Mueller"), ("Hans", "Müller"), "umlauts"),
    (("Soeren", "Kierkegaard"), ("Søren", "Kierkegaard"), "written differently"),
    (("Amelie", "Lefevre"), ("Amélie", "Lefèvre"), "written differently"),
    (("MARIA", "GARCIA"), ("Maria", "García"), "written differently"),
    (("Wei", "Chen"), ("Chen", "Wei"), "swapped"),
    (("J.", "Okafor"), ("James", "Okafor"), "initial"),
    (("Łukasz", "Nowak"), ("Lukasz", "Nowak"), "written differently"),
]

NON_MATCHES = [
    (("John", "Smith"), ("Jane", "Smith")),
    (("John", "Smith"), ("Joan", "Smith")),
    (("Jon", "Berg"), ("Jan", "Berg")),
    (("Li", "Wang"), ("Li", "Zhang")),
    (("Robert", "Smith"), ("Robert", "Smithers")),
    (("Anna", "Kowalski"), ("Piotr", "Kowalski")),
    (("Bob", "Smith"), ("Robert", "Jones")),
]


@pytest.mark.parametrize(("typed", "stored", "reason"), MATCHES)
def test_name_variants_match(typed, stored, reason):
    score, reasons = compare(Person(*typed), Person(*stored))
    assert score >= LIKELY, (typed, stored, reasons)
    assert any(reason in text for text in reasons), reasons
    # Compared the other way round the same.
    assert compare(Person(*stored), Person(*typed))[0] == score


@pytest.mark.parametrize(("typed", "stored"), NON_MATCHES)
def test_different_people_stay_apart(typed, stored):
    score, reasons = compare(Person(*typed), Person(*stored))
    assert score < LIKELY, reasons


def test_the_same_email_or_phone_matches_whatever_the_names():
    typed = Person.typed(
        first_name="B.", last_name="S", email="Bob.Smith@Example.com", phone="(312) 555-0142"
    )
    stored = Person("Robert", "Smith-Jones", "bob.smith@example.com", ("+13125550142",))
    score, reasons = compare(typed, stored)
    assert score == 100
    assert any("e-mail" in reason for reason in reasons) and any("phone" in reason for reason in reasons)


def test_a_phone_that_is_no_number_is_left_out():
    assert Person.typed(last_name="Smith", phone="not a phone").phones == ()


@pytest.mark.django_db
def test_likely_duplicates_within_the_customer_only(admin_user):
    customer = CustomerFactory()
    other = CustomerFactory()
    robert = ContactFactory(customer=customer, first_name="Robert", last_name="Smith", email="rs@example.com")
    mueller = ContactFactory(customer=customer, first_name="Hans", last_name="Müller", email="hm@example.com")
    ContactFactory(customer=customer, first_name="Jane", last_name="Smith", email="js@example.com")
    ContactFactory(customer=other, first_name="Robert", last_name="Smith", email="rs2@example.com")
    found = likely_duplicates(admin_user, customer.pk, Person.typed(first_name="Bob", last_name="Smith"))
    assert [match.contact.pk for match in found] == [robert.pk]
    found = likely_duplicates(admin_user, customer.pk, Person.typed(first_name="Hans", last_name="Mueller"))
    assert [match.contact.pk for match in found] == [mueller.pk]
    # The contact being edited is not its own duplicate.
    assert likely_duplicates(admin_user, customer.pk, Person.of(robert), exclude=robert.pk) == []


@pytest.mark.django_db
def test_likely_duplicates_respect_the_users_scope(nobody):
    """A user who may not see the contacts is never told of one."""
    customer = CustomerFactory()
    ContactFactory(customer=customer, first_name="Robert", last_name="Smith")
    assert likely_duplicates(nobody, customer.pk, Person.typed(first_name="Bob", last_name="Smith")) == []


@pytest.mark.django_db
def test_pairs_of_a_customer_with_a_bounded_number_of_queries(admin_user):
    customer = CustomerFactory()

    def pairs_and_queries():
        with CaptureQueriesContext(connection) as queries:
            pairs = duplicate_pairs(admin_user, customer.pk)
        return pairs, len(queries)

    ContactFactory(customer=customer, first_name="Robert", last_name="Smith", phone="+13125550142")
    ContactFactory(customer=customer, first_name="Bob", last_name="Smith")
    ContactFactory(customer=customer, first_name="Ann", last_name="Lee", phone="(312) 555-0142")
    _, few = pairs_and_queries()
    for index in range(30):
        ContactFactory(customer=customer, first_name=f"Person{index}", last_name=f"Unique{index}")
    many_pairs, many = pairs_and_queries()
    assert few == many
    assert [sorted([p.first.first_name, p.second.first_name]) for p in many_pairs] == [
        ["Bob", "Robert"],
        ["Ann", "Robert"],
    ]
    assert many_pairs[0].score >= LIKELY and many_pairs[0].reasons


# The API and the form's hint ---------------------------------------------------------------------

URL = "/api/v1/contacts/duplicates/"


@pytest.mark.django_db
def test_api_answers_likely_matches_with_score_and_reasons(api, dispatcher):
    customer = CustomerFactory()
    robert = ContactFactory(customer=customer, first_name="Robert", last_name="Smith", mobile="+13125550142")
    ContactFactory(customer=customer, first_name="Jane", last_name="Smith")
    response = api(dispatcher).get(
        URL, {"customer": customer.pk, "first_name": "Bob", "last_name": "Smith", "phone": "312.555.0142"}
    )
    assert response.status_code == 200
    [match] = response.json()
    assert match["contact"] == robert.pk and match["name"] == "Robert Smith"
    assert match["score"] == 100
    assert len(match["reasons"]) == 2
    # The contact being edited is left out.
    again = api(dispatcher).get(
        URL, {"customer": customer.pk, "first_name": "Robert", "last_name": "Smith", "exclude": robert.pk}
    )
    assert again.json() == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"customer": "x"}, "customer"),
        ({"exclude": "-1"}, "exclude"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_api_refuses_bad_parameters(api, dispatcher, params, field):
    response = api(dispatcher).get(URL, params)
    assert response.status_code == 400 and field in response.json()


@pytest.mark.django_db
def test_api_scope(api, dispatcher, nobody, portal_user_factory):
    customer = CustomerFactory()
    other = CustomerFactory()
    ContactFactory(customer=customer, first_name="Robert", last_name="Smith")
    portal = portal_user_factory(other, ("edit_contacts",))
    assert api(None).get(URL, {"last_name": "Smith"}).status_code == 401
    assert api(nobody).get(URL, {"last_name": "Smith"}).status_code == 403
    assert api(portal).get(URL, {"customer": customer.pk, "last_name": "Smith"}).status_code == 404
    assert api(dispatcher).get(URL, {"customer": 10**9, "last_name": "Smith"}).status_code == 404


@pytest.mark.django_db
def test_the_forms_hint(client, dispatcher):
    customer = CustomerFactory()
    robert = ContactFactory(customer=customer, first_name="Robert", last_name="Smith")
    client.force_login(dispatcher)
    hint = client.get(
        "/contacts/duplicates/", {"customer": customer.pk, "first_name": "Bob", "last_name": "Smith"}
    ).content.decode()
    assert "Looks like a contact already here" in hint and f"/contacts/{robert.pk}/" in hint
    nothing = client.get("/contacts/duplicates/", {"customer": customer.pk, "first_name": "Bob"})
    assert nothing.status_code == 200 and "Looks like" not in nothing.content.decode()
    assert client.get("/contacts/duplicates/", {"customer": 10**9, "last_name": "Smith"}).status_code == 404
    # The new-contact and edit forms ask for it.
    form = client.get(f"/contacts/new/?customer={customer.pk}").content.decode()
    assert 'hx-get="/contacts/duplicates/"' in form
    edit = client.get(f"/contacts/{robert.pk}/edit/").content.decode()
    assert f"&quot;exclude&quot;: {robert.pk}" in edit


def test_extensions_of_one_switchboard_are_different_people():
    a = Person("Ann", "Lee", "", ("+16175550100;ext=12",))
    b = Person("Raj", "Patel", "", ("+16175550100;ext=13",))
    assert compare(a, b)[0] < LIKELY
    assert compare(a, Person("A.", "Lee", "", ("+16175550100;ext=12",)))[0] >= LIKELY


@pytest.mark.django_db
def test_a_key_too_common_is_not_compared_pair_by_pair(admin_user):
    """Sixty Smiths of one customer (a block larger than BLOCK_LIMIT) are not compared with each
    other by name: the pairs would cost the square of the block; a shared phone still matches."""
    from clientbase.contacts.duplicates import BLOCK_LIMIT

    customer = CustomerFactory()
    for index in range(BLOCK_LIMIT + 10):
        ContactFactory(
            customer=customer,
            first_name=f"Person{index}",
            last_name="Smith",
            email=f"s{index}@example.com",
            phone=f"+1312555{index:04d}",
        )
    ContactFactory(
        customer=customer, first_name="Dup", last_name="Jones", email="dup@example.com", phone="+13125550000"
    )
    ContactFactory(customer=customer, first_name="Robert", last_name="Smith", email="rs@example.com")
    ContactFactory(customer=customer, first_name="Bob", last_name="Smith", email="bs@example.com")
    pairs = duplicate_pairs(admin_user, customer.pk)
    assert [sorted([p.first.first_name, p.second.first_name]) for p in pairs] == [["Dup", "Person0"]]
