"""A dispatcher confirms a contact's details from its page in a real Chromium: the button posts,
the page comes back saying so, with the date and who confirmed."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientbase import groups
from clientbase.contacts.models import Contact
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_confirms_a_contacts_details_from_its_page(page, transactional_db):
    dispatcher = UserFactory(username="dispatcher", groups=[groups.DISPATCHER])
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, first_name="Mike", last_name="Johnson")
    sign_in(page, dispatcher.username)
    page.goto(f"/contacts/{contact.pk}/")
    confirmed = page.locator("#details-confirmed")
    expect(confirmed).to_have_text("Never confirmed")

    page.get_by_role("button", name="Confirm details").click()

    expect(page.get_by_text("Details confirmed.")).to_be_visible()
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.details_confirmed_by_id == dispatcher.pk and stored.details_confirmed_at is not None
    shown = timezone.localtime(stored.details_confirmed_at).strftime("%Y-%m-%d %H:%M")
    expect(confirmed).to_have_text(f"{shown} by dispatcher")
    screenshot(page, "contact_details_confirmed")
