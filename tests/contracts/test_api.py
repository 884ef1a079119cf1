"""The `contracts/` endpoint: create, read, update and delete with ETag and If-Match, every refusal
with nothing changed, the filters and pages, portal users' scope, and the schema (the 401, 403 and
404 of every route and actor: tests/access/test_matrix.py)."""

from __future__ import annotations

import pytest

from clientbase.contracts import services
from clientbase.contracts.models import Contract, ContractAsset, ContractLocation
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory, ContactFactory, LocationFactory, UserFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db
CONTRACTS = "/api/v1/contracts/"


def detail(contract) -> str:
    return f"{CONTRACTS}{getattr(contract, 'pk', contract)}/"


def test_creates_a_contract_and_answers_it_with_its_etag(api, dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=south)
    response = api(dispatcher).post(
        CONTRACTS,
        {
            "customer": customer.pk,
            "name": "HVAC maintenance 2026",
            "start_date": days_from_today(-1).isoformat(),
            "end_date": days_from_today(364).isoformat(),
            "locations": [north.pk],
            "assets": [unit.pk],
            "visits_per_year": 4,
            "response_hours": 24,
            "notes": "Filters every quarter.",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == f"K-{body['id']:06d}"
    assert (body["status"], body["locations"], body["assets"]) == ("active", [north.pk], [unit.pk])
    assert (body["visits_per_year"], body["response_hours"]) == (4, 24)
    assert response["ETag"] == '"1"'
    got = api(dispatcher).get(detail(body["id"]))
    assert got.json() == body
    assert got["ETag"] == '"1"'


def test_an_upcoming_and_an_open_ended_contract(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    response = api(dispatcher).post(
        CONTRACTS,
        {"customer": customer.pk, "name": "Next year", "start_date": days_from_today(30).isoformat()},
        format="json",
    )
    assert response.status_code == 201
    assert (response.json()["status"], response.json()["end_date"], response.json()["locations"]) == (
        "upcoming",
        None,
        [],
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "active"}, "status"),
        ({"number": "K-000001"}, "number"),
        ({"colour": "blue"}, "colour"),
        ({"end_date": "2025-12-31"}, "end_date"),
        ({"visits_per_year": -1}, "visits_per_year"),
        ({"response_hours": 0}, "response_hours"),
        ({"name": ""}, "name"),
        ({"start_date": "31/01/2026"}, "start_date"),
        ({"locations": [987654]}, "locations"),
    ],
)
def test_refuses_bad_input_naming_the_field(api, dispatcher, customer_with_two_sites, body, field):
    customer, _, _ = customer_with_two_sites
    data = {"customer": customer.pk, "name": "HVAC", "start_date": "2026-01-01", **body}
    with assert_unchanged(Contract, ContractLocation):
        response = api(dispatcher).post(CONTRACTS, data, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_refuses_places_of_another_customer_naming_them(
    api, dispatcher, customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    foreign = other_customer.locations.get()
    boiler = AssetFactory(location=foreign, name="Contoso boiler")
    with assert_unchanged(Contract, ContractLocation, ContractAsset):
        response = api(dispatcher).post(
            CONTRACTS,
            {
                "customer": customer.pk,
                "name": "HVAC",
                "start_date": "2026-01-01",
                "end_date": "2025-01-01",
                "locations": [north.pk, foreign.pk],
                "assets": [boiler.pk],
            },
            format="json",
        )
    assert response.status_code == 400
    body = response.json()
    assert "“Contoso HQ”" in body["locations"][0]
    assert "“Contoso boiler”" in body["assets"][0]
    assert body["end_date"] == ["The contract cannot end before it starts. It starts on 2026-01-01."]


def test_updates_with_if_match_and_refuses_a_stale_or_malformed_one(
    api, accounts_clerk, customer_with_two_sites
):
    customer, north, south = customer_with_two_sites
    contract = ContractFactory(customer=customer, locations=[north])
    client = api(accounts_clerk)
    response = client.patch(detail(contract), {"locations": [south.pk]}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.json()
    assert (response.json()["locations"], response["ETag"]) == ([south.pk], '"2"')
    with assert_unchanged(Contract, ContractLocation):
        stale = client.patch(detail(contract), {"name": "Late"}, format="json", HTTP_IF_MATCH='"1"')
        malformed = client.patch(detail(contract), {"name": "Late"}, format="json", HTTP_IF_MATCH="2")
        moved = client.patch(detail(contract), {"customer": LocationFactory().customer_id}, format="json")
    assert stale.status_code == 412
    assert "version 1" in stale.json()["detail"]
    assert malformed.status_code == 400
    assert moved.status_code == 400
    assert "customer" in moved.json()
    put = client.put(
        detail(contract),
        {"customer": customer.pk, "name": "Whole", "start_date": "2026-02-01"},
        format="json",
        HTTP_IF_MATCH='"2"',
    )
    assert put.status_code == 200, put.json()
    assert (put.json()["name"], put.json()["locations"]) == ("Whole", [south.pk])  # not given: kept


def test_deletes_with_if_match(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer)
    client = api(dispatcher)
    with assert_unchanged(Contract):
        assert client.delete(detail(contract), HTTP_IF_MATCH='"5"').status_code == 412
    assert client.delete(detail(contract), HTTP_IF_MATCH='"1"').status_code == 204
    assert client.get(detail(contract)).status_code == 404


def test_a_refusal_of_the_database_is_a_409_with_its_reason(
    api, dispatcher, customer_with_two_sites, other_customer, monkeypatch
):
    """A writer that passed the service's checks in a race is refused by the triggers: 409, never
    a 500 (simulated by skipping the service's own check)."""
    customer, _, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer)
    monkeypatch.setattr(services, "_check", lambda *args, **kwargs: None)
    with assert_unchanged(Contract, ContractLocation):
        response = api(dispatcher).patch(
            detail(contract), {"locations": [other_customer.locations.get().pk]}, format="json"
        )
    assert response.status_code == 409
    assert response.json() == {"detail": "A contract covers only locations of its own customer."}


def test_a_technician_reads_but_does_not_write(api, technician, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer, notes="Ours")
    client = api(technician)
    assert client.get(detail(contract)).json()["notes"] == "Ours"
    with assert_unchanged(Contract):
        assert client.patch(detail(contract), {"name": "x"}, format="json").status_code == 403
        assert client.delete(detail(contract)).status_code == 403
        assert (
            client.post(
                CONTRACTS, {"customer": customer.pk, "name": "x", "start_date": "2026-01-01"}, format="json"
            ).status_code
            == 403
        )


def test_portal_users_with_billing_read_their_own_contracts_without_notes(
    api, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    own = ContractFactory(customer=customer, locations=[north], notes="Our margin is thin")
    theirs = ContractFactory(customer=other_customer)
    billing = api(portal_user_factory(customer, ("billing",)))
    listed = billing.get(CONTRACTS).json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert "notes" not in listed[0]
    body = billing.get(detail(own)).json()
    assert (body["locations"], "notes" in body) == ([north.pk], False)
    assert billing.get(detail(theirs)).status_code == 404
    with assert_unchanged(Contract):
        assert billing.patch(detail(own), {"name": "x"}, format="json").status_code == 403
    admin = UserFactory(username="portal-admin-only", is_staff=False)
    ContactFactory(customer=customer, user=admin, portal_enabled=True, portal_permissions=["admin"])
    admin = api(admin)
    assert admin.get(detail(own)).status_code == 200
    reports = api(portal_user_factory(customer, ("reports", "create_work_order", "edit_contacts")))
    assert reports.get(CONTRACTS).status_code == 403
    assert reports.get(detail(own)).status_code == 403


@pytest.fixture
def varied(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=south)
    return {
        "everywhere": ContractFactory(customer=customer, name="Everywhere HVAC"),
        "north": ContractFactory(customer=customer, name="North lifts", locations=[north]),
        "unit": ContractFactory(customer=customer, name="South chiller", assets=[unit]),
        "ending": ContractFactory(
            customer=customer, name="Ending soon", locations=[south], end_date=days_from_today(20)
        ),
        "upcoming": ContractFactory(customer=customer, name="Upcoming", start_date=days_from_today(10)),
        "expired": ContractFactory(
            customer=customer, name="Expired", start_date=days_from_today(-90), end_date=days_from_today(-2)
        ),
        "other": ContractFactory(customer=other_customer, name="Contoso everywhere"),
        "sites": (customer, north, south),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("customer={customer}", {"everywhere", "north", "unit", "ending", "upcoming", "expired"}),
        ("location={north}", {"everywhere", "north", "upcoming", "expired"}),
        ("location={south}", {"everywhere", "unit", "ending", "upcoming", "expired"}),
        ("customer={customer}&active=true", {"everywhere", "north", "unit", "ending"}),
        ("customer={customer}&active=false", {"upcoming", "expired"}),
        ("status=expired", {"expired"}),
        ("ending=60", {"ending"}),
        ("search=chiller", {"unit"}),
    ],
)
def test_filters(api, dispatcher, varied, query, expected):
    customer, north, south = varied["sites"]
    query = query.format(customer=customer.pk, north=north.pk, south=south.pk)
    response = api(dispatcher).get(f"{CONTRACTS}?{query}")
    assert response.status_code == 200, response.json()
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {varied[name].pk for name in expected}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("location=abc", "location"),
        ("ending=0", "ending"),
        ("ending=1.5", "ending"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(api, dispatcher, query, field):
    response = api(dispatcher).get(f"{CONTRACTS}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_lists_page_by_keyset_newest_first(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contracts = [ContractFactory(customer=customer) for _ in range(5)]
    client = api(dispatcher)
    first = client.get(f"{CONTRACTS}?page_size=2").json()
    assert [row["id"] for row in first["results"]] == [contracts[4].pk, contracts[3].pk]
    assert "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [contracts[2].pk, contracts[1].pk]


def test_the_schema_describes_contracts(api, dispatcher):
    schema = api(None).get("/api/schema/?format=json").json()
    assert {"/api/v1/contracts/", "/api/v1/contracts/{id}/", "/api/v1/exports/contracts/"} <= set(
        schema["paths"]
    )
    contract = schema["components"]["schemas"]["Contract"]
    assert {"number", "status", "locations", "assets", "visits_per_year", "response_hours"} <= set(
        contract["properties"]
    )
    parameters = {p["name"] for p in schema["paths"]["/api/v1/contracts/"]["get"]["parameters"]}
    assert {"customer", "location", "active", "status", "ending", "search", "cursor"} <= parameters
    patch = schema["paths"]["/api/v1/contracts/{id}/"]["patch"]
    assert "If-Match" in {p["name"] for p in patch["parameters"]}
    assert "412" in patch["responses"]
