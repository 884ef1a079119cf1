"""The work-orders, quotes and invoices endpoints: the wizard over REST, the quote and invoice
actions with their refusals, what a technician may not do, and the query budget of every list (the
401, 403 and 404 of every route: tests/access/test_matrix.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.notifications.models import Message
from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import AssetFactory, ContactFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db
WORK_ORDERS, QUOTES, INVOICES = "/api/v1/work-orders/", "/api/v1/quotes/", "/api/v1/invoices/"


def detail(base: str, obj) -> str:
    return f"{base}{getattr(obj, 'pk', obj)}/"


# Work orders ---------------------------------------------------------------------------------------------


def test_creates_a_work_order_customer_then_location_then_asset(api, dispatcher, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    unit = AssetFactory(location=north)
    mike = ContactFactory(
        customer=customer,
        first_name="Mike",
        last_name="Johnson",
        role_site=True,
        notify_work_orders=True,
        locations=[north],
    )
    requester = ContactFactory(customer=customer, first_name="Lisa", last_name="Martinez")
    response = api(dispatcher).post(
        WORK_ORDERS,
        {
            "customer": customer.pk,
            "location": north.pk,
            "asset": unit.pk,
            "summary": "Not cooling",
            "requested_by": requester.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == f"W-{body['id']:06d}"
    assert body["status"] == "open"
    assert (body["site_contact"], body["site_contact_name"]) == (mike.pk, "Mike Johnson")
    assert (body["requested_by"], body["requested_by_name"]) == (requester.pk, "Lisa Martinez")
    assert list(Message.objects.values_list("contact_id", flat=True)) == [mike.pk]


@pytest.mark.parametrize("wrong", ["location", "asset"])
def test_the_wizard_refuses_what_does_not_belong(
    api, dispatcher, customer_with_two_sites, other_customer, wrong
):
    customer, north, south = customer_with_two_sites
    body = {"customer": customer.pk, "location": north.pk, "summary": "x"}
    if wrong == "location":
        body["location"] = other_customer.locations.get().pk
    else:
        body["asset"] = AssetFactory(location=south).pk
    with assert_unchanged(WorkOrder, Message):
        response = api(dispatcher).post(WORK_ORDERS, body, format="json")
    assert response.status_code == 400
    assert wrong in response.json()
    assert not WorkOrder.objects.exists()
    assert not Message.objects.exists()


def test_unknown_and_read_only_fields_are_named(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    with assert_unchanged(WorkOrder):
        response = api(dispatcher).post(
            WORK_ORDERS,
            {"customer": customer.pk, "summary": "x", "requested_by_name": "Me", "priority": 1},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {
        "requested_by_name": ["This field is read-only."],
        "priority": ["Unknown field."],
    }


def test_completing_notifies_and_closes_the_work_order(api, dispatcher, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, notify_completions=True)
    work_order = WorkOrderFactory(customer=customer, status="in_progress")
    response = api(dispatcher).patch(detail(WORK_ORDERS, work_order), {"status": "completed"}, format="json")
    assert response.status_code == 200
    assert response.json()["completed_at"] is not None
    assert Message.objects.get().event == "work_order.completed"
    with assert_unchanged(work_order, Message):
        again = api(dispatcher).patch(detail(WORK_ORDERS, work_order), {"summary": "more"}, format="json")
    assert again.status_code == 409
    assert "closed" in again.json()["detail"]


def test_filters_and_search(api, dispatcher, customer_with_two_sites, other_customer):
    customer, north, _ = customer_with_two_sites
    mine = WorkOrderFactory(customer=customer, location=north, summary="Boiler leak")
    WorkOrderFactory(customer=other_customer, summary="Fire panel")
    client = api(dispatcher)
    assert [r["id"] for r in client.get(WORK_ORDERS, {"customer": customer.pk}).json()["results"]] == [
        mine.pk
    ]
    assert [r["id"] for r in client.get(WORK_ORDERS, {"search": "boiler"}).json()["results"]] == [mine.pk]
    assert [r["id"] for r in client.get(WORK_ORDERS, {"search": mine.number}).json()["results"]] == [mine.pk]
    assert client.get(WORK_ORDERS, {"status": "lost"}).status_code == 400


def test_a_portal_user_opens_work_orders_for_its_own_customer_only(
    api, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, north, _ = customer_with_two_sites
    user = portal_user_factory(customer, permissions=["create_work_order"], email="me@example.com")
    client = api(user)
    created = client.post(
        WORK_ORDERS, {"customer": customer.pk, "location": north.pk, "summary": "Leak"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["requested_by"] == user.contact.pk
    with assert_unchanged(WorkOrder, Message):
        foreign = client.post(WORK_ORDERS, {"customer": other_customer.pk, "summary": "x"}, format="json")
    assert foreign.status_code == 400 and "customer" in foreign.json()
    theirs = WorkOrderFactory(customer=other_customer)
    assert client.get(detail(WORK_ORDERS, theirs)).status_code == 404
    with assert_unchanged(WorkOrder):
        assert (
            client.patch(
                detail(WORK_ORDERS, created.json()["id"]), {"summary": "y"}, format="json"
            ).status_code
            == 403
        )


# Quotes ----------------------------------------------------------------------------------------------------


@pytest.fixture
def approver(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    return ContactFactory(
        customer=customer,
        first_name="David",
        last_name="Chen",
        role_approver=True,
        notify_quotes=True,
        approval_limit=Decimal("10000"),
    )


def test_quote_is_created_sent_and_approved(api, accounts_clerk, customer_with_two_sites, approver):
    customer, _, _ = customer_with_two_sites
    client = api(accounts_clerk)
    created = client.post(QUOTES, {"customer": customer.pk, "amount": "9500.00"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["status"] == "draft"
    quote_url = detail(QUOTES, created.json()["id"])
    sent = client.post(f"{quote_url}send/")
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert Message.objects.get().contact == approver
    approved = client.post(f"{quote_url}approve/", {"contact": approver.pk}, format="json")
    assert approved.status_code == 200, approved.json()
    assert (
        approved.json()["status"],
        approved.json()["approved_by"],
        approved.json()["approved_by_name"],
    ) == ("approved", approver.pk, "David Chen")


def test_sending_a_quote_no_approver_may_approve_is_a_conflict(
    api, accounts_clerk, customer_with_two_sites, approver
):
    customer, _, _ = customer_with_two_sites
    quote = QuoteFactory(customer=customer, amount=Decimal("20000"))
    with assert_unchanged(quote, Message):
        response = api(accounts_clerk).post(f"{detail(QUOTES, quote)}send/")
    assert response.status_code == 409
    assert "No approver qualifies" in response.json()["detail"]
    assert Quote.objects.get(pk=quote.pk).status == "draft"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"status": "inactive"}, "inactive"),
        ({"role_approver": False, "approval_limit": None}, "no approval authority"),
        ({"approval_limit": Decimal("100")}, "below the quote's amount"),
    ],
)
def test_approval_refusals_are_409_with_the_reason(
    api, accounts_clerk, customer_with_two_sites, approver, change, reason
):
    customer, _, _ = customer_with_two_sites
    quote = QuoteFactory(customer=customer, amount=Decimal("500"), status="sent")
    type(approver).objects.filter(pk=approver.pk).update(**change)
    response = api(accounts_clerk).post(
        f"{detail(QUOTES, quote)}approve/", {"contact": approver.pk}, format="json"
    )
    assert response.status_code == 409
    assert reason in response.json()["detail"]
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by_id, quote.approved_by_name) == ("sent", None, "")


def test_approval_by_a_contact_of_another_customer_is_409(
    api, accounts_clerk, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    stranger = ContactFactory(customer=other_customer, role_approver=True)
    quote = QuoteFactory(customer=customer, status="sent")
    with assert_unchanged(quote, stranger, Message):
        response = api(accounts_clerk).post(
            f"{detail(QUOTES, quote)}approve/", {"contact": stranger.pk}, format="json"
        )
    assert response.status_code == 409
    assert "another customer" in response.json()["detail"]


def test_approve_needs_an_existing_contact(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    quote = QuoteFactory(customer=customer, status="sent")
    url = f"{detail(QUOTES, quote)}approve/"
    with assert_unchanged(quote, Message):
        assert "contact" in api(accounts_clerk).post(url, {}, format="json").json()
        assert api(accounts_clerk).post(url, {"contact": 999999}, format="json").status_code == 400
        assert api(accounts_clerk).post(url, {"contact": 1, "note": "x"}, format="json").json()["note"] == [
            "Unknown field."
        ]


def test_a_sent_quote_is_not_edited_and_status_is_read_only(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    quote = QuoteFactory(customer=customer, status="sent")
    draft = QuoteFactory(customer=customer)
    with assert_unchanged(Quote):
        assert (
            api(accounts_clerk).patch(detail(QUOTES, quote), {"amount": "1.00"}, format="json").status_code
            == 409
        )
        refused = api(accounts_clerk).patch(detail(QUOTES, draft), {"status": "approved"}, format="json")
        assert refused.status_code == 400 and refused.json()["status"] == ["This field is read-only."]
        negative = api(accounts_clerk).post(QUOTES, {"customer": customer.pk, "amount": "-5"}, format="json")
        assert negative.status_code == 400 and "amount" in negative.json()


# Invoices --------------------------------------------------------------------------------------------------


def test_invoice_is_created_and_issued_once(api, accounts_clerk, customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    ContactFactory(customer=customer, role_billing=True, notify_invoices=True)
    work_order = WorkOrderFactory(customer=customer)
    client = api(accounts_clerk)
    created = client.post(
        INVOICES, {"customer": customer.pk, "work_order": work_order.pk, "amount": "120"}, format="json"
    )
    assert created.status_code == 201, created.json()
    url = detail(INVOICES, created.json()["id"])
    issued = client.post(f"{url}issue/")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert Message.objects.get().event == "invoice.issued"
    with assert_unchanged(Invoice, Message):
        again = client.post(f"{url}issue/")
    assert again.status_code == 409
    assert Message.objects.count() == 1


def test_a_portal_billing_user_reads_its_own_invoices_only(
    api, portal_user_factory, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    mine = InvoiceFactory(customer=customer, status="issued")
    draft = InvoiceFactory(customer=customer, status="draft")
    theirs = InvoiceFactory(customer=other_customer, status="issued")
    client = api(portal_user_factory(customer, permissions=["billing"], email="ap@example.com"))
    assert [row["id"] for row in client.get(INVOICES).json()["results"]] == [mine.pk]
    assert client.get(detail(INVOICES, draft)).status_code == 404
    assert client.get(detail(INVOICES, theirs)).status_code == 404
    with assert_unchanged(Invoice):
        assert (
            client.post(INVOICES, {"customer": customer.pk, "amount": "1"}, format="json").status_code == 403
        )
    assert client.get(WORK_ORDERS).status_code == 403
    assert client.get(QUOTES).status_code == 403


def test_portal_reports_read_work_orders_but_not_invoices(api, portal_user_factory, customer_with_two_sites):
    """`reports` sums invoices on the reports page but reads none: the invoices endpoint refuses it,
    as the billing pages do."""
    customer, _, _ = customer_with_two_sites
    work_order = WorkOrderFactory(customer=customer)
    invoice = InvoiceFactory(customer=customer, status="issued", amount="4321.00")
    client = api(portal_user_factory(customer, permissions=["reports"], email="r@example.com"))
    assert client.get(detail(WORK_ORDERS, work_order)).status_code == 200
    for response in (client.get(INVOICES), client.get(detail(INVOICES, invoice))):
        assert response.status_code == 403
        assert "4321" not in response.content.decode()
    with assert_unchanged(WorkOrder):
        assert (
            client.post(WORK_ORDERS, {"customer": customer.pk, "summary": "x"}, format="json").status_code
            == 403
        )


# Every endpoint: a technician's writes, the query budget ----------------------------------------------------

ENDPOINTS = {
    "work-orders": (WORK_ORDERS, WorkOrderFactory, ["post"]),
    "quotes": (QUOTES, QuoteFactory, ["post", "send/", "approve/"]),
    "invoices": (INVOICES, InvoiceFactory, ["post", "issue/"]),
}


def calls(client, base, obj, writes):
    """Every request of an endpoint against `obj`: list, detail, create, update, delete, actions."""
    yield client.get(base)
    yield client.get(detail(base, obj))
    yield client.patch(
        detail(base, obj), {"amount": "1"} if base != WORK_ORDERS else {"summary": "x"}, format="json"
    )
    yield client.delete(detail(base, obj))
    for write in writes:
        if write == "post":
            yield client.post(
                base, {"customer": obj.customer_id, "summary": "x", "amount": "1"}, format="json"
            )
        else:
            yield client.post(f"{detail(base, obj)}{write}", {"contact": 1}, format="json")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_technician_reads_but_changes_nothing(api, technician, name, customer_with_two_sites):
    base, factory, writes = ENDPOINTS[name]
    obj = factory(customer=customer_with_two_sites[0])
    client = api(technician)
    assert client.get(detail(base, obj)).status_code == 200
    with assert_unchanged(type(obj), Message):
        responses = list(calls(client, base, obj, writes))[2:]
    assert {response.status_code for response in responses} == {403}


def test_staff_sees_404_for_what_does_not_exist(api, admin_user):
    client = api(admin_user)
    for base in (WORK_ORDERS, QUOTES, INVOICES):
        assert client.get(detail(base, 999999)).status_code == 404
    with assert_unchanged(Quote, Invoice, Message):
        assert client.post(f"{detail(QUOTES, 999999)}send/").status_code == 404
        assert (
            client.post(f"{detail(QUOTES, 999999)}approve/", {"contact": 1}, format="json").status_code == 404
        )
        assert client.post(f"{detail(INVOICES, 999999)}issue/").status_code == 404


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 200})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ENDPOINTS)
def test_lists_keep_a_query_budget(api, admin_user, name, customer_with_two_sites):
    base, factory, _ = ENDPOINTS[name]
    customer = customer_with_two_sites[0]
    client = api(admin_user)
    factory.create_batch(2, customer=customer)
    few = count_queries(client, base)
    factory.create_batch(40, customer=customer)
    many = count_queries(client, base)
    assert few == many == 1


def test_work_order_lists_with_every_relation_set_keep_the_budget(api, admin_user, customer_with_two_sites):
    customer, north, _ = customer_with_two_sites
    contact = ContactFactory(customer=customer)
    unit = AssetFactory(location=north)
    client = api(admin_user)
    WorkOrderFactory(
        customer=customer, location=north, asset=unit, requested_by=contact, site_contact=contact
    )
    few = count_queries(client, WORK_ORDERS)
    for _ in range(20):
        WorkOrderFactory(
            customer=customer, location=north, asset=unit, requested_by=contact, site_contact=contact
        )
    assert count_queries(client, WORK_ORDERS) == few


def test_invoices_and_quotes_reject_a_work_order_of_another_customer(
    api, admin_user, customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    foreign = WorkOrderFactory(customer=other_customer)
    for base in (QUOTES, INVOICES):
        response = api(admin_user).post(
            base, {"customer": customer.pk, "work_order": foreign.pk, "amount": "1"}, format="json"
        )
        assert response.status_code == 400 and "work_order" in response.json()
    assert not Quote.objects.exists() and not Invoice.objects.exists()
