"""The contact form says "looks like …" as the user types a name that an existing contact of the
customer has in another form (Bob, Robert), in a real Chromium; the Duplicate action's copy is
told of its original."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_new_contact_form_warns_of_a_likely_duplicate(signed_in):
    page = signed_in
    customer = CustomerFactory(name="Northwind Hospitals")
    robert = ContactFactory(
        customer=customer, first_name="Robert", last_name="Smith", email="rs@northwind.example"
    )
    page.goto(f"/contacts/new/?customer={customer.pk}")
    hint = page.locator("#duplicate-hint")
    expect(hint).to_be_empty()
    page.get_by_label("First name").fill("Bob")
    page.get_by_label("Last name").press_sequentially("Smith")
    expect(hint).to_contain_text("Looks like a contact already here")
    expect(hint.get_by_role("link", name="Robert Smith")).to_have_attribute("href", f"/contacts/{robert.pk}/")
    expect(hint).to_contain_text("Bob and Robert are forms of one first name.")
    screenshot(page, "contact_duplicate_hint")

    page.goto(f"/contacts/{robert.pk}/")
    page.get_by_role("button", name="Duplicate").click()
    expect(page.locator("#duplicate-hint")).to_contain_text("Robert Smith")
