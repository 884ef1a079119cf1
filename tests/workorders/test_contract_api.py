"""A work order's service contract over REST: `contract` (id or null) with `contract_number` and
`contract_name` beside it; chosen by the rules when left out, the caller's choice (or null) when
given; another customer's contract a 400, a refusal of the database a 409; the `contract` filter;
portal users read it only when they may see contracts; lists cost the same whatever their rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contracts.models import Contract
from clientbase.notifications.models import Message
from clientbase.workorders import services
from clientbase.workorders.models import WorkOrder
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
WORK_ORDERS, CONTRACTS = "/api/v1/work-orders/", "/api/v1/contracts/"
CONTRACT_FIELDS = {"contract", "contract_number", "contract_name"}


def detail(base: str, obj) -> str:
    return f"{base}{getattr(obj, 'pk', obj)}/"


@pytest.fixture
def covered(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller N-1")
    return {
        "customer": customer,
        "north": north,
        "south": south,
        "chiller": chiller,
        "wide": ContractFactory(customer=customer, name="Portfolio"),
        "chiller_care": ContractFactory(customer=customer, name="Chiller care", assets=[chiller]),
        "contoso": ContractFactory(customer=other_customer, name="Contoso lifts"),
    }


def test_a_new_work_order_answers_the_contract_chosen_for_it(api, dispatcher, covered):
    chiller_care = covered["chiller_care"]
    response = api(dispatcher).post(
        WORK_ORDERS,
        {
            "customer": covered["customer"].pk,
            "location": covered["north"].pk,
            "asset": covered["chiller"].pk,
            "summary": "Not cooling",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["contract"], body["contract_number"], body["contract_name"]) == (
        chiller_care.pk,
        chiller_care.number,
        "Chiller care",
    )
    again = api(dispatcher).get(detail(WORK_ORDERS, body["id"])).json()
    assert again["contract"] == chiller_care.pk


def test_a_contract_or_null_named_wins(api, dispatcher, covered):
    client = api(dispatcher)
    place = {"customer": covered["customer"].pk, "location": covered["north"].pk}
    place["asset"] = covered["chiller"].pk
    named = client.post(WORK_ORDERS, {**place, "summary": "x", "contract": covered["wide"].pk}, format="json")
    assert named.status_code == 201 and named.json()["contract"] == covered["wide"].pk
    none = client.post(WORK_ORDERS, {**place, "summary": "x", "contract": None}, format="json")
    assert none.status_code == 201
    assert (none.json()["contract"], none.json()["contract_number"], none.json()["contract_name"]) == (
        None,
        None,
        None,
    )
    assert WorkOrder.objects.get(pk=none.json()["id"]).contract_id is None


def test_a_contract_of_another_customer_is_a_400_and_nothing_changes(api, dispatcher, covered):
    client = api(dispatcher)
    with assert_unchanged(WorkOrder, Message):
        response = client.post(
            WORK_ORDERS,
            {"customer": covered["customer"].pk, "summary": "x", "contract": covered["contoso"].pk},
            format="json",
        )
    assert response.status_code == 400
    assert list(response.json()) == ["contract"]
    assert "of another customer" in response.json()["contract"][0]
    work_order = WorkOrderFactory(customer=covered["customer"], contract=covered["wide"])
    with assert_unchanged(WorkOrder, Message):
        response = client.patch(
            detail(WORK_ORDERS, work_order), {"contract": covered["contoso"].pk}, format="json"
        )
    assert response.status_code == 400 and list(response.json()) == ["contract"]


def test_the_contract_changes_by_patch_and_the_place_does_not_change_it(api, dispatcher, covered):
    client = api(dispatcher)
    work_order = WorkOrderFactory(
        customer=covered["customer"], location=covered["south"], contract=covered["wide"]
    )
    moved = client.patch(
        detail(WORK_ORDERS, work_order),
        {"location": covered["north"].pk, "asset": covered["chiller"].pk},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["contract"] == covered["wide"].pk
    changed = client.patch(
        detail(WORK_ORDERS, work_order), {"contract": covered["chiller_care"].pk}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["contract_name"] == "Chiller care"
    cleared = client.patch(detail(WORK_ORDERS, work_order), {"contract": None}, format="json")
    assert cleared.json()["contract"] is None
    assert client.patch(detail(WORK_ORDERS, work_order), {"contract_name": "x"}, format="json").json() == {
        "contract_name": ["This field is read-only."]
    }


def test_a_refusal_of_the_database_is_a_409_with_its_reason(api, dispatcher, covered, monkeypatch):
    """A writer that passed the service's checks in a race is refused by the trigger: 409, never a
    500 (simulated by skipping the service's own check)."""
    monkeypatch.setattr(services, "_check_work_order", lambda work_order, changed=None: None)
    work_order = WorkOrderFactory(customer=covered["customer"], contract=covered["wide"])
    client = api(dispatcher)
    with assert_unchanged(WorkOrder, Message):
        created = client.post(
            WORK_ORDERS,
            {"customer": covered["customer"].pk, "summary": "x", "contract": covered["contoso"].pk},
            format="json",
        )
        changed = client.patch(
            detail(WORK_ORDERS, work_order), {"contract": covered["contoso"].pk}, format="json"
        )
    message = (
        "The contract is of another customer; a work order is done under a contract of its own customer."
    )
    for response in (created, changed):
        assert response.status_code == 409
        assert response.json() == {"detail": message}


def test_a_contract_that_work_orders_name_is_not_deleted(api, admin_user, covered):
    WorkOrderFactory(customer=covered["customer"], contract=covered["wide"])
    with assert_unchanged(Contract, WorkOrder):
        response = api(admin_user).delete(detail(CONTRACTS, covered["wide"]))
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This is still referenced by 1 work order; delete or move them first."
    }


