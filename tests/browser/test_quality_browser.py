"""The data-quality dashboard in a real Chromium: a finding is listed with its rule's count, its
Fix link opens the page that fixes it, and once fixed it is gone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_finding_is_fixed_from_the_dashboard(signed_in):
    page = signed_in
    customer = CustomerFactory(
        name="Northwind Hospitals", billing_address={"street": "1 Main St", "city": "Reno"}
    )
    site = LocationFactory(customer=customer, name="North Campus")
    contact = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        is_primary=True,
        role_billing=True,
        role_site=True,
        locations=[site],
    )
    page.goto("/quality/")
    rule = page.get_by_role(
        "link", name="Primary, approver or emergency contact without a mobile number", exact=True
    )
    expect(page.get_by_role("row").filter(has=rule).get_by_role("cell", name="1", exact=True)).to_be_visible()
    rule.click()
    row = page.get_by_role("row").filter(has_text="Mike Johnson")
    expect(row).to_contain_text("without a mobile number")
    expect(row.get_by_role("link", name="Northwind Hospitals")).to_be_visible()
    screenshot(page, "quality_dashboard")

    row.get_by_role("link", name="Fix").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/edit/")
    page.get_by_label("Mobile").fill("(312) 555-0199")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    assert Contact.objects.get(pk=contact.pk).mobile == "+13125550199"

    page.goto("/quality/?rule=key_contact_without_mobile")
    expect(page.get_by_text("None of this kind")).to_be_visible()
