"""E-mail from the record in a real Chromium, end to end: a dispatcher writes to a contact from its
page, the page says it is queued and the mail shows in the contact's activity history; the outbox
worker delivers it over real SMTP (aiosmtpd) and the history then says it was sent. On the outbox's
message page the text wraps within the page and its web address is a link. From the customer page,
a dispatcher opens the form that writes to one of its contacts, chosen in a list that leaves out a
bounced address."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from clientbase import groups
from clientbase.contacts.models import Contact
from clientbase.notifications import delivery
from clientbase.notifications.models import Activity, Message
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ContactFactory, CustomerFactory, UserFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LONG_WORD = "Chiller" * 60  # one word far wider than the page, without a place to break it
BODY = (
    "Dear Ann,\n\nWe come on Monday at nine; the plan is at https://northwind.example/plans?site=4&floor=2.\n"
    f"{LONG_WORD}\n\nDispatch"
)


def deliver_all() -> None:
    while delivery.process_due(worker="browser-tests"):
        pass


@pytest.fixture
def ann(transactional_db):
    customer = CustomerFactory(name="Northwind Hospitals")
    return ContactFactory(
        customer=customer, first_name="Ann", last_name="Lee", email="ann.lee@northwind.example"
    )


def test_a_dispatcher_writes_to_a_contact_and_the_worker_delivers_it(
    page,
    staff,
    ann,
    smtp_server,  # noqa: F811 (the fixture)
):
    dispatcher = UserFactory(username="dispatcher", groups=[groups.DISPATCHER])
    sign_in(page, dispatcher.username)
    page.goto(f"/contacts/{ann.pk}/")

    # The compose form opens from the contact's e-mail section, without JavaScript of its own.
    section = page.locator("#activity")
    section.get_by_text("Send e-mail", exact=True).click()
    section.get_by_label("Subject").fill("Your visit on Monday")
    section.get_by_label("Text").fill(BODY)
    screenshot(page, "send_email_compose")
    section.get_by_role("button", name="Send", exact=True).click()

    page.wait_for_url(f"**/contacts/{ann.pk}/#activity")
    expect(page.get_by_text("E-mail to Ann Lee queued.")).to_be_visible()
    history = page.get_by_role("table", name="Activity of this contact")
    row = history.get_by_role("row").filter(has_text="Your visit on Monday")
    expect(row).to_contain_text("Message")
    expect(row).to_contain_text("Pending")
    expect(row).to_contain_text("dispatcher")
    screenshot(page, "send_email_queued")

    # The worker sends it over SMTP: as written, to the contact, replies to the dispatcher.
    deliver_all()
    [mail] = smtp_server.received
    assert mail["To"] == "Ann Lee <ann.lee@northwind.example>"
    assert mail["Subject"] == "Your visit on Monday"
    assert mail["Reply-To"] == dispatcher.email
    assert mail.get_body(("plain",)).get_content().replace("\r\n", "\n") == BODY + "\n"
    message = Message.objects.get()
    assert message.status == "sent"
    assert Activity.objects.filter(message=message).count() == 1

    page.reload()
    expect(history.get_by_role("row").filter(has_text="Your visit on Monday")).to_contain_text("Sent")

    # An administrator reads it in the outbox: the text wraps, its web address is a link.
    page.context.clear_cookies()
    sign_in(page, staff.username)
    page.goto(f"/outbox/{message.pk}/")
    text = page.locator("pre.notes")
    expect(text).to_contain_text("We come on Monday at nine")
    link = text.get_by_role("link", name="https://northwind.example/plans?site=4&floor=2")
    expect(link).to_have_attribute("href", "https://northwind.example/plans?site=4&floor=2")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert text.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    assert text.evaluate("e => e.scrollWidth <= e.clientWidth"), "the long line overflows the page"
    screenshot(page, "send_email_outbox_message")


def test_a_dispatcher_writes_to_a_contact_chosen_on_the_customer_page(page, ann):
    bounced = ContactFactory(
        customer=ann.customer, first_name="Bob", last_name="Roe", email="bob@northwind.example"
    )
    Contact.objects.filter(pk=bounced.pk).update(email_status=Contact.EmailStatus.BOUNCED)
    dispatcher = UserFactory(username="dispatcher", groups=[groups.DISPATCHER])
    sign_in(page, dispatcher.username)
    page.goto(f"/customers/{ann.customer_id}/")

    page.get_by_role("link", name="Send e-mail to a contact").click()
    expect(page.get_by_role("heading", name="E-mail to a contact of Northwind Hospitals")).to_be_visible()
    to = page.get_by_label("To (required)")
    expect(to.locator("option")).to_have_text(["Choose a contact…", "Ann Lee <ann.lee@northwind.example>"])
    expect(page.get_by_text("Bob Roe (address bounced)")).to_be_visible()
    to.select_option(label="Ann Lee <ann.lee@northwind.example>")
    page.get_by_label("Subject").fill("Invoice copy")
    page.get_by_label("Text").fill("Attached as promised.")
    screenshot(page, "send_email_customer_compose")
    page.get_by_role("button", name="Send", exact=True).click()

    page.wait_for_url(re.compile(rf"/customers/{ann.customer_id}/#activity$"))
    expect(page.get_by_text("E-mail to Ann Lee queued.")).to_be_visible()
    expect(page.get_by_role("table", name="Activity of this customer")).to_contain_text("Invoice copy")
    assert Message.objects.get().to == "ann.lee@northwind.example"
