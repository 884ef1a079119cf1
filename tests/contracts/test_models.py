"""The rules the database holds for contracts, even against writes that skip the services (a race, a
script, the admin), and the status every query computes."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from clientbase.contracts.models import Contract, ContractAsset, ContractLocation, number_to_pk
from clientbase.customers import services as customer_services
from clientbase.errors import Conflict
from clientbase.writes import refusals_as_conflicts
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory, LocationFactory
from tests.helpers import assert_refused_by, assert_unchanged

pytestmark = pytest.mark.django_db


def refused(write, model, rule: str) -> None:
    """`write` is refused by the database, by `rule` of `model` (a constraint or a trigger's
    message) and no other."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    assert_refused_by(error.value, model, rule)


def test_numbers_come_from_the_primary_key():
    contract = ContractFactory()
    assert contract.number == f"K-{contract.pk:06d}"
    assert str(contract) == f"{contract.number} {contract.name}"
    assert number_to_pk("k-000042") == 42
    assert number_to_pk("42") == 42
    assert number_to_pk("W-42") is None
    assert number_to_pk("K-4²") is None


@pytest.mark.parametrize(
    ("values", "rule"),
    [
        ({"name": "   "}, "contracts_contract_name_not_blank"),
        ({"end_date": datetime.date(2025, 12, 31)}, "contracts_contract_end_after_start"),
        ({"visits_per_year": -1}, "contracts_contract_visits_not_negative"),
        ({"response_hours": 0}, "contracts_contract_response_hours_positive"),
        ({"notes": "x" * 32_767}, "contracts_contract_notes_length"),
    ],
)
def test_the_database_refuses_what_breaks_a_check(customer_with_two_sites, values, rule):
    customer, _, _ = customer_with_two_sites
    fields = {"customer": customer, "name": "HVAC", "start_date": datetime.date(2026, 1, 1), **values}
    refused(lambda: Contract.objects.create(**fields), Contract, rule)
    contract = ContractFactory(customer=customer, start_date=datetime.date(2026, 1, 1))
    with assert_unchanged(contract):
        refused(lambda: Contract.objects.filter(pk=contract.pk).update(**values), Contract, rule)


def test_a_contract_may_end_on_the_day_it_starts_and_be_open_ended(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    day = datetime.date(2026, 3, 1)
    Contract.objects.create(customer=customer, name="One day", start_date=day, end_date=day)
    Contract.objects.create(
        customer=customer, name="Open", start_date=day, visits_per_year=0, response_hours=1
    )
    assert Contract.objects.count() == 2


def test_a_location_or_asset_of_another_customer_is_refused_by_the_database(
    customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    foreign_site = other_customer.locations.get()
    foreign_unit = AssetFactory(location=foreign_site)
    contract = ContractFactory(customer=customer, locations=[north])
    refused(
        lambda: ContractLocation.objects.create(contract=contract, location=foreign_site),
        ContractLocation,
        "contract location belongs to another customer",
    )
    refused(
        lambda: ContractAsset.objects.create(contract=contract, asset=foreign_unit),
        ContractAsset,
        "contract asset belongs to another customer",
    )
    link = ContractLocation.objects.get(contract=contract)
    refused(
        lambda: ContractLocation.objects.filter(pk=link.pk).update(location=foreign_site),
        ContractLocation,
        "contract location belongs to another customer",
    )
    assert list(contract.locations.all()) == [north]


def test_a_contract_keeps_its_places_when_its_customer_or_theirs_change(
    customer_with_two_sites, other_customer
):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=south)
    covering = ContractFactory(customer=customer, locations=[north], assets=[unit])
    rule = "contract covers sites of another customer"
    refused(lambda: Contract.objects.filter(pk=covering.pk).update(customer=other_customer), Contract, rule)
    # A covered location moving to another customer, and a covered asset moving there.
    refused(
        lambda: north.__class__.objects.filter(pk=north.pk).update(customer=other_customer), Contract, rule
    )
    foreign_site = other_customer.locations.get()
    refused(lambda: unit.__class__.objects.filter(pk=unit.pk).update(location=foreign_site), Contract, rule)
    # A location that is covered only through an asset standing there.
    refused(
        lambda: south.__class__.objects.filter(pk=south.pk).update(customer=other_customer), Contract, rule
    )
    # Moves within the customer are no concern of the contracts.
    unit.__class__.objects.filter(pk=unit.pk).update(location=north)
    unrelated = LocationFactory(customer=customer)
    unrelated.__class__.objects.filter(pk=unrelated.pk).update(customer=other_customer)


def test_the_refusals_of_the_triggers_read_as_conflicts(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer)
    expected = re.escape("A contract covers only locations of its own customer.")
    with pytest.raises(Conflict, match=expected), transaction.atomic(), refusals_as_conflicts():
        ContractLocation.objects.create(contract=contract, location=other_customer.locations.get())


def test_a_covered_location_or_asset_cannot_be_deleted(admin_user, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=south)
    ContractFactory(customer=customer, locations=[north], assets=[unit])
    with pytest.raises(ProtectedError):
        north.delete()
    with pytest.raises(Conflict, match="still referenced by 1 contract"):
        customer_services.delete_asset(asset=unit, acting_user=admin_user)
    with pytest.raises(Conflict, match="still referenced by 1 contract"):
        customer_services.delete_location(location=north, acting_user=admin_user)
    with pytest.raises(Conflict, match="still referenced by 1 contract"):
        customer_services.delete_customer(customer=customer, acting_user=admin_user)


@pytest.mark.parametrize(
    ("start", "end", "status"),
    [
        (1, None, "upcoming"),
        (1, 5, "upcoming"),
        (0, None, "active"),
        (-10, 0, "active"),
        (-10, 10, "active"),
        (-10, -1, "expired"),
    ],
)
def test_the_status_comes_from_the_dates_in_sql_and_in_python(customer_with_two_sites, start, end, status):
    customer, _, _ = customer_with_two_sites
    contract = ContractFactory(
        customer=customer,
        start_date=days_from_today(start),
        end_date=days_from_today(end) if end is not None else None,
    )
    assert Contract.objects.get(pk=contract.pk).status == status  # computed by the database
    assert Contract._base_manager.get(pk=contract.pk).status == status  # computed in Python
    assert contract.status_on(days_from_today(start - 1)) == "upcoming"
    assert list(Contract.objects.filter(status=status)) == [contract]
    assert customer.contracts.get().status == status  # related managers compute it too
