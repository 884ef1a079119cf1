"""Customers, locations, assets and asset parts over REST, with their rules and refusals."""

from __future__ import annotations

import pytest

from clientbase.customers.models import Asset, AssetPart, Customer, Location
from tests.factories import AssetFactory, AssetPartFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db


# Customers -----------------------------------------------------------------------------------------


def test_creates_a_customer_with_a_generated_number(api, dispatcher):
    body = {
        "name": "  Northwind Hospitals ",
        "legal_name": "Northwind Health Inc.",
        "tax_id": "36-1234567",
        "status": "prospect",
        "email": "AP@Northwind.EXAMPLE.com",
        "phone": "312-555-0100",
        "website": "https://northwind.example.com",
        "billing_address": {
            "street": "1 Lake St",
            "city": "Chicago",
            "postal_code": "60601",
            "country": "US",
        },
        "notes": "Net 30",
    }
    response = api(dispatcher).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"] == f"C-{data['id']:06d}"
    assert data["name"] == "Northwind Hospitals"
    assert data["email"] == "AP@northwind.example.com"
    assert data["phone"] == "+13125550100"
    assert data["primary_contact"] is None
    assert data["billing_address"]["city"] == "Chicago"


def test_customer_number_is_read_only(api, dispatcher):
    response = api(dispatcher).post("/api/v1/customers/", {"name": "X", "number": "C-1"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"number": ["This field is read-only."]}
    assert not Customer.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("status", "sleeping"),
        ("email", "nobody@"),
        ("phone", "not a phone"),
        ("website", "not a url"),
        ("billing_address", {"street": 5}),
        ("billing_address", {"galaxy": "Milky Way"}),
    ],
)
def test_bad_customer_values_are_refused(api, dispatcher, field, value):
    body = {"name": "Valid Name", field: value}
    response = api(dispatcher).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Customer.objects.exists()


def test_customer_history_records_who_changed_it(api, dispatcher):
    created = api(dispatcher).post("/api/v1/customers/", {"name": "Acme"}, format="json").json()
    api(dispatcher).patch(f"/api/v1/customers/{created['id']}/", {"status": "inactive"}, format="json")
    customer = Customer.objects.get(pk=created["id"])
    records = list(customer.history.order_by("history_date"))
    assert [r.history_type for r in records] == ["+", "~"]
    assert records[0].number == created["number"]
    assert all(r.history_user.username == "dispatcher" for r in records)


def test_customer_with_contacts_cannot_be_deleted(api, dispatcher):
    customer = CustomerFactory()
    ContactFactory(customer=customer)
    with assert_unchanged(customer):
        response = api(dispatcher).delete(f"/api/v1/customers/{customer.pk}/")
    assert response.status_code == 409
    assert "1 contact" in response.json()["detail"]
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_empty_customer_can_be_deleted(api, dispatcher):
    customer = CustomerFactory()
    assert api(dispatcher).delete(f"/api/v1/customers/{customer.pk}/").status_code == 204
    assert not Customer.objects.filter(pk=customer.pk).exists()


def test_customers_filter_by_status_and_search(api, dispatcher):
    active = CustomerFactory(name="Acme Elevators")
    CustomerFactory(name="Globex HVAC", status="inactive")
    client = api(dispatcher)
    assert [c["id"] for c in client.get("/api/v1/customers/", {"search": "acme"}).json()["results"]] == [
        active.pk
    ]
    assert [
        c["id"] for c in client.get("/api/v1/customers/", {"search": active.number}).json()["results"]
    ] == [active.pk]
    inactive = client.get("/api/v1/customers/", {"status": "inactive"}).json()["results"]
    assert [c["name"] for c in inactive] == ["Globex HVAC"]
    assert client.get("/api/v1/customers/", {"status": "asleep"}).status_code == 400


def test_accounts_receivable_reads_customers_but_cannot_change_them(api, accounts_clerk):
    customer = CustomerFactory()
    client = api(accounts_clerk)
    assert client.get(f"/api/v1/customers/{customer.pk}/").status_code == 200
    with assert_unchanged(Customer):
        assert (
            client.patch(f"/api/v1/customers/{customer.pk}/", {"name": "New"}, format="json").status_code
            == 403
        )
        assert client.post("/api/v1/customers/", {"name": "New"}, format="json").status_code == 403
        assert client.delete(f"/api/v1/customers/{customer.pk}/").status_code == 403
    customer.refresh_from_db()
    assert customer.name != "New"
    # ... while contacts are theirs to maintain.
    assert (
        client.post(
            "/api/v1/contacts/", {"customer": customer.pk, "last_name": "Payable"}, format="json"
        ).status_code
        == 201
    )


# Locations -----------------------------------------------------------------------------------------


def test_location_code_is_unique_per_customer(api, dispatcher):
    customer = CustomerFactory()
    other = CustomerFactory()
    client = api(dispatcher)
    assert (
        client.post(
            "/api/v1/locations/", {"customer": customer.pk, "name": "HQ", "code": "HQ"}, format="json"
        ).status_code
        == 201
    )
    with assert_unchanged(Location):
        duplicate = client.post(
            "/api/v1/locations/", {"customer": customer.pk, "name": "HQ 2", "code": "HQ"}, format="json"
        )
    assert duplicate.status_code == 400
    assert "code" in str(duplicate.json())
    assert (
        client.post(
            "/api/v1/locations/", {"customer": other.pk, "name": "HQ", "code": "HQ"}, format="json"
        ).status_code
        == 201
    )
    assert Location.objects.filter(code="HQ").count() == 2


