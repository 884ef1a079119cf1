"""Merging duplicate contacts in a real Chromium: from the customer page's likely duplicates to the
merge page, choosing a value of the other contact, previewing, confirming, and undoing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from tests.browser.conftest import screenshot
from tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_duplicate_is_merged_and_the_merge_undone(signed_in):
    page = signed_in
    customer = CustomerFactory(name="Northwind Hospitals")
    robert = ContactFactory(customer=customer, first_name="Robert", last_name="Smith")
    bob = ContactFactory(customer=customer, first_name="Bob", last_name="Smith", mobile="+13125550142")

    page.goto(f"/customers/{customer.pk}/")
    # The pair's link names both, for a screen reader's list of links.
    page.get_by_role("link", name="Merge… Bob Smith into Robert Smith").click()
    page.wait_for_url(f"**/contacts/merge/?contacts={robert.pk},{bob.pk}")
    expect(page.get_by_role("heading", name="Merge contacts")).to_be_visible()
    expect(page.get_by_role("radio", name="Keep Robert Smith")).to_be_checked()
    mobile = page.get_by_role("radio", name="Mobile of Bob Smith: +1 312-555-0142")
    expect(mobile).to_be_checked()  # the kept contact has none: the other's by default
    page.get_by_role("radio", name="Mobile of Robert Smith: empty").check()
    mobile.check()  # chosen by hand too: keyboard and mouse reach every cell
    screenshot(page, "merge_choose")

    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Merge Bob Smith into Robert Smith?")).to_be_visible()
    expect(page.locator("#merge-result")).to_contain_text("+1 312-555-0142 from Bob Smith")
    assert Contact.objects.filter(pk=bob.pk).exists()  # nothing merged yet
    screenshot(page, "merge_preview")

    page.get_by_role("button", name="Confirm merge").click()
    expect(page.get_by_text("Merged Bob Smith into Robert Smith.")).to_be_visible()
    assert not Contact.objects.filter(pk=bob.pk).exists()
    assert Contact.objects.get(pk=robert.pk).mobile == "+13125550142"
    screenshot(page, "merge_detail")

    page.get_by_role("button", name="Undo merge").click()
    expect(page.get_by_text("Merge undone.")).to_be_visible()
    expect(page.get_by_role("button", name="Undo merge")).to_have_count(0)
    assert Contact.objects.get(pk=bob.pk).mobile == "+13125550142"
    assert Contact.objects.get(pk=robert.pk).mobile == ""
