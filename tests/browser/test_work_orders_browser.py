"""A work order's life in a real Chromium: scheduled, started and completed from its page, each step
showing who will be notified before it is saved; the completion mail, with its note, delivered by
the worker over real SMTP (aiosmtpd). And the service history of an asset, a page at a time."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from clientbase.workorders.models import WorkOrder
from tests.browser.conftest import screenshot
from tests.factories import AssetFactory, ContactFactory, CustomerFactory, LocationFactory
from tests.notifications.conftest import smtp, smtp_server  # noqa: F401 (fixtures)
from tests.workorders.factories import WorkOrderFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def northwind(transactional_db):
    """A site with a chiller, its site contact (who opted into work orders and completions, with a
    phone extension) and an open work order on the chiller."""
    customer = CustomerFactory(name="Northwind Hospitals")
    north = LocationFactory(customer=customer, name="North Campus", access_notes="Loading dock code 4411.")
    chiller = AssetFactory(location=north, name="Chiller CH-2")
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        email="mike@northwind.example",
        phone="+13125550142;ext=12",
        role_site=True,
        notify_work_orders=True,
        notify_completions=True,
        locations=[north],
    )
    work_order = WorkOrderFactory(
        customer=customer,
        location=north,
        asset=chiller,
        summary="Chiller CH-2 trips on high head pressure",
        site_contact=mike,
        site_contact_name="Mike Johnson",
    )
    return {"customer": customer, "chiller": chiller, "mike": mike, "work_order": work_order}


def run_worker() -> None:
    call_command("worker", once=True, stdout=io.StringIO(), stderr=io.StringIO())


def take_step(page, button: str, expected: str) -> None:
    """On the work order's page, open the step `button` and save it; its message says `expected`."""
    page.get_by_role("group", name="Next steps").get_by_role("link", name=button).click()
    expect(page.get_by_role("heading", name="Who will be notified")).to_be_visible()
    expect(page.get_by_text("Mike Johnson", exact=True)).to_be_visible()
    page.get_by_role("button", name=button).click()
    expect(page.get_by_text(expected)).to_be_visible()


def test_a_work_order_is_scheduled_started_and_completed_and_the_mail_arrives(
    signed_in,
    staff,
    northwind,
    smtp_server,  # noqa: F811 (the fixture)
):
    page = signed_in
    work_order = northwind["work_order"]
    number = work_order.number
    page.goto(f"/work-orders/{work_order.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{number}: Chiller CH-2 trips on high head pressure"
    )
    call = page.locator("#who-to-call")
    expect(call.get_by_role("link", name="+1 312-555-0142 ext. 12")).to_have_attribute(
        "href", "tel:+13125550142;ext=12"
    )
    expect(call).to_contain_text("Loading dock code 4411.")

    # Schedule: the visit and the technician, with who will be told before it is saved.
    page.get_by_role("group", name="Next steps").get_by_role("link", name="Schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Schedule {number}")
    expect(page.get_by_text("When the work order is scheduled")).to_be_visible()
    expect(page.locator("#notified-heading + p + ul")).to_contain_text("Mike Johnson")
    page.get_by_label("Visit starts").fill("2031-03-04T09:30")
    page.get_by_label("Visit ends").fill("2031-03-04T11:30")
    page.get_by_label("Technician").select_option(label="Dana")
    screenshot(page, "work-order-schedule")
    page.get_by_role("button", name="Schedule").click()
    expect(page.get_by_text(f"Work order {number} scheduled; 1 message queued.")).to_be_visible()
    expect(page.locator("#work-order-status")).to_have_text("Scheduled")
    expect(page.locator("#scheduled-start")).to_have_text("2031-03-04 09:30")
    expect(page.locator("#technician")).to_have_text("Dana")

    take_step(page, "Start", f"Work order {number} started; 1 message queued.")
    expect(page.locator("#work-order-status")).to_have_text("In progress")

    # Complete, with the note the mail will carry.
    page.get_by_role("group", name="Next steps").get_by_role("link", name="Complete").click()
    expect(page.get_by_text("When the work order is completed")).to_be_visible()
    page.get_by_label("Completion note").fill("Cleaned the condenser tubes; head pressure back to 180 psi.")
    screenshot(page, "work-order-complete")
    page.get_by_role("button", name="Complete").click()
    expect(page.get_by_text(f"Work order {number} completed; 1 message queued.")).to_be_visible()
    expect(page.locator("#work-order-status")).to_have_text("Completed")
    expect(page.locator("#completion-note")).to_have_text(
        "Cleaned the condenser tubes; head pressure back to 180 psi."
    )
    expect(page.get_by_role("group", name="Next steps")).to_have_count(0)
    screenshot(page, "work-order-completed")
    assert WorkOrder.objects.get(pk=work_order.pk).status == "completed"

    # The worker delivers the three mails over SMTP; the last one is the completion, with its note.
    run_worker()
    subjects = [mail["Subject"] for mail in smtp_server.received]
    assert subjects == [
        f"Work order {number} scheduled: Chiller CH-2 trips on high head pressure",
        f"Work order {number} started: Chiller CH-2 trips on high head pressure",
        f"Work order {number} completed: Chiller CH-2 trips on high head pressure",
    ]
    completion = smtp_server.received[-1]
    assert completion["To"] == "Mike Johnson <mike@northwind.example>"
    body = completion.get_body(preferencelist=("plain",)).get_content()
    assert "This work order has been completed." in body
    assert "Cleaned the condenser tubes; head pressure back to 180 psi." in body
    scheduled = smtp_server.received[0].get_body(preferencelist=("plain",)).get_content()
    assert re.search(r"Scheduled start: .*2031-03-04 09:30", scheduled)


