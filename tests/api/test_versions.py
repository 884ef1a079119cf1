"""Optimistic concurrency over REST: every object answers an ETag from its version, every write
increments the version, and a PUT, PATCH or DELETE whose If-Match names another version answers 412
and changes nothing."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from clientbase.contacts.services import delete_contact, make_primary, update_contact
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import (
    AssetFactory,
    AssetPartFactory,
    ContactFactory,
    CustomerFactory,
    LocationFactory,
    UserFactory,
)
from tests.helpers import assert_unchanged
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory


@dataclass(frozen=True)
class Resource:
    """One versioned resource: how to make one, a PATCH body, the field it changes, a full PUT body."""

    endpoint: str
    make: Callable[[], Model]
    field: str
    value: Any
    put: Callable[[Any], dict[str, Any]]

    def __str__(self) -> str:
        return self.endpoint


RESOURCES = [
    Resource(
        "customers",
        lambda: CustomerFactory(name="Northwind"),
        "name",
        "Northwind Hospitals",
        lambda obj: {"name": "Northwind Hospitals"},
    ),
    Resource(
        "locations",
        lambda: LocationFactory(name="North"),
        "name",
        "North Campus",
        lambda obj: {"customer": obj.customer_id, "name": "North Campus"},
    ),
    Resource(
        "assets",
        lambda: AssetFactory(name="Chiller"),
        "name",
        "Chiller CH-1",
        lambda obj: {"location": obj.location_id, "name": "Chiller CH-1"},
    ),
    Resource(
        "asset-parts",
        lambda: AssetPartFactory(name="Motor"),
        "name",
        "Compressor motor",
        lambda obj: {"asset": obj.asset_id, "name": "Compressor motor"},
    ),
    Resource(
        "contacts",
        lambda: ContactFactory(last_name="Chen"),
        "last_name",
        "Chen-Wu",
        lambda obj: {"customer": obj.customer_id, "last_name": "Chen-Wu"},
    ),
    Resource(
        "work-orders",
        lambda: WorkOrderFactory(summary="Not cooling"),
        "summary",
        "Not cooling at all",
        lambda obj: {"customer": obj.customer_id, "summary": "Not cooling at all"},
    ),
    Resource(
        "quotes",
        lambda: QuoteFactory(amount="100.00"),
        "amount",
        "150.00",
        lambda obj: {"customer": obj.customer_id, "amount": "150.00"},
    ),
    Resource(
        "invoices",
        lambda: InvoiceFactory(amount="100.00"),
        "amount",
        "150.00",
        lambda obj: {"customer": obj.customer_id, "amount": "150.00"},
    ),
]
MODELS = {
    "customers": Customer,
    "locations": Location,
    "assets": Asset,
    "asset-parts": AssetPart,
    "contacts": Contact,
    "work-orders": WorkOrder,
    "quotes": Quote,
    "invoices": Invoice,
}


@pytest.fixture
def client(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def url(resource: Resource, obj: Model) -> str:
    return f"/api/v1/{resource.endpoint}/{obj.pk}/"


def stored(resource: Resource, obj: Model) -> dict[str, Any]:
    """Every column of the row as stored now."""
    return MODELS[resource.endpoint].objects.filter(pk=obj.pk).values().get()


def bump(resource: Resource, obj: Model) -> None:
    """Someone else changes the object (a write through the API, without If-Match)."""
    other = APIClient()
    other.force_authenticate(UserFactory(username=f"other-{resource.endpoint}", is_superuser=True))
    value = "Someone else's change" if resource.field not in ("amount",) else "999.00"
    response = other.patch(url(resource, obj), {resource.field: value}, format="json")
    assert response.status_code == 200, response.content


# The version itself -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_every_save_adds_one_to_the_version_counted_from_the_stored_row():
    customer = CustomerFactory()
    assert customer.version == 1
    stale_copy = Customer.objects.get(pk=customer.pk)
    customer.name = "First"
    customer.save()
    # A copy loaded before that save still counts from the stored version: no increment is lost.
    stale_copy.notes = "Second"
    stale_copy.save(update_fields=["notes"])
    assert stale_copy.version == 3
    assert Customer.objects.get(pk=customer.pk).version == 3


@pytest.mark.django_db
def test_make_primary_bumps_the_previous_primary_it_unmarks(admin_user):
    customer = CustomerFactory()
    previous = ContactFactory(customer=customer, is_primary=True)
    contact = ContactFactory(customer=customer)
    before = Contact.objects.get(pk=previous.pk).version
    make_primary(contact=contact, acting_user=admin_user)
    assert Contact.objects.get(pk=previous.pk).version == before + 1
    assert Contact.objects.get(pk=contact.pk).version == 2


@pytest.mark.django_db
def test_a_bulk_update_bumps_the_version_of_every_row_it_changes():
    first, second = CustomerFactory(), CustomerFactory()
    Customer.objects.filter(pk__in=[first.pk, second.pk]).update(notes="Net 30")
    assert list(Customer.objects.filter(pk__in=[first.pk, second.pk]).values_list("version", flat=True)) == [
        2,
        2,
    ]


@pytest.mark.django_db
def test_deleting_a_contact_bumps_the_rows_whose_reference_to_it_becomes_null(admin_user):
    contact = ContactFactory()
    work_order = WorkOrderFactory(customer=contact.customer, requested_by=contact, site_contact=contact)
    quote = QuoteFactory(customer=contact.customer, approved_by=contact)
    delete_contact(contact=contact, acting_user=admin_user)
    assert WorkOrder.objects.filter(pk=work_order.pk).values_list("requested_by", "version").get() == (
        None,
        2,
    )
    assert Quote.objects.filter(pk=quote.pk).values_list("approved_by", "version").get() == (None, 2)


@pytest.mark.django_db
def test_a_change_of_the_locations_alone_is_a_new_version(admin_user):
    location = LocationFactory()
    contact = ContactFactory(customer=location.customer)
    update_contact(contact=contact, acting_user=admin_user, data={"locations": [location]})
    assert Contact.objects.get(pk=contact.pk).version == 2


@pytest.mark.django_db
def test_a_write_that_changes_nothing_keeps_the_version(client):
    contact = ContactFactory(last_name="Chen")
    response = client.patch(f"/api/v1/contacts/{contact.pk}/", {"last_name": "Chen"}, format="json")
    assert response.status_code == 200
    assert response["ETag"] == '"1"'


# ETag on every object answer ----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_every_object_answer_carries_its_version_as_etag(client, resource):
    obj = resource.make()
    response = client.get(url(resource, obj))
    assert response.status_code == 200
    assert response["ETag"] == '"1"'

    response = client.patch(url(resource, obj), {resource.field: resource.value}, format="json")
    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'

    created = client.post(f"/api/v1/{resource.endpoint}/", resource.put(obj), format="json")
    assert created.status_code == 201, created.content
    assert created["ETag"] == '"1"'

    # A list is many objects: no ETag.
    assert "ETag" not in client.get(f"/api/v1/{resource.endpoint}/")


@pytest.mark.django_db
def test_actions_that_answer_the_object_carry_its_etag(client):
    contact = ContactFactory()
    response = client.post(f"/api/v1/contacts/{contact.pk}/make-primary/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{Contact.objects.get(pk=contact.pk).version}"'
    invoice = InvoiceFactory()
    response = client.post(f"/api/v1/invoices/{invoice.pk}/issue/")
    assert response.status_code == 200
    assert response["ETag"] == '"2"'


# If-Match ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(client, resource, method):
    obj = resource.make()
    bump(resource, obj)  # now at version 2
    before = stored(resource, obj)
    body = resource.put(obj) if method == "put" else {resource.field: resource.value}

    response = getattr(client, method)(url(resource, obj), body, format="json", HTTP_IF_MATCH='"1"')

    assert response.status_code == 412, response.content
    detail = response.json()["detail"]
    assert "version 1" in detail and "version 2" in detail
    assert stored(resource, obj) == before
    assert str(resource.value) not in response.content.decode()
    assert "ETag" not in response


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_a_stale_if_match_on_delete_is_refused_with_412_and_deletes_nothing(client, resource):
    obj = resource.make()
    bump(resource, obj)
    before = stored(resource, obj)

    response = client.delete(url(resource, obj), HTTP_IF_MATCH='"1"')

    assert response.status_code == 412, response.content
    assert stored(resource, obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["put", "patch"])
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_the_current_if_match_is_accepted_and_the_version_goes_up(client, resource, method):
    obj = resource.make()
    etag = client.get(url(resource, obj))["ETag"]
    body = resource.put(obj) if method == "put" else {resource.field: resource.value}

    response = getattr(client, method)(url(resource, obj), body, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 200, response.content
    assert response["ETag"] == '"2"'
    row = stored(resource, obj)
    assert row["version"] == 2
    assert str(row[resource.field]) == resource.value


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_delete_with_the_current_if_match_deletes(client, resource):
    obj = resource.make()
    response = client.delete(url(resource, obj), HTTP_IF_MATCH='"1"')
    assert response.status_code == 204, response.content
    assert not MODELS[resource.endpoint].objects.filter(pk=obj.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["*", None])
def test_without_if_match_or_with_star_writes_are_not_checked(client, header):
    contact = ContactFactory()
    bump(RESOURCES[4], contact)
    extra = {} if header is None else {"HTTP_IF_MATCH": header}
    response = client.patch(f"/api/v1/contacts/{contact.pk}/", {"title": "Manager"}, format="json", **extra)
    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).title == "Manager"


@pytest.mark.django_db
def test_if_match_lists_match_any_strong_tag_and_never_a_weak_one(client):
    contact = ContactFactory()
    path = f"/api/v1/contacts/{contact.pk}/"
    assert client.patch(path, {"title": "A"}, format="json", HTTP_IF_MATCH='W/"1"').status_code == 412
    assert client.patch(path, {"title": "A"}, format="json", HTTP_IF_MATCH='"abc"').status_code == 412
    assert Contact.objects.get(pk=contact.pk).title == ""
    response = client.patch(path, {"title": "A"}, format="json", HTTP_IF_MATCH='"7", "1"')
    assert response.status_code == 200
    assert Contact.objects.get(pk=contact.pk).title == "A"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["1", '"1', '"1" "2"', '"1",,x', "W/1", '"1" ;'])
def test_a_malformed_if_match_is_a_400_and_changes_nothing(client, header):
    contact = ContactFactory()
    response = client.patch(
        f"/api/v1/contacts/{contact.pk}/", {"title": "A"}, format="json", HTTP_IF_MATCH=header
    )
    assert response.status_code == 400
    assert "If-Match" in response.json()["detail"]
    assert Contact.objects.get(pk=contact.pk).title == ""
    assert Contact.objects.get(pk=contact.pk).version == 1


@pytest.mark.django_db
def test_a_stale_if_match_is_refused_before_the_body_is_checked(client):
    contact = ContactFactory()
    bump(RESOURCES[4], contact)
    with assert_unchanged(contact):
        response = client.patch(
            f"/api/v1/contacts/{contact.pk}/", {"last_name": ""}, format="json", HTTP_IF_MATCH='"1"'
        )
    assert response.status_code == 412


@pytest.mark.django_db
def test_the_service_checks_the_version_under_the_row_lock(admin_user):
    """The view's early check is a courtesy; the service's check decides (a change between the
    two is caught)."""
    from clientbase.errors import Stale

    contact = ContactFactory(last_name="Chen")
    copy = Contact.objects.get(pk=contact.pk)
    update_contact(contact=contact, acting_user=admin_user, data={"title": "Boss"})
    with pytest.raises(Stale) as refused:
        update_contact(contact=copy, acting_user=admin_user, data={"last_name": "X"}, expected_version=1)
    assert refused.value.current_version == 2
    assert Contact.objects.get(pk=contact.pk).last_name == "Chen"


@pytest.mark.django_db
def test_a_portal_user_gets_the_same_412(api, portal_user_factory):
    customer = CustomerFactory()
    user = portal_user_factory(customer, permissions=["edit_contacts"], email="me@example.com")
    colleague = ContactFactory(customer=customer, title="Old")
    bump(RESOURCES[4], colleague)
    response = api(user).patch(
        f"/api/v1/contacts/{colleague.pk}/", {"title": "New"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 412
    assert Contact.objects.get(pk=colleague.pk).title == "Old"


@pytest.mark.django_db
def test_the_schema_describes_if_match_etag_and_412(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for endpoint in MODELS:
        detail = schema["paths"][f"/api/v1/{endpoint}/{{id}}/"]
        for method in ("put", "patch", "delete"):
            names = [parameter["name"] for parameter in detail[method].get("parameters", [])]
            assert "If-Match" in names, (endpoint, method)
            assert "412" in detail[method]["responses"], (endpoint, method)
        assert "ETag" in detail["get"]["responses"]["200"]["headers"], endpoint
        assert "ETag" in detail["patch"]["responses"]["200"]["headers"], endpoint
        assert "ETag" in schema["paths"][f"/api/v1/{endpoint}/"]["post"]["responses"]["201"]["headers"]
        assert "headers" not in schema["paths"][f"/api/v1/{endpoint}/"]["get"]["responses"]["200"]


# Races --------------------------------------------------------------------------------------------

THREADS = 6


def run_concurrently(user, requests: list[Callable[[APIClient], Any]]) -> list[int]:
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
def test_racing_patches_with_the_same_if_match_exactly_one_wins():
    """Real threads on a transactional database: on PostgreSQL the row lock, on SQLite the
    IMMEDIATE transaction, serialise the writers; the version check under it lets one through."""
    user = UserFactory(username="racer", is_superuser=True)
    contact = ContactFactory(title="")
    path = f"/api/v1/contacts/{contact.pk}/"

    statuses = run_concurrently(
        user,
        [
            lambda client, n=n: client.patch(path, {"title": f"T{n}"}, format="json", HTTP_IF_MATCH='"1"')
            for n in range(THREADS)
        ],
    )

    assert sorted(statuses) == [200] + [412] * (THREADS - 1), statuses
    stored_contact = Contact.objects.get(pk=contact.pk)
    assert stored_contact.version == 2
    assert stored_contact.title.startswith("T")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_writes_without_if_match_lose_no_version():
    user = UserFactory(username="racer", is_superuser=True)
    customer = CustomerFactory()
    path = f"/api/v1/customers/{customer.pk}/"

    statuses = run_concurrently(
        user,
        [
            lambda client, n=n: client.patch(path, {"notes": f"note {n}"}, format="json")
            for n in range(THREADS)
        ],
    )

    assert statuses == [200] * THREADS
    assert Customer.objects.get(pk=customer.pk).version == 1 + THREADS
