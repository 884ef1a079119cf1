"""The benchmarks' data and baselines (`bench/`): generated rows hold what `save()` would have
stored, and the replayed SQL answers what the API answered."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client

from bench.generate import SEED, People, customer_sizes, generate
from bench.queries import capture, contact_reads, naive_search, replay
from bench.report import ratio
from bench.workloads import cursor_at, percentiles
from clientbase.api.authentication import create_token
from clientbase.contacts.models import Contact
from clientbase.customers.models import CUSTOMER_SEARCHED, Customer, Location
from clientbase.text import fold, search_document

E164 = re.compile(r"^\+\d{8,15}(;ext=\d+)?$")


@pytest.fixture
def generated(db):
    return generate(400)


def test_generated_contacts_hold_what_save_would_store(generated):
    assert Contact.objects.count() == 400 == generated.contacts
    for contact in Contact.objects.select_related("customer"):
        stored = (
            contact.phone_digits,
            contact.search_document,
            contact.folded_last_first,
            contact.folded_first_last,
        )
        contact.derive_fields()
        assert stored == (
            contact.phone_digits,
            contact.search_document,
            contact.folded_last_first,
            contact.folded_first_last,
        ), contact.pk
        assert contact.phone == "" or E164.match(contact.phone), contact.phone


def test_generated_customers_and_locations_hold_their_search_documents(generated):
    for customer in Customer.objects.all():
        assert customer.number == f"C-{customer.pk:06d}"
        assert customer.search_document == search_document(*(getattr(customer, f) for f in CUSTOMER_SEARCHED))
        assert customer.folded_name == fold(customer.name)
    location = Location.objects.first()
    assert location is not None
    assert fold(location.address["city"]) in location.search_document.split("\n")
    assert location.folded_name == fold(location.name)
    # One primary contact per customer that has contacts.
    with_contacts = Customer.objects.filter(contacts__isnull=False).distinct().count()
    assert Contact.objects.filter(is_primary=True).count() == with_contacts


def test_generated_names_mix_scripts_and_share_surnames(generated):
    last_names = list(Contact.objects.values_list("last_name", flat=True))
    assert any(not name.isascii() for name in last_names)
    most_common = max(set(last_names), key=last_names.count)
    assert last_names.count(most_common) >= 10


def test_the_same_seed_draws_the_same_people():
    import random

    first, second = People(random.Random(SEED)), People(random.Random(SEED))
    assert [first.name() for _ in range(50)] == [second.name() for _ in range(50)]
    assert [first.phone() for _ in range(50)] == [second.phone() for _ in range(50)]


def test_customer_sizes_have_a_few_big_customers_and_many_small_ones():
    import random

    sizes = customer_sizes(1_000_000, random.Random(SEED))
    assert sum(sizes) <= 1_000_000
    assert sum(size >= 10_000 for size in sizes) == 4
    assert sum(size <= 20 for size in sizes) > len(sizes) / 2


def test_the_replayed_sql_answers_the_rows_the_api_answered(generated, admin_user):
    client = Client(headers={"authorization": f"Token {create_token(admin_user)}"})
    response, statements = capture(
        lambda: client.get(f"/api/v1/contacts/?search={quote('smith')}&page_size=20")
    )
    assert response.status_code == 200
    reads = contact_reads(statements)
    assert reads and all("contacts_contact" in sql for sql in reads)
    ids = {row["id"] for row in response.json()["results"]}
    replayed = replay(reads)
    assert ids and any(ids <= {row[0] for row in rows} for rows in replayed)
    scanned = naive_search("smith")
    assert 0 < len(scanned) <= 20
    assert all("smith" in " ".join(map(str, row)).lower() for row in scanned)


def test_a_far_cursor_starts_where_the_page_by_number_starts(generated, admin_user):
    client = Client(headers={"authorization": f"Token {create_token(admin_user)}"})
    by_cursor = client.get(f"/api/v1/contacts/?page_size=50&cursor={cursor_at(150)}").json()
    by_number = client.get("/api/v1/contacts/?page_size=50&page=4").json()
    assert by_cursor["results"][0]["id"] == by_number["results"][0]["id"]


def test_percentiles_and_ratios():
    figures = percentiles([0.001 * n for n in range(1, 101)])
    assert figures["p50"] == pytest.approx(50.5)
    assert figures["p99"] == pytest.approx(99.01)
    assert ratio(10, 4) == "2.5x"
    assert ratio(1, 4) == "0.25x"
    assert ratio(None, 4) == "n/a"


def test_the_quality_workload_times_the_dashboards_reads(generated, admin_user, settings):
    """W7 on a small database: each read answered, its SQL replayed by the bare view, and the
    report's table of it."""
    from bench import workloads
    from bench.report import quality_table

    settings.ROOT_URLCONF = "bench.urls"
    client = Client(headers={"authorization": f"Token {create_token(admin_user)}"})
    results = workloads.quality(client, admin_user, generated, 2, lambda message: None)
    assert list(results) == [
        "worker's refresh (counts of every rule)",
        "summary (counts of every rule)",
        "findings, first page",
        "findings of the biggest customer",
        "dashboard page /quality/",
    ]
    for figures in results.values():
        assert figures["api"]["p50"] > 0
        if "bare" in figures:  # the API's reads, against their SQL replayed
            assert figures["statements"] > 0 and figures["bare"]["p50"] > 0
    assert results["dashboard page /quality/"]["statements"] > 0
    text = "\n".join(quality_table([{"database": "sqlite", "w7_quality": results}]))
    assert "W7 data quality" in text and "summary (counts of every rule)" in text
    assert quality_table([{"database": "sqlite"}]) == []