def test_location_needs_customer_and_name(api, dispatcher):
    with assert_unchanged(Location):
        response = api(dispatcher).post("/api/v1/locations/", {"code": "X"}, format="json")
    assert response.status_code == 400
    assert {"customer", "name"} <= set(response.json())


def test_location_cannot_move_to_another_customer(api, dispatcher):
    location = LocationFactory()
    other = CustomerFactory()
    with assert_unchanged(location):
        response = api(dispatcher).patch(
            f"/api/v1/locations/{location.pk}/", {"customer": other.pk}, format="json"
        )
    assert response.status_code == 400
    location.refresh_from_db()
    assert location.customer_id != other.pk


def test_location_with_assets_cannot_be_deleted(api, dispatcher):
    asset = AssetFactory()
    with assert_unchanged(Location, asset):
        response = api(dispatcher).delete(f"/api/v1/locations/{asset.location_id}/")
    assert response.status_code == 409
    assert Location.objects.filter(pk=asset.location_id).exists()


def test_locations_filter_by_customer(api, dispatcher):
    mine = LocationFactory()
    LocationFactory()
    results = api(dispatcher).get("/api/v1/locations/", {"customer": mine.customer_id}).json()["results"]
    assert [r["id"] for r in results] == [mine.pk]


def test_location_and_customer_search_is_the_start_pages(api, dispatcher):
    """`?search=` finds a location by its city and a customer by its phone digits, as the start
    page does."""
    fabrikam = CustomerFactory(name="Fabrikam", phone="+13125550100")
    CustomerFactory(name="Contoso", phone="+13125550199")
    plant = LocationFactory(customer=fabrikam, name="Plant 7", address={"city": "Evanston"})
    LocationFactory(customer=fabrikam, name="Plant 8", address={"city": "Chicago"})
    client = api(dispatcher)
    locations = client.get("/api/v1/locations/", {"search": "evanston"}).json()["results"]
    assert [location["id"] for location in locations] == [plant.pk]
    customers = client.get("/api/v1/customers/", {"search": "312.555.0100"}).json()["results"]
    assert [customer["id"] for customer in customers] == [fabrikam.pk]


# Assets and parts ----------------------------------------------------------------------------------


def test_asset_customer_comes_from_its_location(api, dispatcher):
    location = LocationFactory()
    body = {
        "location": location.pk,
        "name": "Chiller 1",
        "serial_number": "CH-1",
        "installed_on": "2021-06-01",
        "warranty_until": "2026-06-01",
        "manufacturer": "Trane",
        "model": "CVHF",
    }
    response = api(dispatcher).post("/api/v1/assets/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["customer"] == location.customer_id
    with assert_unchanged(Asset):
        assert (
            api(dispatcher).post("/api/v1/assets/", {**body, "customer": 1}, format="json").status_code == 400
        )


def test_asset_warranty_cannot_end_before_installation(api, dispatcher):
    location = LocationFactory()
    response = api(dispatcher).post(
        "/api/v1/assets/",
        {
            "location": location.pk,
            "name": "Boiler",
            "installed_on": "2022-01-01",
            "warranty_until": "2021-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert not Asset.objects.exists()


def test_asset_moves_only_within_its_customer(api, dispatcher):
    asset = AssetFactory()
    same_customer = LocationFactory(customer=asset.location.customer)
    elsewhere = LocationFactory()
    client = api(dispatcher)
    with assert_unchanged(asset):
        assert (
            client.patch(f"/api/v1/assets/{asset.pk}/", {"location": elsewhere.pk}, format="json").status_code
            == 400
        )
    assert (
        client.patch(f"/api/v1/assets/{asset.pk}/", {"location": same_customer.pk}, format="json").status_code
        == 200
    )


def test_asset_parts_crud_and_filter(api, dispatcher):
    asset = AssetFactory()
    client = api(dispatcher)
    created = client.post(
        "/api/v1/asset-parts/", {"asset": asset.pk, "name": "Fan motor", "part_number": "FM-2"}, format="json"
    )
    assert created.status_code == 201
    AssetPartFactory()
    listed = client.get("/api/v1/asset-parts/", {"asset": asset.pk}).json()["results"]
    assert [p["name"] for p in listed] == ["Fan motor"]
    with assert_unchanged(AssetPart):
        assert (
            client.post("/api/v1/asset-parts/", {"asset": asset.pk, "name": " "}, format="json").status_code
            == 400
        )
    assert client.delete(f"/api/v1/asset-parts/{created.json()['id']}/").status_code == 204
    assert not AssetPart.objects.filter(name="Fan motor").exists()


def test_technician_reads_assets_but_cannot_write(api, technician):
    asset = AssetFactory()
    client = api(technician)
    assert client.get(f"/api/v1/assets/{asset.pk}/").status_code == 200
    with assert_unchanged(Asset):
        assert client.patch(f"/api/v1/assets/{asset.pk}/", {"name": "x"}, format="json").status_code == 403
        assert (
            client.post(
                "/api/v1/assets/", {"location": asset.location_id, "name": "x"}, format="json"
            ).status_code
            == 403
        )
