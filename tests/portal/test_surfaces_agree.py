"""The portal's pages and the REST API ask `access` the same question: for every capability (and
the approver role, and none) and every model a portal user may meet, the page that shows that
model's rows and the API endpoint of that model are both allowed or both refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from clientbase import access
from clientbase.workorders.models import Invoice, Quote
from tests.factories import ContactFactory
from tests.portal.conftest import signed_in
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db

HOLDERS = ("none", "admin", "billing", "reports", "create_work_order", "edit_contacts", "approver")
# Who may see each model's rows, on the pages and through the API alike.
EXPECTED = {
    "customers": set(HOLDERS),
    "locations": {"admin", "reports", "create_work_order", "edit_contacts"},
    "assets": {"admin", "create_work_order"},
    "contacts": {"admin", "edit_contacts"},
    "work-orders": {"admin", "reports", "create_work_order"},
    "quotes": {"approver"},
    "invoices": {"admin", "billing"},
}
# A page listing the model's rows, and a text that shows only when it lists them.
PAGES = {
    "customers": (["/portal/"], "Northwind Hospitals"),
    # Sites are listed by the request form, the reports and the contact form; South Campus has no
    # work, so only a list of the customer's sites names it.
    "locations": (["/portal/work-orders/new/", "/portal/reports/", "/portal/contacts/new/"], "South Campus"),
    "assets": (["/portal/work-orders/new/"], "Rooftop unit 1"),
    "contacts": (["/portal/contacts/"], "Builder"),
    "work-orders": (["/portal/work-orders/"], "Leaking valve"),
    "quotes": (["/portal/quotes/"], "$7,777.00"),
    "invoices": (["/portal/billing/"], "$4,321.00"),
}


def holder(customer, make_portal_contact, kind: str):
    permissions = [] if kind in ("none", "approver") else [kind]
    return make_portal_contact(
        customer, permissions, role_approver=kind == "approver", first_name="Holder", last_name=kind.title()
    )


@pytest.fixture
def scene(northwind):
    customer, north, _ = northwind
    ContactFactory(customer=customer, first_name="Bob", last_name="Builder", locations=[north])
    work_order = WorkOrderFactory(customer=customer, location=north, summary="Leaking valve")
    QuoteFactory(
        customer=customer,
        work_order=work_order,
        status=Quote.Status.SENT,
        sent_at=timezone.now(),
        amount=Decimal("7777.00"),
    )
    invoice = InvoiceFactory(
        customer=customer,
        work_order=work_order,
        status=Invoice.Status.ISSUED,
        issued_at=timezone.now(),
        amount=Decimal("4321.00"),
    )
    return {"customer": customer, "invoice": invoice}


def page_shows(client, paths: list[str], text: str) -> bool:
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)
        if response.status_code == 200 and text in response.content.decode():
            return True
    return False


def api_allows(user, endpoint: str) -> bool:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/{endpoint}/")
    assert response.status_code in (200, 403), (endpoint, response.status_code)
    return response.status_code == 200 and bool(response.json()["results"])


@pytest.mark.parametrize("kind", HOLDERS)
def test_every_page_and_its_endpoint_agree(scene, make_portal_contact, kind):
    contact = holder(scene["customer"], make_portal_contact, kind)
    client = signed_in(contact)
    found = {}
    for model, (paths, text) in PAGES.items():
        found[model] = (page_shows(client, paths, text), api_allows(contact.user, model))
    disagree = {model: pair for model, pair in found.items() if pair[0] != pair[1]}
    assert disagree == {}, kind
    assert {model for model, (page, _) in found.items() if page} == {
        model for model, holders in EXPECTED.items() if kind in holders
    }, kind


def test_reports_sum_invoices_without_reading_them(scene, make_portal_contact):
    """The leak: `reports` was refused the billing pages but read every invoice through the API."""
    contact = holder(scene["customer"], make_portal_contact, "reports")
    invoice = scene["invoice"]
    client = APIClient()
    client.force_authenticate(contact.user)
    for path in ("/api/v1/invoices/", f"/api/v1/invoices/{invoice.pk}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "4321" not in response.content.decode() and invoice.number not in response.content.decode()
    pages = signed_in(contact)
    assert pages.get("/portal/billing/").status_code == 403
    assert pages.get(f"/portal/billing/{invoice.pk}/").status_code == 403
    report = pages.get("/portal/reports/")
    assert report.status_code == 200 and "4321.00" in report.content.decode()  # the figures stay


def test_the_menu_and_the_pages_ask_access(scene, make_portal_contact):
    for kind in HOLDERS:
        contact = holder(scene["customer"], make_portal_contact, kind)
        menu = signed_in(contact).get("/portal/").content.decode().split('class="mainnav__list"')[1]
        menu = menu.split("</ul>")[0]
        from clientbase.workorders.models import WorkOrder

        assert ("Billing" in menu) == access.can(contact.user, access.VIEW, Invoice), kind
        assert ("Reports" in menu) == access.can(contact.user, access.REPORT, WorkOrder), kind
