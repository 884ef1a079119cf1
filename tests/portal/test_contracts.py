"""The portal's Contracts page: portal users with `billing` (and portal admins) read their own
customer's contracts there and through the API alike; nobody else, and never another customer's
contract or our notes."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from clientbase.contracts.models import Contract
from tests.contracts.factories import ContractFactory, days_from_today
from tests.factories import AssetFactory
from tests.portal.conftest import signed_in

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def contracts(northwind, contoso):
    customer, north, _ = northwind
    chiller = AssetFactory(location=north, name="Rooftop chiller")
    return {
        "sites": ContractFactory(
            customer=customer,
            name="North care",
            locations=[north],
            assets=[chiller],
            end_date=days_from_today(200),
            notes="Our margin is thin",
            response_hours=8,
        ),
        "everywhere": ContractFactory(customer=customer, name="All-site HVAC"),
        "expired": ContractFactory(
            customer=customer,
            name="Old lifts",
            start_date=days_from_today(-400),
            end_date=days_from_today(-5),
        ),
        "contoso": ContractFactory(customer=contoso, name="Contoso boilers"),
    }


@pytest.fixture
def billing(make_portal_contact, northwind):
    customer, _, _ = northwind
    return make_portal_contact(customer, ["billing"], first_name="Bill", last_name="Payer")


def test_a_billing_user_lists_its_customers_contracts(billing, contracts):
    client = signed_in(billing)
    page = text(client.get("/portal/contracts/"))
    assert "North care" in page and "All-site HVAC" in page and "Old lifts" in page
    assert "Contoso boilers" not in page
    assert "North Campus, Rooftop chiller" in page
    assert "All your sites" in page
    assert "Our margin is thin" not in page
    assert 'href="/portal/contracts/"' in text(client.get("/portal/"))  # the menu and the home card
    expired = text(client.get("/portal/contracts/?status=expired"))
    assert "Old lifts" in expired and "North care" not in expired


def test_a_contract_page_shows_its_terms_and_places_never_our_notes(billing, contracts):
    client = signed_in(billing)
    page = text(client.get(f"/portal/contracts/{contracts['sites'].pk}/"))
    assert f"Contract {contracts['sites'].number}: North care" in page
    assert "Rooftop chiller (at North Campus)" in page
    assert "8 hours" in page
    assert "Our margin is thin" not in page
    assert client.get(f"/portal/contracts/{contracts['contoso'].pk}/").status_code == 404
    assert client.get("/portal/contracts/987654/").status_code == 404


def test_a_portal_admin_reads_them_too(make_portal_contact, northwind, contracts):
    customer, _, _ = northwind
    admin = make_portal_contact(customer, ["admin"], first_name="Ada", last_name="Admin")
    assert "North care" in text(signed_in(admin).get("/portal/contracts/"))


@pytest.mark.parametrize("capability", ["reports", "create_work_order", "edit_contacts"])
def test_others_are_refused_with_the_permission_named(make_portal_contact, northwind, contracts, capability):
    customer, _, _ = northwind
    contact = make_portal_contact(customer, [capability], first_name="Olly", last_name="Other")
    client = signed_in(contact)
    for url in ("/portal/contracts/", f"/portal/contracts/{contracts['sites'].pk}/"):
        response = client.get(url)
        assert response.status_code == 403
        assert "Contracts need the “Access billing” permission" in text(response)
        assert "North care" not in text(response)
    assert 'href="/portal/contracts/"' not in text(client.get("/portal/"))


def test_staff_and_visitors_are_kept_out(client, dispatcher, contracts):
    response = client.get("/portal/contracts/")
    assert response.status_code == 302 and response["Location"].startswith("/portal/login/")
    client.force_login(dispatcher)
    assert client.get("/portal/contracts/").status_code == 403


def test_the_page_and_the_api_answer_the_same_contracts(billing, contracts):
    api = APIClient()
    api.force_authenticate(billing.user)
    listed = {row["id"] for row in api.get("/api/v1/contracts/").json()["results"]}
    visible = set(Contract.objects.filter(customer=billing.customer).values_list("pk", flat=True))
    assert listed == visible
    assert api.get(f"/api/v1/contracts/{contracts['contoso'].pk}/").status_code == 404
