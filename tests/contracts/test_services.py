"""The contract services: what they write, their history, and every refusal (with nothing changed)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from clientbase import history
from clientbase.contracts import services
from clientbase.contracts.models import Contract, ContractAsset, ContractLocation
from clientbase.contracts.selectors import contract_history
from clientbase.errors import Forbidden, NotFound, Stale, ValidationFailed
from clientbase.writes import changes_of
from tests.contracts.factories import ContractFactory
from tests.factories import AssetFactory
from tests.helpers import assert_unchanged

pytestmark = pytest.mark.django_db

JAN_1, DEC_31 = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)


def new_contract_data(customer, **values):
    return {"customer": customer, "name": "HVAC maintenance 2026", "start_date": JAN_1, **values}


def test_creates_a_contract_with_its_places_and_one_history_entry(dispatcher, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=south)
    contract = services.create_contract(
        acting_user=dispatcher,
        data=new_contract_data(
            customer,
            end_date=DEC_31,
            locations=[north, north],
            assets=[unit],
            visits_per_year=4,
            response_hours=24,
            notes="  Keys at the desk.  ",
        ),
    )
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.name, stored.start_date, stored.end_date) == ("HVAC maintenance 2026", JAN_1, DEC_31)
    assert (stored.visits_per_year, stored.response_hours, stored.notes) == (4, 24, "Keys at the desk.")
    assert list(stored.locations.all()) == [north]
    assert list(stored.assets.all()) == [unit]
    assert stored.version == 1
    entries = contract_history(contract.pk)
    assert [(entry["type"], entry["user"]) for entry in entries] == [("created", "dispatcher")]
    record = Contract.history.get(id=contract.pk)
    assert history.shown_fields(record) >= {"locations", "assets", "name", "end_date"}


def test_a_contract_without_places_covers_every_site(dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    contract = services.create_contract(acting_user=dispatcher, data=new_contract_data(customer))
    assert not contract.locations.exists() and not contract.assets.exists()
    assert contract.end_date is None  # open-ended
    assert Contract.objects.get(pk=contract.pk).status == contract.status_on(timezone.localdate())


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"end_date": datetime.date(2025, 12, 31)}, "end_date", "The contract cannot end before it starts."),
        ({"name": "  "}, "name", "This field cannot be blank."),
        ({"name": "Line\nbreak"}, "name", "line break"),
        ({"visits_per_year": -1}, "visits_per_year", "greater than or equal to 0"),
        ({"response_hours": 0}, "response_hours", "greater than or equal to 1"),
        ({"response_hours": 9000}, "response_hours", "less than or equal to 8760"),
        ({"start_date": None}, "start_date", "cannot be null"),
    ],
)
def test_refuses_a_contract_that_breaks_a_rule(dispatcher, customer_with_two_sites, values, field, message):
    customer, _, _ = customer_with_two_sites
    with assert_unchanged(Contract, ContractLocation), pytest.raises(ValidationFailed) as error:
        services.create_contract(acting_user=dispatcher, data=new_contract_data(customer, **values))
    assert field in error.value.errors, error.value.errors
    assert message in " ".join(error.value.errors[field])


def test_names_every_location_and_asset_of_another_customer(
    dispatcher, customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    foreign_site = other_customer.locations.get()
    foreign_units = [AssetFactory(location=foreign_site, name=name) for name in ("Boiler A", "Boiler B")]
    with (
        assert_unchanged(Contract, ContractLocation, ContractAsset),
        pytest.raises(ValidationFailed) as error,
    ):
        services.create_contract(
            acting_user=dispatcher,
            data=new_contract_data(
                customer,
                end_date=datetime.date(2025, 1, 1),
                locations=[north, foreign_site],
                assets=foreign_units,
            ),
        )
    errors = error.value.errors
    assert errors["locations"] == [
        "“Contoso HQ” is a location of another customer; a contract covers only its own customer's sites."
    ]
    assert errors["assets"] == [
        "“Boiler A” and “Boiler B” are assets of another customer; a contract covers only its own "
        "customer's equipment."
    ]
    assert "end_date" in errors  # every rule had its say


def test_refuses_without_permission_and_out_of_scope(
    technician, portal_user_factory, customer_with_two_sites
):
    customer, _, _ = customer_with_two_sites
    with pytest.raises(Forbidden):
        services.create_contract(acting_user=technician, data=new_contract_data(customer))
    billing = portal_user_factory(customer, ("billing",))
    with pytest.raises(Forbidden):
        services.create_contract(acting_user=billing, data=new_contract_data(customer))
    contract = ContractFactory(customer=customer)
    with assert_unchanged(contract), pytest.raises(Forbidden):
        services.update_contract(contract=contract, acting_user=technician, data={"name": "Changed"})
    with assert_unchanged(contract), pytest.raises(Forbidden):
        services.delete_contract(contract=contract, acting_user=technician)
    assert not Contract.objects.exclude(pk=contract.pk).exists()


def test_updates_the_given_fields_and_the_places(accounts_clerk, customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=north)
    contract = ContractFactory(customer=customer, locations=[north])
    updated = services.update_contract(
        contract=contract,
        acting_user=accounts_clerk,
        data={"name": "Renamed", "locations": [south], "assets": [unit]},
        expected_version=1,
    )
    assert changes_of(updated) == {"name", "locations", "assets"}
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.name, stored.version) == ("Renamed", 2)
    assert list(stored.locations.all()) == [south]
    assert list(stored.assets.all()) == [unit]
    latest = contract_history(contract.pk)[0]
    assert {change["field"] for change in latest["changes"]} == {"name", "locations", "assets"}
    assert latest["user"] == "accounts"


def test_a_change_of_the_places_alone_is_a_version_and_nothing_changed_writes_nothing(
    dispatcher, customer_with_two_sites
):
    customer, north, south = customer_with_two_sites
    contract = ContractFactory(customer=customer, locations=[north])
    services.update_contract(contract=contract, acting_user=dispatcher, data={"locations": [north, south]})
    assert Contract.objects.get(pk=contract.pk).version == 2
    unchanged = services.update_contract(
        contract=contract, acting_user=dispatcher, data={"locations": [south, north], "name": contract.name}
    )
    assert changes_of(unchanged) == frozenset()
    assert Contract.objects.get(pk=contract.pk).version == 2
    # None at all: customer-wide.
    services.update_contract(contract=contract, acting_user=dispatcher, data={"locations": []})
    assert not Contract.objects.get(pk=contract.pk).locations.exists()


def test_an_update_refuses_another_customer_a_stale_version_and_an_end_before_the_start(
    dispatcher, customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer, locations=[north], start_date=JAN_1)
    with assert_unchanged(Contract, ContractLocation):
        with pytest.raises(ValidationFailed) as error:
            services.update_contract(
                contract=contract, acting_user=dispatcher, data={"customer": other_customer}
            )
        assert error.value.errors == {
            "customer": ["A contract cannot move to another customer; create it there instead."]
        }
        with pytest.raises(Stale):
            services.update_contract(
                contract=contract, acting_user=dispatcher, data={"name": "Late"}, expected_version=7
            )
        with pytest.raises(ValidationFailed) as error:
            services.update_contract(
                contract=contract, acting_user=dispatcher, data={"end_date": datetime.date(2025, 6, 30)}
            )
        assert error.value.errors == {
            "end_date": ["The contract cannot end before it starts. It starts on 2026-01-01."]
        }
        with pytest.raises(ValidationFailed) as error:
            services.update_contract(
                contract=contract,
                acting_user=dispatcher,
                data={"locations": [other_customer.locations.get()]},
            )
        assert list(error.value.errors) == ["locations"]
        with pytest.raises(ValidationFailed, match="Unknown field"):
            services.update_contract(contract=contract, acting_user=dispatcher, data={"status": "active"})


def test_deletes_a_contract_and_its_links_keeping_its_history(dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    contract = ContractFactory(customer=customer, locations=[north])
    with pytest.raises(Stale):
        services.delete_contract(contract=contract, acting_user=dispatcher, expected_version=2)
    services.delete_contract(contract=contract, acting_user=dispatcher, expected_version=1)
    assert not Contract.objects.exists()
    assert not ContractLocation.objects.exists()
    assert north.__class__.objects.filter(pk=north.pk).exists()
    deleted = Contract.history.filter(id=contract.pk).latest()
    assert (deleted.history_type, deleted.history_user) == ("-", dispatcher)
    with pytest.raises(NotFound):
        services.delete_contract(contract=contract, acting_user=dispatcher)
