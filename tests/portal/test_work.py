"""Work orders, quotes, billing and reports in the portal: what the customer sees of its work
with us, and the requests and approvals it makes there (through the workorders services)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import AssetFactory
from tests.portal.conftest import signed_in
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def requester(make_portal_contact, northwind):
    customer, _, _ = northwind
    return make_portal_contact(customer, ["create_work_order"], first_name="Rita", last_name="Request")


@pytest.fixture
def approver(make_portal_contact, northwind):
    customer, _, _ = northwind
    return make_portal_contact(
        customer,
        [],
        first_name="Abe",
        last_name="Approver",
        role_approver=True,
        approval_limit=Decimal("5000.00"),
    )


def sent_quote(customer, amount: str) -> Quote:
    return QuoteFactory(
        customer=customer, amount=Decimal(amount), status=Quote.Status.SENT, sent_at=timezone.now()
    )


# Work orders ------------------------------------------------------------------------------------


def test_raising_a_request_opens_a_work_order_with_the_user_as_requester(requester, northwind):
    customer, north, _ = northwind
    unit = north.assets.get()
    client = signed_in(requester)
    form = text(client.get("/portal/work-orders/new/"))
    assert "Rooftop unit 1 (North Campus)" in form and "Contoso" not in form
    response = client.post(
        "/portal/work-orders/new/",
        {
            "location": north.pk,
            "asset": unit.pk,
            "summary": "Unit 1 not cooling",
            "description": "Since Monday.",
        },
    )
    assert response.status_code == 302, text(response)
    work_order = WorkOrder.objects.get()
    assert (work_order.customer, work_order.location, work_order.asset) == (customer, north, unit)
    assert work_order.requested_by_id == requester.pk and work_order.requested_by_name == "Rita Request"
    assert response["Location"] == f"/portal/work-orders/{work_order.pk}/"
    page = text(client.get(response["Location"]))
    assert "Unit 1 not cooling" in page and "Since Monday." in page and "Rita Request" in page


def test_an_asset_of_another_site_is_refused_and_nothing_opens(requester, northwind):
    _, north, south = northwind
    unit = north.assets.get()
    response = signed_in(requester).post(
        "/portal/work-orders/new/", {"location": south.pk, "asset": unit.pk, "summary": "Wrong place"}
    )
    assert response.status_code == 200
    assert "is not at location" in text(response)
    assert not WorkOrder.objects.exists()


def test_another_customers_site_or_asset_cannot_be_chosen(requester, contoso):
    foreign_site = contoso.locations.get()
    foreign_asset = AssetFactory(location=foreign_site)
    response = signed_in(requester).post(
        "/portal/work-orders/new/",
        {"location": foreign_site.pk, "asset": foreign_asset.pk, "summary": "Probe"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in text(response)
    assert not WorkOrder.objects.exists()


def test_the_work_orders_list_shows_the_customers_only_and_filters_by_status(requester, northwind, contoso):
    customer, north, _ = northwind
    WorkOrderFactory(customer=customer, location=north, summary="Boiler service", status="completed")
    WorkOrderFactory(customer=customer, summary="Door sticks")
    WorkOrderFactory(customer=contoso, summary="Contoso secret")
    client = signed_in(requester)
    page = text(client.get("/portal/work-orders/"))
    assert "Boiler service" in page and "Door sticks" in page and "Contoso secret" not in page
    completed = text(client.get("/portal/work-orders/?status=completed"))
    assert "Boiler service" in completed and "Door sticks" not in completed


# Quotes -----------------------------------------------------------------------------------------


def test_an_approver_approves_a_quote_within_its_limit(approver, northwind):
    customer, _, _ = northwind
    quote = sent_quote(customer, "4200.00")
    client = signed_in(approver)
    page = text(client.get("/portal/quotes/"))
    assert quote.number in page and "You approve quotes up to $5,000.00" in page
    assert f'aria-label="Approve quote {quote.number}"' in page
    response = client.post(f"/portal/quotes/{quote.pk}/approve/")
    assert response["Location"] == "/portal/quotes/"
    quote.refresh_from_db()
    assert quote.status == "approved" and quote.approved_by_id == approver.pk
    assert f"Quote {quote.number} is approved" in text(client.get("/portal/quotes/"))


def test_a_quote_above_the_limit_offers_no_button_and_is_refused_with_the_reason(approver, northwind):
    customer, _, _ = northwind
    quote = sent_quote(customer, "7500.00")
    client = signed_in(approver)
    page = text(client.get("/portal/quotes/"))
    assert f'aria-label="Approve quote {quote.number}"' not in page
    assert "Above your approval limit" in page
    response = client.post(f"/portal/quotes/{quote.pk}/approve/")
    assert response.status_code == 302
    follow = text(client.get(response["Location"]))
    assert "approval limit of" in follow and "is below the quote" in follow
    quote.refresh_from_db()
    assert quote.status == "sent"


def test_drafts_and_other_customers_quotes_are_not_listed(approver, northwind, contoso):
    customer, _, _ = northwind
    draft = QuoteFactory(customer=customer)
    foreign = sent_quote(contoso, "10.00")
    page = text(signed_in(approver).get("/portal/quotes/"))
    assert draft.number not in page and foreign.number not in page


# Billing ----------------------------------------------------------------------------------------


def test_billing_lists_issued_and_paid_invoices_of_the_customer(make_portal_contact, northwind, contoso):
    customer, _, _ = northwind
    clerk = make_portal_contact(customer, ["billing"])
    issued = InvoiceFactory(
        customer=customer, status="issued", issued_at=timezone.now(), amount=Decimal("100.00")
    )
    paid = InvoiceFactory(customer=customer, status="paid", issued_at=timezone.now(), amount=Decimal("50.00"))
    draft = InvoiceFactory(customer=customer)
    foreign = InvoiceFactory(customer=contoso, status="issued", issued_at=timezone.now())
    page = text(signed_in(clerk).get("/portal/billing/"))
    assert issued.number in page and paid.number in page
    assert draft.number not in page and foreign.number not in page
    assert "1 open invoice, 100.00 in total." in page
    open_only = text(signed_in(clerk).get("/portal/billing/?status=issued"))
    assert issued.number in open_only and paid.number not in open_only


# Reports ----------------------------------------------------------------------------------------


def test_reports_count_work_orders_and_invoices_per_site_with_a_chart(
    make_portal_contact, northwind, contoso
):
    customer, north, south = northwind
    analyst = make_portal_contact(customer, ["reports"])
    for status in ("open", "open", "completed"):
        WorkOrderFactory(customer=customer, location=north, status=status)
    done = WorkOrderFactory(customer=customer, location=south, status="completed")
    WorkOrderFactory(customer=customer, location=None, status="cancelled")
    WorkOrderFactory(customer=contoso, location=contoso.locations.get())
    InvoiceFactory(
        customer=customer,
        work_order=done,
        status="issued",
        issued_at=timezone.now(),
        amount=Decimal("300.00"),
    )
    InvoiceFactory(
        customer=customer, work_order=done, status="paid", issued_at=timezone.now(), amount=Decimal("200.00")
    )
    InvoiceFactory(customer=customer, work_order=done, amount=Decimal("999.00"))  # a draft: ours
    page = text(signed_in(analyst).get("/portal/reports/"))
    rows = dict(
        re.findall(r'<th scope="row" data-label="Site">([^<]+)</th>((?: <td[^>]*>[^<]*</td>)+)', page)
    )
    numbers = {name: re.findall(r">([^<]*)</td>", cells) for name, cells in rows.items()}
    assert numbers["North Campus"] == ["2", "1", "0", "0", "0.00", "0.00"]
    assert numbers["South Campus"] == ["0", "1", "0", "2", "500.00", "300.00"]
    assert numbers["Not at one particular site"] == ["0", "0", "1", "0", "0.00", "0.00"]
    # North: 2 of the top 3 open, then 1 completed; an SVG, no style attribute (the CSP refuses them).
    assert '<rect class="chart__seg chart__seg--open" x="0.0" width="66.7" height="1">' in page
    assert '<rect class="chart__seg chart__seg--completed" x="66.7" width="33.3" height="1">' in page
    assert "style=" not in page
    assert "<script" not in page.split("</head>")[1]  # drawn on the server, no chart script


def test_reports_need_the_reports_permission(make_portal_contact, northwind):
    customer, _, _ = northwind
    billing_only = make_portal_contact(customer, ["billing"])
    response = signed_in(billing_only).get("/portal/reports/")
    assert response.status_code == 403
    assert "Reports need the “Access reports” permission" in text(response)
    assert Invoice.objects.count() == 0
