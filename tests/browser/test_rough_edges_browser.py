"""The staff pages' rough edges, in a real Chromium: "Make primary" shows the new primary in the
customer page's details; the contact list fits a 1280px screen without scrolling sideways; at phone
width the navigation reaches every section (behind a "Menu" button, or wrapped without JavaScript);
the contact form offers an approver's notification and warns when it is off; "Duplicate" opens a
filled-in form that saves nothing until submitted."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from clientbase.pages import navigation
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ContactFactory, CustomerFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def northwind(transactional_db):
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus")
    olaf = ContactFactory(customer=customer, first_name="Olaf", last_name="Old", is_primary=True)
    nina = ContactFactory(customer=customer, first_name="Nina", last_name="New", locations=[north])
    return customer, north, olaf, nina


def mark_page(page: Any) -> None:
    """A marker on the window: it survives htmx swaps, not a page load."""
    page.evaluate("window.__noReload = true")


# Make primary -------------------------------------------------------------------------------------


def test_make_primary_on_the_customer_page_shows_the_new_primary_in_its_details(signed_in, northwind):
    page = signed_in
    customer, _, olaf, nina = northwind
    page.goto(f"/customers/{customer.pk}/")
    card = page.locator("#customer-primary-contact")
    expect(card).to_have_text("Olaf Old")
    mark_page(page)
    page.locator(f"#contact-row-{nina.pk}").get_by_role("button", name="Make primary").click()
    expect(card).to_have_text("Nina New")
    expect(card.get_by_role("link", name="Nina New")).to_have_attribute("href", f"/contacts/{nina.pk}/")
    expect(page.locator(f"#contact-row-{nina.pk}").get_by_text("Primary", exact=True)).to_be_visible()
    assert page.evaluate("window.__noReload === true"), "swapped in place, without a page load"
    screenshot(page, "customer_primary_swapped")

    # And back again, from the row swapped in the first time.
    page.locator(f"#contact-row-{olaf.pk}").get_by_role("button", name="Make primary").click()
    expect(card).to_have_text("Olaf Old")
    assert Contact.objects.get(is_primary=True) == olaf


def test_make_primary_on_the_contact_page_shows_on_the_customer_page(signed_in, northwind):
    page = signed_in
    _, _, _, nina = northwind
    page.goto(f"/contacts/{nina.pk}/")
    page.get_by_role("button", name="Make primary").click()
    expect(page.locator("#messages")).to_contain_text("Nina New is now the primary contact")
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Northwind Hospitals").click()
    expect(page.locator("#customer-primary-contact")).to_have_text("Nina New")


# Layout -------------------------------------------------------------------------------------------


def test_the_contact_list_fits_a_1280_screen_with_every_column_in_view(signed_in, transactional_db):
    page = signed_in
    customer = CustomerFactory(name="St. Luke's Regional Health System, North Campus Facilities")
    sites = [LocationFactory(customer=customer, name=f"Building {n} East Wing Plant Room") for n in range(3)]
    for n in range(6):
        ContactFactory(
            customer=customer,
            first_name="Maximilian-Alexander",
            last_name=f"Vandenberghe-Oppenheimer{n}",
            title="Senior Facilities and Building Automation Manager",
            email=f"maximilian.alexander.vandenberghe{n}@stlukes-regional-health-system.example",
            phone="+13125550142",
            mobile="+13125550143;ext=1234",
            secondary_phone="+442071838750",
            role_site=True,
            role_billing=True,
            role_approver=True,
            role_requester=True,
            role_emergency=True,
            locations=sites,
        )
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/contacts/")
    wrap = page.locator("#results .table-wrap")
    expect(wrap).to_be_visible()
    scroll_width, client_width = wrap.evaluate("element => [element.scrollWidth, element.clientWidth]")
    assert scroll_width <= client_width, f"the list scrolls sideways: {scroll_width} > {client_width}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    box = wrap.bounding_box()
    headers = page.locator("#results thead th")
    assert headers.count() == 7  # name, customer, title, roles, phone, e-mail, actions
    for index in range(headers.count()):
        header = headers.nth(index)
        cell = header.bounding_box()
        assert cell is not None and cell["width"] > 0
        assert box["x"] <= cell["x"] and cell["x"] + cell["width"] <= box["x"] + box["width"] + 0.5, (
            header.text_content()
        )
        assert cell["x"] + cell["width"] <= 1280
    for name in ("Name", "Customer", "Title", "Roles", "Phone", "E-mail"):
        expect(page.get_by_role("columnheader", name=name, exact=True)).to_be_visible()
    # The last column's buttons are in view too.
    expect(page.get_by_role("button", name=re.compile("^Make primary")).first).to_be_in_viewport()
    screenshot(page, "contact_list_1280")


def nav_labels(staff: Any) -> list[str]:
    return ["Search", *(item["label"] for item in navigation(staff)["items"])]


def test_at_phone_width_a_menu_button_reaches_every_section(browser, live_server, staff):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, staff.username)
    labels = nav_labels(staff)
    assert len(labels) > 5
    nav = page.get_by_role("navigation", name="Main")
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_have_attribute("aria-controls", "main-nav-list")
    expect(nav.get_by_role("link", name=labels[1], exact=True)).to_be_hidden()

    # By keyboard: the button opens the navigation, Escape closes it and keeps the focus.
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav.get_by_role("link", name=labels[-1], exact=True)).to_be_visible()
    screenshot(page, "phone_menu_open")
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")

    for label in labels:
        page.goto("/contacts/")  # each section from the same page: the menu folded again
        expect(toggle).to_have_attribute("aria-expanded", "false")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        toggle.click()
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_in_viewport()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
        href = link.get_attribute("href")
        link.click()
        expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    context.close()


def test_at_phone_width_without_javascript_the_navigation_wraps_in_view(browser, live_server, staff):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, staff.username)
    expect(page.get_by_role("button", name="Menu")).to_have_count(0)  # hidden: nothing to fold
    nav = page.get_by_role("navigation", name="Main")
    labels = nav_labels(staff)
    for label in labels:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, label
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    href = nav.get_by_role("link", name=labels[-1], exact=True).get_attribute("href")
    nav.get_by_role("link", name=labels[-1], exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(href) + "$"))
    context.close()


# Roles and notifications --------------------------------------------------------------------------


def test_the_edit_form_offers_the_approvers_notification_and_warns_when_it_is_off(signed_in, northwind):
    page = signed_in
    _, _, _, nina = northwind
    Contact.objects.filter(pk=nina.pk).update(
        role_site=True, notify_work_orders=True, notify_completions=True
    )
    page.goto(f"/contacts/{nina.pk}/edit/")
    from_roles = page.get_by_label("Notify as the roles suggest")
    quotes = page.get_by_role("group", name="Notifications").get_by_label("Quotes")
    warning = page.locator("#notify-warning")
    expect(warning).to_have_attribute("role", "status")
    expect(from_roles).to_be_checked()
    expect(quotes).not_to_be_checked()

    page.get_by_role("checkbox", name=re.compile("Approval authority")).check()
    expect(quotes).to_be_checked()  # the approver's notification, as on the new-contact form
    expect(warning).to_be_empty()
    quotes.uncheck()  # chosen by hand: that choice counts
    expect(from_roles).not_to_be_checked()
    expect(warning).to_contain_text("An approver who is not notified about quotes")
    screenshot(page, "contact_form_approver_warning")
    quotes.check()
    expect(warning).to_be_empty()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Contact “Nina New” saved.")).to_be_visible()
    nina.refresh_from_db()
    assert nina.roles == ["site", "approver"] and nina.notify_quotes


# Duplicate ----------------------------------------------------------------------------------------


def test_duplicate_opens_a_filled_in_form_that_saves_only_when_submitted(signed_in, northwind):
    page = signed_in
    customer, north, _, nina = northwind
    Contact.objects.filter(pk=nina.pk).update(title="Charge Nurse", role_site=True)
    page.goto(f"/contacts/{nina.pk}/")
    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy of Nina New")
    assert Contact.objects.count() == 2, "opening the copy saves nothing"
    expect(page.get_by_label("Last name")).to_have_value("New")
    expect(page.get_by_label("Title")).to_have_value("Charge Nurse")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value("")
    expect(page.get_by_label("North Campus")).to_be_checked()
    # The "looks like …" hint of the new-contact form names the original.
    expect(page.locator("#duplicate-hint").get_by_role("link", name="Nina New")).to_have_attribute(
        "href", f"/contacts/{nina.pk}/"
    )
    screenshot(page, "contact_duplicate_form")
    page.get_by_label("First name").fill("Noor")
    page.get_by_label("E-mail", exact=True).fill("noor@northwind.example")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Noor New")
    copy = Contact.objects.get(first_name="Noor")
    assert (copy.customer, copy.title, copy.roles) == (customer, "Charge Nurse", ["site"])
    assert list(copy.locations.all()) == [north]