def test_a_step_out_of_order_is_refused_with_its_reason(signed_in, northwind):
    page = signed_in
    work_order = northwind["work_order"]
    page.goto(f"/work-orders/{work_order.pk}/status/?to=completed")
    expect(
        page.get_by_text(f"Work order {work_order.number} cannot go from open to completed")
    ).to_be_visible()


def test_the_edit_page_offers_the_assets_of_the_location_chosen(signed_in, northwind):
    page = signed_in
    work_order = northwind["work_order"]
    south = LocationFactory(customer=northwind["customer"], name="South Campus")
    AssetFactory(location=south, name="Boiler B-7")
    page.goto(f"/work-orders/{work_order.pk}/edit/")
    asset = page.get_by_label("Asset")
    expect(asset.locator("option")).to_have_text(["No particular asset", "Chiller CH-2 (North Campus)"])
    page.get_by_label("Location").select_option(label="South Campus")
    expect(page.get_by_label("Asset").locator("option")).to_have_text(
        ["No particular asset", "Boiler B-7 (South Campus)"]
    )
    page.get_by_label("Asset").select_option(label="Boiler B-7 (South Campus)")
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text(re.compile(rf"Work order {work_order.number} saved; .* queued\."))
    ).to_be_visible()
    saved = WorkOrder.objects.get(pk=work_order.pk)
    assert (saved.location, saved.asset.name) == (south, "Boiler B-7")


def test_the_service_history_of_an_asset_pages_newest_first(signed_in, northwind):
    page = signed_in
    chiller = northwind["chiller"]
    older = [
        WorkOrderFactory(
            customer=northwind["customer"],
            location=chiller.location,
            asset=chiller,
            summary=f"Service visit {n}",
        )
        for n in range(1, 12)
    ]
    page.goto(f"/assets/{chiller.pk}/")
    history = page.locator("#service-history")
    expect(history.get_by_role("heading", name="Service history")).to_be_visible()
    rows = history.get_by_role("row")
    expect(rows).to_have_count(11)  # the header and ten work orders
    expect(rows.nth(1)).to_contain_text(older[-1].number)
    expect(rows.nth(1)).to_contain_text("Service visit 11")
    expect(history.get_by_role("columnheader")).to_have_text(
        ["Work order", "Summary", "Status", "Created", "Scheduled", "Completed"]
    )
    screenshot(page, "asset-service-history")

    history.get_by_role("link", name=re.compile("Older")).click()
    expect(page).to_have_url(re.compile(r"\?page=2#service-history$"))
    history = page.locator("#service-history")
    expect(history.get_by_role("row")).to_have_count(3)  # the header, and the two oldest
    expect(history).to_contain_text(northwind["work_order"].number)
    history.get_by_role("link", name=older[0].number).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{older[0].number}: Service visit 1")

    # The asset's page fits a phone screen.
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"/assets/{chiller.pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the asset page is {width}px wide"