def test_the_contract_filter(api, dispatcher, covered):
    under = WorkOrderFactory(customer=covered["customer"], contract=covered["chiller_care"])
    WorkOrderFactory(customer=covered["customer"], contract=covered["wide"])
    WorkOrderFactory(customer=covered["customer"])
    client = api(dispatcher)
    found = client.get(WORK_ORDERS, {"contract": covered["chiller_care"].pk}).json()["results"]
    assert [row["id"] for row in found] == [under.pk]
    assert client.get(WORK_ORDERS, {"contract": "K-1"}).status_code == 400


def test_portal_users_read_the_contract_only_when_they_may_see_contracts(api, portal_user_factory, covered):
    customer = covered["customer"]
    work_order = WorkOrderFactory(customer=customer, contract=covered["wide"])
    billing = api(portal_user_factory(customer, ("billing", "create_work_order")))
    answer = billing.get(detail(WORK_ORDERS, work_order))
    assert answer.status_code == 200
    assert (answer.json()["contract"], answer.json()["contract_name"]) == (covered["wide"].pk, "Portfolio")
    # A request of theirs gets the contract by the rules; naming one is the provider's call.
    created = billing.post(
        WORK_ORDERS,
        {
            "customer": customer.pk,
            "location": covered["north"].pk,
            "asset": covered["chiller"].pk,
            "summary": "x",
        },
        format="json",
    )
    assert created.status_code == 201 and created.json()["contract"] == covered["chiller_care"].pk
    with assert_unchanged(WorkOrder, Message):
        named = billing.post(
            WORK_ORDERS,
            {"customer": customer.pk, "summary": "x", "contract": covered["wide"].pk},
            format="json",
        )
    assert named.status_code == 400 and named.json() == {"contract": ["Set by the service provider."]}

    requester = api(portal_user_factory(customer, ("create_work_order",)))
    answer = requester.get(detail(WORK_ORDERS, work_order))
    assert answer.status_code == 200
    assert not CONTRACT_FIELDS & set(answer.json())
    listed = requester.get(WORK_ORDERS).json()["results"]
    assert listed and all(not CONTRACT_FIELDS & set(row) for row in listed)
    created = requester.post(WORK_ORDERS, {"customer": customer.pk, "summary": "Leak"}, format="json")
    assert created.status_code == 201 and not CONTRACT_FIELDS & set(created.json())
    assert WorkOrder.objects.get(pk=created.json()["id"]).contract == covered["wide"]
    # What they may not read they may neither write nor filter by.
    with assert_unchanged(WorkOrder, Message):
        named = requester.post(
            WORK_ORDERS,
            {"customer": customer.pk, "summary": "x", "contract": covered["wide"].pk},
            format="json",
        )
    assert named.status_code == 400 and named.json() == {"contract": ["Unknown field."]}
    assert requester.get(WORK_ORDERS, {"contract": covered["wide"].pk}).json()["results"] == []
    assert billing.get(WORK_ORDERS, {"contract": covered["wide"].pk}).json()["results"]


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(WORK_ORDERS, {"page_size": 200})
    assert response.status_code == 200
    return len(queries)


def test_the_list_costs_the_same_with_a_contract_on_every_row(api, admin_user, covered):
    customer = covered["customer"]
    client = api(admin_user)
    WorkOrderFactory(customer=customer, contract=covered["wide"])
    few = count_queries(client)
    for n in range(12):
        contract = ContractFactory(customer=customer, start_date=days_from_today(-n - 1))
        WorkOrderFactory(customer=customer, contract=contract)
    rows = client.get(WORK_ORDERS, {"page_size": 200}).json()["results"]
    assert len(rows) == 13 and all(row["contract_number"] for row in rows)
    assert count_queries(client) == few == 1
