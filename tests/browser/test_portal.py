"""The customer portal in a real Chromium, end to end: staff grant portal access in the staff
form, the invitation goes out over real SMTP (aiosmtpd, delivered by the outbox worker), the
contact chooses a password through the mailed link, signs in, adds, edits and deletes a colleague
(with the confirmation pop-up) and cannot delete itself; a sign-in after the support end is
refused; another customer's contact probed by id is a 404."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clientbase.contacts.models import Contact
from clientbase.notifications import delivery
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ContactFactory, CustomerFactory, LocationFactory, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 (fixtures)
from tests.workorders.factories import WorkOrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PORTAL_PASSWORD = "quiet-meadow-lantern-58"


@pytest.fixture
def northwind(transactional_db):
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus")
    LocationFactory(customer=customer, name="South Campus")
    mia = ContactFactory(
        customer=customer,
        salutation="Ms.",
        first_name="Mia",
        last_name="Wong",
        title="Office Manager",
        email="mia@northwind.example",
        phone="+13125550123",
    )
    ContactFactory(
        customer=customer,
        salutation="Mr.",
        first_name="Bob",
        last_name="Builder",
        email="bob@northwind.example",
        phone="+13125550188",
        locations=[north],
    )
    return customer, mia


@pytest.fixture
def contoso_contact(transactional_db):
    return ContactFactory(
        customer=CustomerFactory(name="Contoso Offices"), first_name="Olga", last_name="Outsider"
    )


def deliver_all() -> None:
    while delivery.process_due(worker="browser-tests"):
        pass


def portal_user(customer, permissions, email, **fields) -> Contact:
    contact = ContactFactory(
        customer=customer, email=email, portal_enabled=True, portal_permissions=permissions, **fields
    )
    user = UserFactory(username=email, email=email, is_staff=False)
    user.set_password(PORTAL_PASSWORD)
    user.save()
    contact.user = user
    contact.save(update_fields=["user"])
    return contact


def portal_sign_in(page, email: str, password: str = PORTAL_PASSWORD) -> None:
    page.goto("/portal/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_invitation_to_password_to_sign_in_to_managing_colleagues(
    browser,
    live_server,
    page,
    staff,
    northwind,
    smtp_server,  # noqa: F811 (the fixture)
):
    customer, mia = northwind

    # Staff grant Mia portal access in the staff contact form.
    sign_in(page, staff.username)
    page.goto(f"/contacts/{mia.pk}/edit/")
    page.get_by_label("Customer portal access").check()
    page.get_by_label(re.compile("Admin")).check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{mia.pk}/$"))

    # The invitation goes out over SMTP; it carries a link, never a password.
    deliver_all()
    [email] = smtp_server.received
    assert email["To"] == "Mia Wong <mia@northwind.example>"
    body = email.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/portal/set-password/\S+/", body).group(0)
    assert link.startswith(live_server.url)

    # Mia, in her own browser, chooses her password through the link, then signs in.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    mine = context.new_page()
    mine.set_default_timeout(10_000)
    mine.goto(link)
    expect(mine.get_by_role("heading", name="Choose your password")).to_be_visible()
    mine.get_by_label(re.compile(r"^New password(?! confirmation)")).fill(PORTAL_PASSWORD)
    mine.get_by_label(re.compile(r"^New password confirmation")).fill(PORTAL_PASSWORD)
    mine.get_by_role("button", name="Set my password").click()
    expect(mine.get_by_text("Your password is set.")).to_be_visible()
    screenshot(mine, "portal-login")
    mine.get_by_label("E-mail address").fill("Mia@Northwind.example")
    mine.get_by_label("Password").fill(PORTAL_PASSWORD)
    mine.get_by_role("button", name="Sign in").click()
    expect(mine.get_by_role("heading", name="Welcome, Mia")).to_be_visible()
    screenshot(mine, "portal-home")

    # The contacts page: the product's columns, her colleagues, no one else's.
    mine.get_by_role("navigation", name="Portal").get_by_role("link", name="Contacts").click()
    table = mine.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_text(["Title", "Name", "Phone", "E-mail", "Actions"])
    expect(table.get_by_role("row", name=re.compile("Bob Builder"))).to_contain_text("+1 312-555-0188")
    screenshot(mine, "portal-contacts")

    # Add a colleague with a portal permission level.
    mine.get_by_role("link", name="Add Contact").click()
    mine.get_by_label("Title", exact=True).fill("Dr.")
    mine.get_by_label("First name").fill("Nina")
    mine.get_by_label("Last name").fill("Newman")
    mine.get_by_label("E-mail").fill("nina@northwind.example")
    mine.get_by_label("Phone", exact=True).fill("(312) 555-0177")
    mine.get_by_label("Customer portal access").check()
    mine.get_by_label(re.compile("Access billing")).check()
    screenshot(mine, "portal-contact-form")
    mine.get_by_role("button", name="Save").click()
    expect(mine.get_by_text("Nina Newman was added and will receive an e-mail")).to_be_visible()
    nina = Contact.objects.get(email="nina@northwind.example")
    assert nina.customer_id == customer.pk and nina.portal_permissions == ["billing"]

    # Edit her.
    mine.get_by_role("link", name="Edit").first.click()
    mine.get_by_label("Job title").fill("Head of Maintenance")
    mine.get_by_role("button", name="Save").click()
    expect(mine.get_by_text("Your changes to Nina Newman were saved.")).to_be_visible()
    expect(mine.get_by_role("heading", level=1)).to_contain_text("Nina Newman")

    # Delete her, after the confirmation pop-up (No keeps her, Yes deletes).
    mine.get_by_role("navigation", name="Portal").get_by_role("link", name="Contacts").click()
    mine.get_by_role("link", name="Delete Nina Newman").click()
    dialog = mine.get_by_role("dialog", name="Confirm Delete")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Nina Newman")
    dialog.get_by_role("button", name="No, keep").click()
    expect(dialog).to_be_hidden()
    assert Contact.objects.filter(pk=nina.pk).exists()
    mine.get_by_role("link", name="Delete Nina Newman").click()
    dialog.get_by_role("button", name="Yes, delete").click()
    expect(mine.get_by_text("Nina Newman was deleted.")).to_be_visible()
    assert not Contact.objects.filter(pk=nina.pk).exists()

    # Her own row offers no Delete; asking for it anyway is refused.
    own_row = mine.get_by_role("row", name=re.compile("Mia Wong"))
    expect(own_row.get_by_role("link", name=re.compile("^Delete"))).to_have_count(0)
    expect(own_row).to_contain_text("Delete unavailable")
    mine.goto(f"/portal/contacts/{mia.pk}/delete/")
    expect(mine.get_by_text("You cannot delete yourself.")).to_be_visible()
    assert Contact.objects.filter(pk=mia.pk).exists()
    context.close()


def test_sign_in_after_the_support_end_is_refused(page, northwind):
    customer, _ = northwind
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    portal_user(customer, ["admin"], "late@northwind.example", support_end=yesterday)
    portal_sign_in(page, "late@northwind.example")
    expect(page.get_by_role("alert")).to_contain_text("Your portal access ended on")
    expect(page).to_have_url(re.compile(r"/portal/login/$"))


def test_another_customers_contact_probed_by_id_is_not_found(page, northwind, contoso_contact):
    customer, _ = northwind
    portal_user(customer, ["admin"], "ada@northwind.example", first_name="Ada")
    portal_sign_in(page, "ada@northwind.example")
    expect(page.get_by_role("heading", name="Welcome, Ada")).to_be_visible()
    for path in (f"/portal/contacts/{contoso_contact.pk}/", f"/portal/contacts/{contoso_contact.pk}/edit/"):
        response = page.goto(path)
        assert response.status == 404
        expect(page.get_by_role("heading", name="Not found")).to_be_visible()
        expect(page.get_by_text("Olga")).to_have_count(0)


def test_the_portal_at_phone_width(browser, live_server, northwind):
    customer, _ = northwind
    portal_user(customer, ["admin"], "pat@northwind.example", first_name="Pat")
    north, south = customer.locations.order_by("name")
    for location, status in ((north, "open"), (north, "open"), (north, "completed"), (south, "completed")):
        WorkOrderFactory(customer=customer, location=location, status=status)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    portal_sign_in(page, "pat@northwind.example")
    page.goto("/portal/contacts/")
    expect(page.get_by_role("row", name=re.compile("Bob Builder"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "portal-contacts-phone")
    page.goto("/portal/reports/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "portal-reports-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    expect(page.get_by_role("heading", name="Work orders per site")).to_be_visible()
    screenshot(page, "portal-reports")
    context.close()
