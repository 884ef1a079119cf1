"""A quote in a real Chromium: written from the customer's page, sent to the approvers, approval
recorded on behalf of the approver contact; its pages at phone width."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from clientbase.notifications.models import Message
from clientbase.workorders.models import Quote
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def northwind(transactional_db):
    """A customer with an approver whose limit covers the quote, and a billing contact."""
    customer = CustomerFactory(name="Northwind Hospitals")
    david = ContactFactory(
        customer=customer,
        first_name="David",
        last_name="Chen",
        title="Facilities Manager",
        role_approver=True,
        notify_quotes=True,
        approval_limit=Decimal("10000.00"),
    )
    ContactFactory(customer=customer, first_name="Susan", last_name="Williams", role_billing=True)
    return customer, david


def test_a_quote_is_written_from_the_customer_page_sent_and_approved(signed_in, northwind):
    page = signed_in
    customer, david = northwind
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#quotes").get_by_role("link", name="New quote").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New quote")
    expect(page.get_by_label("Customer")).to_have_value(str(customer.pk))
    page.get_by_label("Amount").fill("8500.00")
    screenshot(page, "quote-form")
    page.get_by_role("button", name="Create quote").click()

    quote = Quote.objects.get()
    expect(page).to_have_url(re.compile(rf"/quotes/{quote.pk}/$"))
    expect(page.get_by_text(f"Quote {quote.number} created as a draft")).to_be_visible()
    expect(page.locator("#quote-status")).to_have_text("Draft")
    expect(page.get_by_role("heading", name="Who will be notified")).to_be_visible()
    page.get_by_role("button", name="Send to the approvers").click()

    expect(
        page.get_by_text(f"Quote {quote.number} sent to the approvers: 1 message written.")
    ).to_be_visible()
    expect(page.locator("#quote-status")).to_have_text("Sent")
    message = Message.objects.get()
    expect(page.get_by_role("link", name=message.subject)).to_have_attribute("href", f"/outbox/{message.pk}/")
    page.get_by_label("Approved by").select_option(label="David Chen (Facilities Manager) · limit $10,000.00")
    screenshot(page, "quote-approval")
    page.get_by_role("button", name="Record approval").click()

    expect(page.get_by_text(f"Quote {quote.number} approved by David Chen.")).to_be_visible()
    expect(page.locator("#quote-status")).to_have_text("Approved")
    expect(page.locator("#approved-by")).to_have_text("David Chen")
    screenshot(page, "quote-approved")
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by_id, quote.amount) == ("approved", david.pk, Decimal("8500.00"))

    # The quote's pages fit a phone screen.
    page.set_viewport_size({"width": 360, "height": 780})
    for name, url in (("phone-quote", f"/quotes/{quote.pk}/"), ("phone-quotes", "/quotes/")):
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{url} is {width}px wide"
        screenshot(page, name)
