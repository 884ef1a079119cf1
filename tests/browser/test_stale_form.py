"""A staff user saves a contact form while someone else changed the contact through the API: the
save is refused with the change shown, the input is kept, and saving again applies it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from clientbase.contacts.models import Contact
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_saving_a_contact_changed_meanwhile_through_the_api_is_refused_with_the_change(signed_in):
    page = signed_in
    customer = CustomerFactory(name="Northwind Hospitals")
    contact = ContactFactory(customer=customer, first_name="Mike", last_name="Johnson", title="Technician")
    page.goto(f"/contacts/{contact.pk}/edit/")
    page.get_by_label("Title").fill("Lead technician")

    # Meanwhile, someone else renames the contact through the API.
    api = APIClient()
    api.force_authenticate(UserFactory(username="morgan", is_superuser=True))
    response = api.patch(f"/api/v1/contacts/{contact.pk}/", {"last_name": "Johnson-Lee"}, format="json")
    assert response.status_code == 200

    page.get_by_role("button", name="Save").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("was changed by someone else since you opened this form")
    expect(alert).to_contain_text("Johnson → Johnson-Lee")
    expect(alert).to_contain_text("morgan")
    expect(page.get_by_label("Title")).to_have_value("Lead technician")
    expect(page.get_by_label("Last name")).to_have_value("Johnson-Lee")
    screenshot(page, "contact_form_stale")
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.title, stored.last_name, stored.version) == ("Technician", "Johnson-Lee", 2)

    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact “Mike Johnson-Lee” saved.")).to_be_visible()
    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.title, stored.last_name, stored.version) == ("Lead technician", "Johnson-Lee", 3)
