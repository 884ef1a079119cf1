"""The staff pages in a real Chromium: sign-in, live search, add a contact from a customer page,
make primary inline, delete with confirmation, markup in names rendered inert, a phone-width page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from tests.browser.conftest import PASSWORD, screenshot, sign_in
from tests.factories import AssetFactory, AssetPartFactory, ContactFactory, CustomerFactory, LocationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def northwind(transactional_db):
    """A customer with two sites, equipment, a primary contact and a site contact."""
    customer = CustomerFactory(
        name="Northwind Hospitals", phone="+13125550100", email="office@northwind.example"
    )
    north = LocationFactory(customer=customer, name="North Campus", code="N", address={"city": "Evanston"})
    LocationFactory(customer=customer, name="South Campus", code="S")
    AssetPartFactory(asset=AssetFactory(location=north, name="Chiller CH-1"), name="Compressor motor")
    david = ContactFactory(
        customer=customer,
        first_name="David",
        last_name="Chen",
        title="Facilities Manager",
        role_approver=True,
        is_primary=True,
        phone="+13125550142",
    )
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        title="Facilities Technician",
        role_site=True,
        phone="+13125550156",
        locations=[north],
        reports_to=david,
    )
    return customer, north, david, mike


def mark_page(page):
    """Put a marker on the window: it survives htmx swaps, not a page load."""
    page.evaluate("window.__noReload = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_staff_sign_in_and_out(page, staff):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    screenshot(page, "login")
    page.get_by_label("Username").fill(staff.username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("searchbox", name="Search")).to_be_focused()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def test_search_as_you_type_finds_a_contact_by_phone_digits_in_another_format(signed_in, northwind):
    page = signed_in
    mark_page(page)
    box = page.get_by_role("searchbox", name="Search")
    box.press_sequentially("312.555.0156", delay=20)  # stored as +13125550156
    result = page.get_by_role("link", name=re.compile("Mike Johnson"))
    expect(result).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 result for “312.555.0156”.")
    expect(page).to_have_url(re.compile(r"\?q=312\.555\.0156$"))
    assert still_same_page(page), "the results came without a page load"
    screenshot(page, "search")
    # Keyboard: ↓ to the first result, Enter opens it.
    box.press("ArrowDown")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mike Johnson")
    expect(page.get_by_role("link", name="+1 312-555-0156")).to_have_attribute("href", "tel:+13125550156")
    screenshot(page, "contact")


def test_creating_a_contact_from_a_customer_page(signed_in, northwind):
    page = signed_in
    customer, north, _, _ = northwind
    page.goto(f"/customers/{customer.pk}/")
    screenshot(page, "customer")
    page.locator("#contacts").get_by_role("link", name="Add contact").click()
    expect(page.get_by_label("Customer", exact=True)).to_have_value(str(customer.pk))
    page.get_by_label("First name").fill("Susan")
    page.get_by_label("Last name").fill("Williams")
    page.get_by_label("Title").fill("Accounts Payable Coordinator")
    page.get_by_label("Billing: invoices and payments").check()
    page.get_by_label("North Campus").check()
    page.get_by_label("E-mail", exact=True).fill("ap@northwind.example")
    page.get_by_label("Phone", exact=True).fill("(312) 555-0121")
    screenshot(page, "contact_form")
    page.get_by_role("button", name="Create contact").click()
    expect(page.get_by_text("Contact “Susan Williams” created.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Susan Williams")
    contact = Contact.objects.get(last_name="Williams")
    assert contact.customer == customer
    assert contact.phone == "+13125550121"
    assert list(contact.locations.all()) == [north]
    assert contact.notify["invoices"] is True


def test_make_primary_moves_the_flag_in_place(signed_in, northwind):
    page = signed_in
    customer, _, david, mike = northwind
    page.goto(f"/customers/{customer.pk}/")
    mark_page(page)
    mike_row, david_row = page.locator(f"#contact-row-{mike.pk}"), page.locator(f"#contact-row-{david.pk}")
    expect(david_row.get_by_text("Primary", exact=True)).to_be_visible()
    mike_row.get_by_role("button", name="Make primary").click()
    expect(mike_row.get_by_text("Primary", exact=True)).to_be_visible()
    expect(david_row.get_by_text("Primary", exact=True)).to_have_count(0)
    expect(david_row.get_by_role("button", name="Make primary")).to_be_visible()
    expect(page.locator("#messages")).to_contain_text("Mike Johnson is now the primary contact")
    assert still_same_page(page), "the rows were swapped without a page load"
    mike.refresh_from_db()
    david.refresh_from_db()
    assert mike.is_primary and not david.is_primary


def test_delete_with_confirmation(signed_in, northwind):
    page = signed_in
    customer, _, david, mike = northwind
    page.goto(f"/contacts/{david.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete David Chen?")
    expect(page.get_by_text("Primary contact of Northwind Hospitals")).to_be_visible()
    expect(page.get_by_text("Mike Johnson")).to_be_visible()  # the direct report
    expect(page.get_by_text("history keeps its name")).to_be_visible()
    screenshot(page, "contact_delete")
    page.get_by_role("button", name="Delete contact").click()
    expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
    expect(page.get_by_text("Contact “David Chen” deleted.")).to_be_visible()
    assert not Contact.objects.filter(pk=david.pk).exists()
    mike.refresh_from_db()
    assert mike.reports_to is None


def test_markup_in_names_is_rendered_inert(signed_in, northwind):
    page = signed_in
    customer, _, _, _ = northwind
    script = "<script>window.__pwned = 'script'</script>"
    image = "<img src=x onerror=\"window.__pwned = 'img'\">"
    contact = ContactFactory(
        customer=customer, first_name=script, last_name=image, title="Markup tester", email="m@example.com"
    )
    for url in (
        "/contacts/",
        f"/contacts/{contact.pk}/",
        f"/customers/{customer.pk}/",
        f"/contacts/{contact.pk}/delete/",
    ):
        page.goto(url)
        expect(page.get_by_text(script).first).to_be_visible()
        assert page.evaluate("window.__pwned") is None, url
        assert page.locator("img[src=x]").count() == 0, url
    page.goto("/")
    page.get_by_role("searchbox", name="Search").press_sequentially("markup tester", delay=10)
    expect(page.get_by_role("link", name=re.compile("window.__pwned = 'script'"))).to_be_visible()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0


def test_pages_fit_a_phone_screen(browser, live_server, staff, northwind):
    customer, north, _, mike = northwind
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 780})
    page = context.new_page()
    try:
        sign_in(page, staff.username)
        for name, url in (
            ("phone_search", "/?q=campus"),
            ("phone_customer", f"/customers/{customer.pk}/"),
            ("phone_contact", f"/contacts/{mike.pk}/"),
            ("phone_location", f"/locations/{north.pk}/"),
            ("phone_contacts", "/contacts/"),
        ):
            page.goto(url)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"{url} is {width}px wide"
            screenshot(page, name)
        # Click-to-call works from the phone layout.
        page.goto(f"/contacts/{mike.pk}/")
        expect(page.get_by_role("link", name="+1 312-555-0156")).to_have_attribute("href", "tel:+13125550156")
    finally:
        context.close()


def test_the_pages_work_without_javascript(
    browser, live_server, staff, northwind, other_customer_for_browser
):
    customer, _, _, mike = northwind
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, staff.username)
        # Search: the button submits the form.
        page.get_by_role("searchbox", name="Search").fill("555 0156")
        page.get_by_role("button", name="Search", exact=True).click()
        expect(page.get_by_role("link", name=re.compile("Mike Johnson"))).to_be_visible()
        # Make primary: a plain form post, back to the page with a message.
        page.goto(f"/customers/{customer.pk}/")
        page.locator(f"#contact-row-{mike.pk}").get_by_role("button", name="Make primary").click()
        expect(page.get_by_text("Mike Johnson is now the primary contact")).to_be_visible()
        expect(page).to_have_url(re.compile(rf"/customers/{customer.pk}/$"))
        # Another customer in the contact form: a button reloads its locations, keeping the input.
        page.goto(f"/contacts/new/?customer={customer.pk}")
        page.get_by_label("Last name").fill("Keeps")
        page.get_by_label("Customer", exact=True).select_option(str(other_customer_for_browser.pk))
        page.get_by_role("button", name="Show this customer's locations").click()
        expect(page.get_by_label("Contoso HQ")).to_be_visible()
        expect(page.get_by_label("Last name")).to_have_value("Keeps")
        page.get_by_label("Contoso HQ").check()
        page.get_by_role("button", name="Create contact").click()
        expect(page.get_by_text("Contact “Keeps” created.")).to_be_visible()
    finally:
        context.close()
    mike.refresh_from_db()
    assert mike.is_primary
    assert Contact.objects.get(last_name="Keeps").customer == other_customer_for_browser


@pytest.fixture
def other_customer_for_browser(transactional_db):
    customer = CustomerFactory(name="Contoso Offices")
    LocationFactory(customer=customer, name="Contoso HQ")
    return customer


def test_the_customer_list_pages_forward_and_back_by_position(signed_in):
    page = signed_in
    for n in range(55):
        CustomerFactory(name=f"Customer {n:03d}")
    page.goto("/customers/")
    expect(page.get_by_role("link", name="Customer 049")).to_be_visible()
    page.get_by_role("link", name="Next →").click()
    expect(page).to_have_url(re.compile(r"cursor="))
    expect(page.get_by_role("link", name="Customer 054")).to_be_visible()
    expect(page.get_by_role("link", name="Customer 000")).to_have_count(0)
    page.get_by_role("link", name="← Previous").click()
    expect(page.get_by_role("link", name="Customer 000")).to_be_visible()
    expect(page.get_by_role("link", name="← Previous")).to_have_count(0)
