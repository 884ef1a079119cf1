"""The staff pages of contracts: the list (filters, empty states, the contracts ending within 60
days), a contract's page (what it covers, its history), the form (customer first, then its
locations and assets), the edit form and its stale save, the deletion after a confirmation, the
customer page's section and the navigation."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contracts import services
from clientbase.contracts.models import Contract, ContractLocation
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory
from tests.helpers import assert_unchanged
from tests.test_stale_forms import edit_form, text

pytestmark = pytest.mark.django_db
LIST, CREATE = "/contracts/", "/contracts/new/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(client, dispatcher):
    client.force_login(dispatcher)
    return client


@pytest.fixture
def scene(customer_with_two_sites, other_customer):
    customer, north, south = customer_with_two_sites
    chiller = AssetFactory(location=north, name="Chiller N-1", asset_tag="NW-N-001")
    return {
        "customer": customer,
        "north": north,
        "south": south,
        "chiller": chiller,
        "other": other_customer,
        "everywhere": ContractFactory(customer=customer, name="Northwind HVAC care"),
        "north_lifts": ContractFactory(
            customer=customer,
            name="North lifts",
            locations=[north],
            assets=[chiller],
            end_date=days_from_today(20),
        ),
        "expired": ContractFactory(
            customer=customer,
            name="Old boilers",
            start_date=days_from_today(-400),
            end_date=days_from_today(-30),
        ),
        "contoso": ContractFactory(customer=other_customer, name="Contoso fire alarms"),
    }


def test_the_list_shows_contracts_with_what_they_cover_and_their_status(staff, scene):
    page = text(staff.get(LIST))
    for name in ("Northwind HVAC care", "North lifts", "Old boilers", "Contoso fire alarms"):
        assert name in page
    assert "All sites" in page
    assert "North Campus, Chiller N-1" in page
    assert "Expired" in page and "Active" in page
    assert "Open-ended" in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=expired", ["Old boilers"], ["North lifts", "Contoso fire alarms"]),
        ("customer={customer}", ["North lifts", "Old boilers"], ["Contoso fire alarms"]),
        ("location={south}", ["Northwind HVAC care"], ["North lifts", "Contoso fire alarms"]),
        ("search=lifts", ["North lifts"], ["Old boilers"]),
        ("ending=60", ["North lifts"], ["Northwind HVAC care", "Old boilers"]),
    ],
)
def test_the_list_filters(staff, scene, query, shown, hidden):
    query = query.format(customer=scene["customer"].pk, south=scene["south"].pk)
    page = text(staff.get(f"{LIST}?{query}"))
    for name in shown:
        assert name in page
    for name in hidden:
        assert name not in page


def test_the_contracts_ending_within_60_days_are_linked_and_named(staff, scene):
    response = staff.get(LIST)
    assert b'href="/contracts/?ending=60"' in response.content
    page = text(staff.get(f"{LIST}?ending=60"))
    assert "Contracts ending within 60 days" in page
    # Each says how many days it has left (North lifts ends in 20 days); open-ended ones say nothing.
    assert "20 days left" in page
    ContractFactory(customer=scene["customer"], name="Last day", end_date=days_from_today(0))
    assert "ends today" in text(staff.get(f"{LIST}?ending=60"))
    assert "left" not in text(staff.get(f"{LIST}?ending=60&customer={scene['other'].pk}"))
    assert text(staff.get(f"{LIST}?location={scene['north'].pk}")).count("covering North Campus") == 1
    refused = text(staff.get(f"{LIST}?ending=5000"))
    assert "within 5000 days" not in refused
    assert "Ensure this value is less than or equal to 3650." in refused


def test_the_empty_states(staff, db):
    page = text(staff.get(LIST))
    assert "No contracts yet." in page
    assert "Write the first one" in page
    ContractFactory(name="Something")
    page = text(staff.get(f"{LIST}?ending=60"))
    assert "No contracts match." in page
    assert "No contract in force ends within 60 days." in page
    assert text(staff.get(f"{LIST}?location=abc")).count("No contracts") == 1  # a bad id lists nothing


def test_htmx_gets_the_results_alone(staff, scene):
    response = staff.get(f"{LIST}?status=active", **HTMX)
    assert b"<h1" not in response.content
    assert b"North lifts" in response.content


def test_the_list_costs_the_same_for_few_and_many(staff, scene):
    staff.get(LIST)
    with CaptureQueriesContext(connection) as few:
        staff.get(LIST)
    for _ in range(10):
        ContractFactory(customer=scene["customer"], locations=[scene["north"]], assets=[scene["chiller"]])
    with CaptureQueriesContext(connection) as many:
        staff.get(LIST)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_pages_are_for_staff_who_may_view_contracts(
    client, nobody, portal_user_factory, scene, technician
):
    contract = scene["everywhere"]
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(f"/contracts/{contract.pk}/").status_code == 403
    client.force_login(portal_user_factory(scene["customer"], ("billing",)))
    assert client.get(LIST).status_code == 403
    client.force_login(technician)
    assert client.get(f"/contracts/{contract.pk}/").status_code == 200
    page = client.get(f"/contracts/{contract.pk}/").content.decode()
    assert "Edit contract" not in page and f"/contracts/{contract.pk}/delete/" not in page
    with assert_unchanged(Contract):
        assert client.get(CREATE).status_code == 403
        assert client.get(f"/contracts/{contract.pk}/edit/").status_code == 403
        assert client.post(f"/contracts/{contract.pk}/delete/").status_code == 403
    assert client.get("/contracts/987654/").status_code == 404


def test_a_contract_page_shows_what_it_covers_its_terms_and_history(staff, scene):
    contract = scene["north_lifts"]
    page = staff.get(f"/contracts/{contract.pk}/").content.decode()
    assert f"{contract.number}: North lifts" in page
    assert 'href="/locations/{}/"'.format(scene["north"].pk) in page
    assert 'href="/assets/{}/"'.format(scene["chiller"].pk) in page
    assert "NW-N-001" in page
    assert "Edit contract" in page
    assert 'id="history"' in page
    everywhere = text(staff.get(f"/contracts/{scene['everywhere'].pk}/"))
    assert "Every site of Northwind Hospitals" in everywhere
    assert "None agreed" in everywhere


def test_the_form_asks_for_the_customer_first_then_offers_its_places(staff, scene):
    first = text(staff.get(CREATE))
    assert "1. Customer" in first
    assert "Locations covered" not in first
    customer = scene["customer"]
    form = staff.get(f"{CREATE}?customer={customer.pk}&name=Typed").content.decode()
    assert "Locations covered" in form and "North Campus (N)" in form and "South Campus (S)" in form
    assert "Chiller N-1 (North Campus, NW-N-001)" in form
    assert "Contoso HQ" not in form
    assert 'value="Typed"' in form
    partial = staff.get(f"{CREATE}?customer={customer.pk}", **HTMX).content.decode()
    assert partial.startswith('<div id="contract-form">') or 'id="contract-form"' in partial[:200]
    assert "<h1" not in partial


def test_creating_a_contract_from_the_form(staff, scene):
    customer = scene["customer"]
    response = staff.post(
        CREATE,
        {
            "customer": customer.pk,
            "name": "Rooftop units 2026",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "locations": [scene["south"].pk],
            "assets": [scene["chiller"].pk],
            "visits_per_year": "4",
            "response_hours": "8",
            "notes": "",
        },
    )
    contract = Contract.objects.get(name="Rooftop units 2026")
    assert response.status_code == 302
    assert response["Location"] == f"/contracts/{contract.pk}/"
    assert list(contract.locations.all()) == [scene["south"]]
    assert list(contract.assets.all()) == [scene["chiller"]]
    assert (contract.visits_per_year, contract.response_hours) == (4, 8)
    page = text(staff.get(response["Location"]))
    assert f"Contract {contract.number} “Rooftop units 2026” created." in page


def test_the_form_refuses_an_end_before_the_start_and_a_place_of_another_customer(staff, scene):
    customer = scene["customer"]
    data = {
        "customer": customer.pk,
        "name": "Backwards",
        "start_date": "2026-06-01",
        "end_date": "2026-01-01",
    }
    with assert_unchanged(Contract, ContractLocation):
        backwards = staff.post(CREATE, data)
        elsewhere = staff.post(
            CREATE, {**data, "end_date": "", "locations": [scene["other"].locations.get().pk]}
        )
    assert backwards.status_code == 200
    assert "The contract cannot end before it starts. It starts on 2026-06-01." in text(backwards)
    assert 'value="Backwards"' in backwards.content.decode()  # what was typed is kept
    assert elsewhere.status_code == 200
    assert "Select a valid choice" in text(elsewhere)  # another customer's location is not offered


def test_editing_a_contract_and_a_stale_save(staff, scene, client, admin_user):
    contract = scene["north_lifts"]
    url = f"/contracts/{contract.pk}/edit/"
    form = edit_form(staff.get(url).content.decode())
    assert "customer" not in form  # a contract stays with its customer
    assert form["locations"] == [str(scene["north"].pk)]
    # Someone else renames it meanwhile.
    services.update_contract(contract=contract, acting_user=admin_user, data={"name": "Renamed elsewhere"})
    form["response_hours"] = ["4"]
    with assert_unchanged(Contract):
        stale = staff.post(url, form)
    assert stale.status_code == 409
    assert "changed by someone else" in text(stale)
    assert "Renamed elsewhere" in text(stale)
    form = edit_form(stale.content.decode())
    saved = staff.post(url, form)
    assert saved.status_code == 302
    contract.refresh_from_db()
    assert (contract.name, contract.response_hours, contract.version) == ("Renamed elsewhere", 4, 3)


def test_deleting_a_contract_after_a_confirmation(staff, scene):
    contract = scene["north_lifts"]
    url = f"/contracts/{contract.pk}/delete/"
    confirm = text(staff.get(url))
    assert f"Delete contract {contract.number} “North lifts”?" in confirm
    assert "North Campus, Chiller N-1" in confirm
    with assert_unchanged(Contract):
        stale = staff.post(url, {"version": "9"})
    assert stale.status_code == 302 and stale["Location"] == f"/contracts/{contract.pk}/"
    response = staff.post(url, {"version": str(contract.version)})
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{scene['customer'].pk}/"
    assert not Contract.objects.filter(pk=contract.pk).exists()
    assert f"Contract {contract.number} “North lifts” deleted." in text(staff.get(response["Location"]))


def test_the_customer_page_lists_its_contracts(staff, scene, client, nobody):
    page = staff.get(f"/customers/{scene['customer'].pk}/").content.decode()
    assert 'id="contracts"' in page
    assert "Northwind HVAC care" in page and "North lifts" in page
    assert "Contoso fire alarms" not in page
    assert f"/contracts/new/?customer={scene['customer'].pk}" in page
    # The latest start first, whatever the order they were added in.
    later = ContractFactory(
        customer=scene["customer"], name="Started earlier", start_date=days_from_today(-90)
    )
    section = text(staff.get(f"/customers/{scene['customer'].pk}/"))
    assert (
        section.index("Northwind HVAC care") < section.index("Started earlier") < section.index("Old boilers")
    )
    assert later.pk > scene["expired"].pk
    empty = text(staff.get(f"/customers/{scene['other'].pk}/"))
    assert "Contoso fire alarms" in empty
    client.force_login(nobody)
    # Without the right to view contracts the section is left out (the page itself needs customers).
    nobody.user_permissions.add(Permission.objects.get(codename="view_customer"))
    page = client.get(f"/customers/{scene['customer'].pk}/").content.decode()
    assert 'id="contracts"' not in page


def test_the_navigation_names_contracts_for_those_who_may_view_them(staff, client, nobody):
    assert b'href="/contracts/"' in staff.get("/").content
    client.force_login(nobody)
    assert b'href="/contracts/"' not in client.get("/").content


def test_a_date_out_of_range_is_refused_on_the_form(staff, scene):
    with assert_unchanged(Contract):
        response = staff.post(
            CREATE, {"customer": scene["customer"].pk, "name": "x", "start_date": "31.02.2026"}
        )
    assert response.status_code == 200
    assert "Enter a valid date." in text(response)
