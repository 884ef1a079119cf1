"""The service contract of a work order (`contract`): a new one gets the contract in force that
covers its place (asset, then location, then customer-wide, then the latest start; upcoming and
expired ones never; none: null) unless the caller names one or null; a contract of another
customer is refused by the service (400 on `contract`) and by the database (409); a later move of
the work order keeps its contract; a contract that work orders name cannot be deleted."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import IntegrityError, transaction

from clientbase.contracts.models import Contract
from clientbase.contracts.services import delete_contract
from clientbase.errors import Conflict, ValidationFailed
from clientbase.notifications.models import Message
from clientbase.workorders import services
from clientbase.workorders.models import WorkOrder
from clientbase.writes import changes_of, refusals_as_conflicts
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.helpers import assert_refused_by, assert_unchanged
from tests.workorders.factories import WorkOrderFactory

pytestmark = pytest.mark.django_db
RULE = "work order contract belongs to another customer"


@pytest.fixture
def covered(customer_with_two_sites, other_customer):
    """Northwind: its North Campus with a chiller and a pump, its South Campus; contracts in force
    for every site (an old one and a newer one), for North Campus, for the chiller; one for the
    chiller not yet in force and one expired; and a contract of Contoso, another customer."""
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller N-1")
    pump = AssetFactory(location=north, name="Pump N-2")
    ContactFactory(customer=customer, role_site=True, notify_work_orders=True, locations=[north])
    return SimpleNamespace(
        customer=customer,
        north=north,
        south=south,
        chiller=chiller,
        pump=pump,
        wide_old=ContractFactory(customer=customer, name="Portfolio (old)", start_date=days_from_today(-300)),
        wide=ContractFactory(customer=customer, name="Portfolio", start_date=days_from_today(-10)),
        north_site=ContractFactory(
            customer=customer, name="North Campus care", locations=[north], start_date=days_from_today(-200)
        ),
        chiller_care=ContractFactory(
            customer=customer,
            name="Chiller care",
            assets=[chiller],
            start_date=days_from_today(-100),
            response_hours=4,
        ),
        upcoming=ContractFactory(
            customer=customer, name="Chiller next year", assets=[chiller], start_date=days_from_today(5)
        ),
        expired=ContractFactory(
            customer=customer,
            name="Chiller last year",
            assets=[chiller],
            start_date=days_from_today(-500),
            end_date=days_from_today(-1),
        ),
        contoso=ContractFactory(customer=other_customer, name="Contoso lifts"),
        other_customer=other_customer,
    )


def open_work_order(user, **data) -> WorkOrder:
    return services.create_work_order(acting_user=user, data={"summary": "Not cooling", **data})


# The automatic choice --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("location", "asset", "expected"),
    [
        ("north", "chiller", "chiller_care"),  # the contract naming the asset
        ("north", "pump", "north_site"),  # else the one naming the location
        ("north", None, "north_site"),
        ("south", None, "wide"),  # else customer-wide, the latest start first
        (None, None, "wide"),
    ],
)
def test_a_new_work_order_gets_the_most_specific_contract_in_force(
    dispatcher, covered, location, asset, expected
):
    data = {"customer": covered.customer}
    if location:
        data["location"] = getattr(covered, location)
    if asset:
        data["asset"] = getattr(covered, asset)
    work_order = open_work_order(dispatcher, **data)
    assert work_order.contract == getattr(covered, expected)
    assert WorkOrder.objects.get(pk=work_order.pk).contract_id == getattr(covered, expected).pk


def test_contracts_not_in_force_are_never_chosen(dispatcher, covered):
    """Upcoming and expired contracts cover nothing today: with no other contract, none."""
    Contract.objects.filter(
        pk__in=[covered.wide.pk, covered.wide_old.pk, covered.north_site.pk, covered.chiller_care.pk]
    ).delete()
    work_order = open_work_order(
        dispatcher, customer=covered.customer, location=covered.north, asset=covered.chiller
    )
    assert work_order.contract is None
    assert WorkOrder.objects.get(pk=work_order.pk).contract_id is None


def test_a_customer_without_contracts_gets_none(dispatcher):
    customer = CustomerFactory()
    site = LocationFactory(customer=customer)
    ContractFactory(name="Another customer's, everywhere")
    work_order = open_work_order(dispatcher, customer=customer, location=site)
    assert work_order.contract is None


def test_a_contract_named_or_none_wins_over_the_rules(dispatcher, covered):
    place = {"customer": covered.customer, "location": covered.north, "asset": covered.chiller}
    named = open_work_order(dispatcher, **place, contract=covered.wide_old)
    assert WorkOrder.objects.get(pk=named.pk).contract == covered.wide_old
    # A contract not in force may be named too: the rule is the customer's, not the dates'.
    expired = open_work_order(dispatcher, **place, contract=covered.expired)
    assert WorkOrder.objects.get(pk=expired.pk).contract == covered.expired
    none = open_work_order(dispatcher, **place, contract=None)
    assert WorkOrder.objects.get(pk=none.pk).contract_id is None


def test_a_contract_of_another_customer_is_refused_and_nothing_is_written(dispatcher, covered):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refusal:
        open_work_order(dispatcher, customer=covered.customer, contract=covered.contoso)
    assert list(refusal.value.errors) == ["contract"]
    assert "is of another customer" in refusal.value.errors["contract"][0]
    assert covered.contoso.number in refusal.value.errors["contract"][0]


def test_a_portal_request_gets_the_covering_contract_and_may_not_name_one(portal_user_factory, covered):
    requester = portal_user_factory(covered.customer, ("create_work_order", "billing"))
    work_order = open_work_order(
        requester, customer=covered.customer, location=covered.north, asset=covered.chiller
    )
    assert work_order.contract == covered.chiller_care
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refusal:
        open_work_order(requester, customer=covered.customer, contract=covered.wide_old)
    assert refusal.value.errors == {"contract": ["Set by the service provider."]}


# Changing it --------------------------------------------------------------------------------------------


def test_a_new_place_keeps_the_contract(dispatcher, covered):
    """Moving the work order to the chiller does not move it to the chiller's contract: the contract
    changes only when it is given."""
    work_order = open_work_order(dispatcher, customer=covered.customer, location=covered.south)
    assert work_order.contract == covered.wide
    moved = services.update_work_order(
        work_order=work_order,
        acting_user=dispatcher,
        data={"location": covered.north, "asset": covered.chiller},
    )
    assert moved.contract == covered.wide
    assert WorkOrder.objects.get(pk=work_order.pk).contract == covered.wide


def test_changing_the_contract_alone_is_recorded_and_notifies_nobody(dispatcher, covered):
    work_order = open_work_order(dispatcher, customer=covered.customer, location=covered.north)
    sent = Message.objects.count()
    changed = services.update_work_order(
        work_order=work_order, acting_user=dispatcher, data={"contract": covered.wide_old}
    )
    assert changed.contract == covered.wide_old
    assert changes_of(changed) == frozenset({"contract"})
    assert services.notified(changed) is None
    assert Message.objects.count() == sent
    assert WorkOrder.objects.get(pk=work_order.pk).version == work_order.version + 1
    assert work_order.history.filter(contract=covered.wide_old).exists()
    cleared = services.update_work_order(work_order=changed, acting_user=dispatcher, data={"contract": None})
    assert WorkOrder.objects.get(pk=cleared.pk).contract_id is None


def test_changing_to_a_contract_of_another_customer_is_refused(dispatcher, covered):
    work_order = open_work_order(dispatcher, customer=covered.customer)
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refusal:
        services.update_work_order(
            work_order=work_order, acting_user=dispatcher, data={"contract": covered.contoso}
        )
    assert list(refusal.value.errors) == ["contract"]


# The database ------------------------------------------------------------------------------------------


def refused(write) -> IntegrityError:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    return error.value


def test_the_database_refuses_a_contract_of_another_customer(covered):
    error = refused(
        lambda: WorkOrder.objects.create(customer=covered.customer, contract=covered.contoso, summary="x")
    )
    assert_refused_by(error, WorkOrder, RULE)
    work_order = WorkOrderFactory(customer=covered.customer, contract=covered.wide)
    error = refused(lambda: WorkOrder.objects.filter(pk=work_order.pk).update(contract=covered.contoso))
    assert_refused_by(error, WorkOrder, RULE)
    assert WorkOrder.objects.get(pk=work_order.pk).contract_id == covered.wide.pk
    # Nor may the contract move to another customer while its customer's work orders name it.
    error = refused(
        lambda: Contract.objects.filter(pk=covered.wide.pk).update(customer=covered.other_customer)
    )
    assert_refused_by(error, WorkOrder, "contract named by work orders of another customer")
    assert Contract.objects.get(pk=covered.wide.pk).customer_id == covered.customer.pk


def test_other_changes_of_a_work_order_pass_the_trigger(covered):
    """The rule is checked when the contract or the customer changes, not on every write."""
    work_order = WorkOrderFactory(customer=covered.customer, contract=covered.wide)
    WorkOrder.objects.filter(pk=work_order.pk).update(summary="Still under contract")
    Contract.objects.filter(pk=covered.contoso.pk).update(customer=covered.customer)  # names none
    assert WorkOrder.objects.get(pk=work_order.pk).summary == "Still under contract"


def test_a_database_refusal_reads_as_a_clear_conflict(covered):
    with (
        pytest.raises(Conflict, match="The contract is of another customer"),
        transaction.atomic(),
        refusals_as_conflicts(),
    ):
        WorkOrder.objects.create(customer=covered.customer, contract=covered.contoso, summary="x")


def test_a_contract_that_work_orders_name_cannot_be_deleted(admin_user, covered):
    WorkOrderFactory(customer=covered.customer, contract=covered.north_site)
    WorkOrderFactory(customer=covered.customer, contract=covered.north_site)
    contract = Contract.objects.get(pk=covered.north_site.pk)
    with (
        assert_unchanged(Contract, WorkOrder),
        pytest.raises(Conflict, match="still referenced by 2 work orders"),
    ):
        delete_contract(contract=contract, acting_user=admin_user)
    # Without work orders it goes.
    delete_contract(contract=Contract.objects.get(pk=covered.wide_old.pk), acting_user=admin_user)
    assert not Contract.objects.filter(pk=covered.wide_old.pk).exists()
