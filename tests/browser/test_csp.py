"""The Content Security Policy in a real Chromium: the main staff pages (live search included), the
outbox with a hostile mail, the Django admin, the API docs and the portal pages work under it and
provoke no violation; markup in a work order's summary never runs on the message page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from clientbase.notifications.models import Message
from clientbase.workorders import services as workorder_services
from tests.browser.conftest import PASSWORD, sign_in
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOSTILE_SUMMARY = "<img src=x onerror=alert(1)>"
HOSTILE_DESCRIPTION = '"><script>alert(2)</script><svg onload=alert(3)>'


class Watch:
    """What the browser reports while a test runs: policy violations, script errors, dialogs."""

    def __init__(self, page: Any) -> None:
        self.violations: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("dialog", self._dialog)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def assert_clean(self) -> None:
        assert self.violations == []
        assert self.errors == []
        assert self.dialogs == []


@pytest.fixture
def scene(transactional_db, staff):
    """A customer with a site contact, and a work order whose summary and description hold markup,
    with its message in the outbox."""
    customer = CustomerFactory(name="Northwind Hospitals", phone="+13125550100")
    north = LocationFactory(customer=customer, name="North Campus")
    unit = AssetFactory(location=north, name="Chiller CH-1")
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        email="mike@northwind.example",
        role_site=True,
        notify_work_orders=True,
        phone="+13125550156",
    )
    work_order = workorder_services.create_work_order(
        acting_user=staff,
        data={
            "customer": customer,
            "location": north,
            "asset": unit,
            "summary": HOSTILE_SUMMARY,
            "description": HOSTILE_DESCRIPTION,
        },
    )
    message = Message.objects.get(contact=mike)
    return {"customer": customer, "contact": mike, "work_order": work_order, "message": message}


def test_a_hostile_mail_body_never_runs_on_the_message_page(page, staff, scene):
    watch = Watch(page)
    sign_in(page, staff.username)
    page.goto(f"/outbox/{scene['message'].pk}/")
    expect(page.locator("pre.notes")).to_contain_text(HOSTILE_SUMMARY)  # shown as text
    page.get_by_text("As HTML").click()
    frame = page.frame_locator("iframe.mail-frame")
    expect(frame.get_by_role("heading", name=re.compile("img src=x onerror"))).to_be_visible()
    expect(frame.get_by_text("alert(2)", exact=False)).to_be_visible()
    page.wait_for_timeout(300)  # give any injected handler its chance to fire
    assert page.evaluate("document.querySelectorAll('main img, main svg').length") == 0
    watch.assert_clean()


def test_the_main_staff_pages_work_under_the_policy(page, staff, scene):
    watch = Watch(page)
    sign_in(page, staff.username)

    # Live search (htmx) still works.
    page.goto("/")
    page.get_by_role("searchbox").fill("Johnson")
    result = page.get_by_role("link", name=re.compile("Mike Johnson"))
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"\?q=Johnson"))

    for url in (
        f"/customers/{scene['customer'].pk}/",
        f"/contacts/{scene['contact'].pk}/",
        f"/work-orders/{scene['work_order'].pk}/",
        "/contacts/",
        "/outbox/",
        f"/outbox/{scene['message'].pk}/",
        "/imports/new/",
    ):
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()

    # The outbox's filters swap the results in (htmx).
    page.goto("/outbox/")
    page.get_by_label("Status").select_option("sent")
    expect(page.get_by_text("No messages match.")).to_be_visible()

    # The Django admin.
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"/admin/contacts/contact/{scene['contact'].pk}/change/")
    expect(page.get_by_role("heading", name=re.compile("View contact"))).to_be_visible()
    page.goto("/admin/notifications/message/")
    expect(page.get_by_role("heading", name=re.compile("message to view", re.I))).to_be_visible()

    # The API docs: Swagger UI renders the operations.
    page.goto("/api/docs/")
    expect(page.locator(".opblock").first).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/contacts/").first).to_be_visible()

    # The browsable API (an API URL opened in the browser).
    page.goto("/api/v1/customers/")
    expect(page.get_by_text("Northwind Hospitals").first).to_be_visible()

    watch.assert_clean()


def test_the_portal_pages_work_under_the_policy(page, scene):
    watch = Watch(page)
    user = UserFactory(username="rita@northwind.example", email="rita@northwind.example", is_staff=False)
    ContactFactory(
        customer=scene["customer"],
        first_name="Rita",
        last_name="Request",
        email="rita@northwind.example",
        portal_enabled=True,
        portal_permissions=["admin"],
        user=user,
    )
    page.goto("/portal/login/")
    page.get_by_label("E-mail address").fill("rita@northwind.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Rita")).to_be_visible()
    for url in ("/portal/contacts/", "/portal/work-orders/", "/portal/billing/", "/portal/reports/"):
        page.goto(url)
        expect(page.locator("main h1").first).to_be_visible()
    expect(page.locator("svg.chart__bar").first).to_be_visible()  # drawn without a style attribute
    # The delete confirmation pop-up (portal.js) still opens.
    page.goto("/portal/contacts/")
    page.get_by_role("link", name="Delete Mike Johnson").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    watch.assert_clean()
