"""The reads of contracts: the contract covering a place (most specific first, in one query), the
contracts covering a location, those ending soon, the search."""

from __future__ import annotations

import pytest

from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import (
    covering_contract,
    covering_location,
    ending_within,
    search_contracts,
)
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory, LocationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def covered_customer(customer_with_two_sites):
    """Northwind with a customer-wide contract, one for the north campus, one for a chiller there,
    and contracts that cover nothing today (upcoming, expired) or only the south campus."""
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller")
    boiler = AssetFactory(location=north, name="Boiler")
    contracts = {
        "everywhere": ContractFactory(customer=customer, name="Everywhere"),
        "north": ContractFactory(customer=customer, name="North", locations=[north]),
        "chiller": ContractFactory(customer=customer, name="Chiller", assets=[chiller]),
        "south": ContractFactory(customer=customer, name="South", locations=[south]),
        "upcoming": ContractFactory(
            customer=customer, name="Upcoming", assets=[chiller], start_date=days_from_today(1)
        ),
        "expired": ContractFactory(
            customer=customer,
            name="Expired",
            assets=[chiller],
            start_date=days_from_today(-400),
            end_date=days_from_today(-1),
        ),
    }
    return customer, north, south, chiller, boiler, contracts


def test_the_most_specific_contract_in_force_covers_a_place(covered_customer, django_assert_num_queries):
    customer, north, _, chiller, boiler, contracts = covered_customer
    with django_assert_num_queries(1):
        found = covering_contract(customer=customer, location=north, asset=chiller)
    assert (found, found.coverage, found.status) == (contracts["chiller"], "asset", "active")
    # Another asset at the north campus: the location's contract.
    found = covering_contract(customer=customer, location=north, asset=boiler)
    assert (found, found.coverage) == (contracts["north"], "location")
    # Only the asset given: its location is looked up in the same query.
    with django_assert_num_queries(1):
        found = covering_contract(customer=customer.pk, asset=boiler.pk)
    assert (found, found.coverage) == (contracts["north"], "location")
    # A site no contract names: the customer-wide one.
    elsewhere = LocationFactory(customer=customer)
    found = covering_contract(customer=customer, location=elsewhere)
    assert (found, found.coverage) == (contracts["everywhere"], "customer")
    assert covering_contract(customer=customer) == contracts["everywhere"]


def test_among_equals_the_latest_start_wins_then_the_newest(customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    ContractFactory(customer=customer, locations=[north], start_date=days_from_today(-100))
    later = ContractFactory(customer=customer, locations=[north], start_date=days_from_today(-10))
    assert covering_contract(customer=customer, location=north) == later
    newest = ContractFactory(customer=customer, locations=[north], start_date=days_from_today(-10))
    assert covering_contract(customer=customer, location=north) == newest


def test_no_contract_in_force_covering_the_place_is_none(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    ContractFactory(customer=customer, locations=[south])
    ContractFactory(customer=customer, start_date=days_from_today(5))
    ContractFactory(customer=other_customer)
    assert covering_contract(customer=customer, location=north) is None
    assert covering_contract(customer=other_customer, location=north).customer == other_customer


def test_a_day_other_than_today_can_be_asked(covered_customer):
    customer, north, _, chiller, _, contracts = covered_customer
    tomorrow = days_from_today(1)
    found = covering_contract(customer=customer, location=north, asset=chiller, on=tomorrow)
    # Upcoming starts tomorrow, later than the chiller's own contract.
    assert (found, found.status) == (contracts["upcoming"], "active")
    found = covering_contract(customer=customer, location=north, asset=chiller, on=days_from_today(-100))
    assert (found, found.coverage) == (contracts["expired"], "asset")
    # On the expired contract's last day, the chiller's own contract started later.
    assert covering_contract(customer=customer, asset=chiller, on=days_from_today(-1)) == contracts["chiller"]


def test_the_contracts_covering_a_location(covered_customer, other_customer):
    _, north, south, _, _, _ = covered_customer
    ContractFactory(customer=other_customer, name="Another customer's")
    names = set(covering_location(Contract.objects.all(), north.pk).values_list("name", flat=True))
    assert names == {"Everywhere", "North", "Chiller", "Upcoming", "Expired"}
    names = set(covering_location(Contract.objects.all(), south.pk).values_list("name", flat=True))
    assert names == {"Everywhere", "South"}
    assert not covering_location(Contract.objects.all(), 987654).exists()


def test_the_contracts_ending_soon_soonest_first(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    later = ContractFactory(customer=customer, end_date=days_from_today(50))
    today = ContractFactory(customer=customer, end_date=days_from_today(0))
    ContractFactory(customer=customer, end_date=days_from_today(61))
    ContractFactory(customer=customer, end_date=days_from_today(-1))  # expired
    ContractFactory(customer=customer)  # open-ended
    ContractFactory(
        customer=customer, start_date=days_from_today(3), end_date=days_from_today(20)
    )  # upcoming
    assert list(ending_within(Contract.objects.all(), 60)) == [today, later]


def test_search_by_number_or_name(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    hvac = ContractFactory(customer=customer, name="HVAC maintenance")
    lifts = ContractFactory(customer=customer, name="Lift service")
    assert list(search_contracts(Contract.objects.all(), "hvac")) == [hvac]
    assert list(search_contracts(Contract.objects.all(), lifts.number)) == [lifts]
    assert list(search_contracts(Contract.objects.all(), str(lifts.pk))) == [lifts]
    assert set(search_contracts(Contract.objects.all(), "  ")) == {hvac, lifts}
    assert not search_contracts(Contract.objects.all(), "K-99999999999999999999").exists()
