"""Races, with real threads on a transactional database (SQLite file and PostgreSQL alike)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from tests.factories import ContactFactory, CustomerFactory

THREADS = 10


def run_concurrently(user, requests):
    """Fire `requests` (callables taking an APIClient) together; answer their status codes."""
    barrier = threading.Barrier(len(requests))

    def run(request):
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait(timeout=10)
            return request(client).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(run, requests))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_make_primary_calls_leave_exactly_one_primary(dispatcher):
    customer = CustomerFactory()
    contacts = [ContactFactory(customer=customer) for _ in range(THREADS)]
    ContactFactory(customer=customer, is_primary=True)

    statuses = run_concurrently(
        dispatcher,
        [lambda client, c=c: client.post(f"/api/v1/contacts/{c.pk}/make-primary/") for c in contacts],
    )

    # The customer's row lock serialises them: each one succeeds in turn, one primary remains (a
    # lost lock shows as a 409 from the unique index, or two primaries).
    assert statuses == [200] * THREADS, statuses
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_primary_creations_leave_exactly_one_primary(dispatcher):
    customer = CustomerFactory()
    statuses = run_concurrently(
        dispatcher,
        [
            lambda client, n=n: client.post(
                "/api/v1/contacts/",
                {"customer": customer.pk, "last_name": f"P{n}", "is_primary": True},
                format="json",
            )
            for n in range(THREADS)
        ],
    )
    assert statuses == [201] * THREADS, statuses
    assert Contact.objects.filter(customer=customer, is_primary=True).count() == 1
    assert Contact.objects.filter(customer=customer).count() == THREADS


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_customer_creations_draw_distinct_numbers(dispatcher):
    statuses = run_concurrently(
        dispatcher,
        [
            lambda client, n=n: client.post("/api/v1/customers/", {"name": f"Customer {n}"}, format="json")
            for n in range(THREADS)
        ],
    )
    assert statuses == [201] * THREADS
    numbers = list(Customer.objects.values_list("number", flat=True))
    assert len(set(numbers)) == THREADS
    assert all(number and number.startswith("C-") for number in numbers)
