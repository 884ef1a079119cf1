"""A service contract in a real Chromium: written from the customer's page (the customer first, then
its locations and assets, offered as soon as it is chosen), shown on its own page and on the
customer's page, found among the contracts ending within 60 days; its pages at phone width. A new
work order gets the contract covering it, and its page shows it."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientbase.contracts.models import Contract
from clientbase.workorders.models import WorkOrder
from tests.browser.conftest import screenshot
from tests.contracts.factories import ContractFactory
from tests.factories import AssetFactory, CustomerFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def northwind(transactional_db):
    """A customer with two sites and a chiller, and another customer whose site must not be offered."""
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus", code="N")
    LocationFactory(customer=customer, name="South Campus", code="S")
    chiller = AssetFactory(location=north, name="Chiller CH-1", asset_tag="NW-N-001")
    other = CustomerFactory(name="Contoso Offices")
    LocationFactory(customer=other, name="Contoso HQ")
    return customer, north, chiller


def test_a_contract_is_written_from_the_customer_page_and_shown_there(signed_in, northwind):
    page = signed_in
    customer, north, chiller = northwind
    ends = timezone.localdate() + datetime.timedelta(days=40)
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#contracts").get_by_role("link", name="New contract").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New contract")
    expect(page.get_by_label("Customer")).to_have_value(str(customer.pk))
    expect(page.get_by_text("Contoso HQ")).to_have_count(0)
    page.get_by_label("Name").fill("Rooftop and chiller care")
    page.get_by_label("Starts on").fill("2026-01-01")
    page.get_by_label("Ends on").fill(ends.isoformat())
    page.get_by_label("North Campus (N)").check()
    page.get_by_label("Chiller CH-1 (North Campus, NW-N-001)").check()
    page.get_by_label("Visits per year").fill("4")
    page.get_by_label("Response time (hours)").fill("8")
    screenshot(page, "contract-form")
    page.get_by_role("button", name="Create contract").click()

    contract = Contract.objects.get()
    expect(page).to_have_url(re.compile(rf"/contracts/{contract.pk}/$"))
    expect(
        page.get_by_text(f"Contract {contract.number} “Rooftop and chiller care” created.")
    ).to_be_visible()
    expect(page.locator("#contract-status")).to_have_text("Active")
    expect(page.locator("#coverage").get_by_role("link", name="North Campus")).to_be_visible()
    expect(page.locator("#coverage").get_by_role("link", name="Chiller CH-1")).to_be_visible()
    expect(page.locator("#response-hours")).to_have_text("8 hours")
    screenshot(page, "contract-detail")
    assert (list(contract.locations.all()), list(contract.assets.all())) == ([north], [chiller])

    # The customer's page lists it, and it is among the contracts ending within 60 days.
    page.get_by_role("link", name="Northwind Hospitals").first.click()
    section = page.locator("#contracts")
    expect(section.get_by_role("link", name=contract.number)).to_be_visible()
    expect(section.get_by_text("North Campus, Chiller CH-1")).to_be_visible()
    screenshot(page, "contract-customer-page")
    page.goto("/contracts/")
    page.get_by_role("link", name="Ending within 60 days").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contracts ending within 60 days")
    expect(page.get_by_role("link", name=contract.number)).to_be_visible()

    # The contract's pages fit a phone screen.
    page.set_viewport_size({"width": 360, "height": 780})
    for name, url in (("phone-contract", f"/contracts/{contract.pk}/"), ("phone-contracts", "/contracts/")):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide"
        screenshot(page, name)


def test_choosing_the_customer_offers_its_places_without_a_reload(signed_in, northwind):
    page = signed_in
    customer, _, _ = northwind
    page.goto("/contracts/new/")
    expect(page.get_by_label("North Campus (N)")).to_have_count(0)
    page.evaluate("window.__noReload = true")
    page.get_by_label("Customer").select_option(str(customer.pk))
    expect(page.get_by_label("North Campus (N)")).to_be_visible()
    assert page.evaluate("window.__noReload === true")
    expect(page).to_have_url(re.compile(rf"customer={customer.pk}"))


def test_a_new_work_order_gets_the_contract_covering_it_and_shows_it(signed_in, northwind):
    """The wizard names the contract the rules choose; the new work order's page shows it, and the
    contract's page lists the work order."""
    page = signed_in
    customer, north, chiller = northwind
    everywhere = ContractFactory(customer=customer, name="Portfolio care", response_hours=24)
    chiller_care = ContractFactory(customer=customer, name="Chiller care", assets=[chiller], response_hours=4)
    page.goto(f"/work-orders/new/?customer={customer.pk}&location={north.pk}&asset={chiller.pk}")
    expect(page.locator("#resolved-contract")).to_contain_text(f"{chiller_care.number} Chiller care")
    page.get_by_label("Summary").fill("Chiller trips on high head pressure")
    page.get_by_role("button", name="Open work order").click()

    work_order = WorkOrder.objects.get()
    expect(page).to_have_url(re.compile(rf"/work-orders/{work_order.pk}/$"))
    contract = page.locator("#contract")
    expect(contract.get_by_role("link", name=chiller_care.number)).to_be_visible()
    expect(contract).to_contain_text("Chiller care")
    expect(page.locator("#contract-response")).to_have_text("On site within 4 hours of a call")
    screenshot(page, "work-order-contract")
    assert work_order.contract == chiller_care and everywhere.work_orders.count() == 0

    contract.get_by_role("link", name=chiller_care.number).click()
    expect(page).to_have_url(re.compile(rf"/contracts/{chiller_care.pk}/$"))
    expect(page.locator("#work-orders").get_by_role("link", name=work_order.number)).to_be_visible()
