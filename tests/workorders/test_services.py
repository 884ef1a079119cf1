"""Work order, quote and invoice services: the wizard's order, the site contact, the names kept when
a contact is deleted, quote approval authority, and the messages written with each change."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from clientbase.contacts.models import Contact
from clientbase.contacts.services import delete_contact
from clientbase.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clientbase.notifications.models import Message
from clientbase.workorders import services
from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import AssetFactory, ContactFactory, CustomerFactory
from tests.helpers import assert_unchanged
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(customer_with_two_sites):
    """A customer, its north site with a rooftop unit and a site contact there, and a primary."""
    customer, north, south = customer_with_two_sites
    return {
        "customer": customer,
        "north": north,
        "south": south,
        "unit": AssetFactory(location=north, name="RTU-1"),
        "south_unit": AssetFactory(location=south, name="RTU-S"),
        "mike": ContactFactory(
            customer=customer,
            first_name="Mike",
            last_name="Johnson",
            role_site=True,
            notify_work_orders=True,
            notify_completions=True,
            locations=[north],
        ),
        "susan": ContactFactory(
            customer=customer,
            first_name="Susan",
            last_name="Williams",
            is_primary=True,
            role_billing=True,
            notify_invoices=True,
        ),
    }


# The wizard: customer, then location, then asset ---------------------------------------------------------


def test_creates_a_work_order_following_the_wizard(site, dispatcher):
    work_order = services.create_work_order(
        acting_user=dispatcher,
        data={
            "customer": site["customer"],
            "location": site["north"],
            "asset": site["unit"],
            "summary": " Not cooling ",
            "requested_by": site["susan"],
        },
    )
    work_order.refresh_from_db()
    assert work_order.number == f"W-{work_order.pk:06d}"
    assert work_order.summary == "Not cooling"
    assert work_order.status == "open"
    assert (work_order.site_contact, work_order.site_contact_name) == (site["mike"], "Mike Johnson")
    assert work_order.requested_by_name == "Susan Williams"


def test_a_location_of_another_customer_is_refused(site, dispatcher, other_customer):
    foreign = other_customer.locations.get()
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(
            acting_user=dispatcher, data={"customer": site["customer"], "location": foreign, "summary": "x"}
        )
    assert "another customer" in refused.value.errors["location"][0]
    assert not WorkOrder.objects.exists()


def test_an_asset_of_another_location_is_refused(site, dispatcher):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(
            acting_user=dispatcher,
            data={
                "customer": site["customer"],
                "location": site["north"],
                "asset": site["south_unit"],
                "summary": "x",
            },
        )
    assert "RTU-S" in refused.value.errors["asset"][0]
    assert not WorkOrder.objects.exists()


def test_an_asset_before_its_location_is_refused(site, dispatcher):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(
            acting_user=dispatcher, data={"customer": site["customer"], "asset": site["unit"], "summary": "x"}
        )
    assert refused.value.errors["asset"] == ["Choose the location before the asset."]


def test_a_customer_is_required(dispatcher):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(acting_user=dispatcher, data={"summary": "x"})
    assert "customer" in refused.value.errors


def test_contacts_of_another_customer_are_refused(site, dispatcher, other_customer):
    stranger = ContactFactory(customer=other_customer)
    for field in ("requested_by", "site_contact"):
        with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
            services.create_work_order(
                acting_user=dispatcher, data={"customer": site["customer"], "summary": "x", field: stranger}
            )
        assert field in refused.value.errors
    assert not WorkOrder.objects.exists()


def test_a_new_work_order_cannot_start_completed(site, dispatcher):
    with assert_unchanged(WorkOrder, Message), pytest.raises(ValidationFailed) as refused:
        services.create_work_order(
            acting_user=dispatcher, data={"customer": site["customer"], "summary": "x", "status": "completed"}
        )
    assert "status" in refused.value.errors


def test_site_contact_defaults_to_the_primary_without_a_site_contact(site, dispatcher):
    work_order = services.create_work_order(
        acting_user=dispatcher, data={"customer": site["customer"], "location": site["south"], "summary": "x"}
    )
    assert work_order.site_contact == site["susan"]


def test_site_contact_given_explicitly_wins_even_when_null(site, dispatcher):
    work_order = services.create_work_order(
        acting_user=dispatcher,
        data={"customer": site["customer"], "location": site["north"], "summary": "x", "site_contact": None},
    )
    assert work_order.site_contact is None


def test_a_portal_user_is_the_requester_by_default(site, portal_user_factory):
    user = portal_user_factory(site["customer"], permissions=["create_work_order"], email="me@example.com")
    work_order = services.create_work_order(
        acting_user=user, data={"customer": site["customer"], "summary": "x"}
    )
    assert work_order.requested_by == user.contact


def test_a_portal_user_cannot_open_work_orders_for_another_customer(
    site, portal_user_factory, other_customer
):
    user = portal_user_factory(site["customer"], permissions=["create_work_order"], email="me@example.com")
    with assert_unchanged(WorkOrder, Message), pytest.raises(NotFound):
        services.create_work_order(acting_user=user, data={"customer": other_customer, "summary": "x"})


def test_without_the_permission_nothing_is_created(site, technician):
    with assert_unchanged(WorkOrder, Message), pytest.raises(Forbidden):
        services.create_work_order(
            acting_user=technician, data={"customer": site["customer"], "summary": "x"}
        )


# Messages in the same transaction as the change ----------------------------------------------------------


def test_creating_writes_one_message_per_recipient_in_the_same_transaction(site, dispatcher):
    work_order = services.create_work_order(
        acting_user=dispatcher,
        data={
            "customer": site["customer"],
            "location": site["north"],
            "asset": site["unit"],
            "summary": "Leak",
        },
    )
    message = Message.objects.get()
    assert (message.event, message.contact, message.to, message.status) == (
        "work_order.created",
        site["mike"],
        site["mike"].email,
        "pending",
    )
    assert message.subject == f"Work order {work_order.number} opened: Leak"
    facts = message.context["facts"]
    assert facts["asset"]["name"] == "RTU-1"
    assert facts["location"]["name"] == "North Campus"


def test_a_change_rolled_back_leaves_no_message(site, dispatcher):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_work_order(
            acting_user=dispatcher, data={"customer": site["customer"], "summary": "x"}
        )
        raise RuntimeError("the caller fails after the service")
    assert not WorkOrder.objects.exists()
    assert not Message.objects.exists()


def test_an_update_notifies_what_changed_and_completion_notifies_completions(site, dispatcher):
    customer = site["customer"]
    closer = ContactFactory(customer=customer, notify_completions=True, last_name="Closer")
    work_order = services.create_work_order(
        acting_user=dispatcher, data={"customer": customer, "location": site["north"], "summary": "x"}
    )
    Message.objects.all().delete()
    visit = datetime.datetime(2031, 3, 4, 9, 30, tzinfo=datetime.UTC)
    services.update_work_order(
        work_order=work_order, acting_user=dispatcher, data={"status": "scheduled", "scheduled_start": visit}
    )
    updated = Message.objects.get()
    assert updated.event == "work_order.updated"
    assert updated.context["facts"]["changes"] == [
        {"field": "Status", "old": "Open", "new": "Scheduled"},
        {"field": "Scheduled start", "old": "—", "new": "2031-03-04 09:30 UTC"},
    ]
    Message.objects.all().delete()
    services.update_work_order(work_order=work_order, acting_user=dispatcher, data={"status": "in_progress"})
    Message.objects.all().delete()
    services.update_work_order(work_order=work_order, acting_user=dispatcher, data={"status": "completed"})
    completed = Message.objects.all()
    assert {m.event for m in completed} == {"work_order.completed"}
    assert {m.contact for m in completed} == {site["mike"], closer}
    work_order.refresh_from_db()
    assert work_order.completed_at is not None


def test_an_update_that_changes_nothing_writes_nothing(site, dispatcher):
    work_order = WorkOrderFactory(customer=site["customer"], summary="Same")
    services.update_work_order(work_order=work_order, acting_user=dispatcher, data={"summary": "Same"})
    assert not Message.objects.exists()


def test_a_closed_work_order_changes_no_more(site, dispatcher):
    work_order = WorkOrderFactory(customer=site["customer"], status="completed")
    with assert_unchanged(work_order, Message), pytest.raises(Conflict, match="closed"):
        services.update_work_order(work_order=work_order, acting_user=dispatcher, data={"summary": "reopen"})


def test_update_keeps_the_wizard_rules(site, dispatcher):
    work_order = WorkOrderFactory(customer=site["customer"], location=site["north"], asset=site["unit"])
    other = CustomerFactory()
    with assert_unchanged(work_order, Message):
        with pytest.raises(ValidationFailed) as refused:
            services.update_work_order(
                work_order=work_order, acting_user=dispatcher, data={"location": site["south"]}
            )
        assert "asset" in refused.value.errors
        with pytest.raises(ValidationFailed):
            services.update_work_order(
                work_order=work_order, acting_user=dispatcher, data={"customer": other}
            )


def test_a_completed_work_order_cannot_be_deleted(site, dispatcher):
    work_order = WorkOrderFactory(customer=site["customer"], status="completed")
    with assert_unchanged(work_order, Message), pytest.raises(Conflict):
        services.delete_work_order(work_order=work_order, acting_user=dispatcher)


def test_a_work_order_with_a_quote_cannot_be_deleted(site, admin_user):
    work_order = WorkOrderFactory(customer=site["customer"])
    quote = QuoteFactory(customer=site["customer"], work_order=work_order)
    with assert_unchanged(work_order, quote), pytest.raises(Conflict):
        services.delete_work_order(work_order=work_order, acting_user=admin_user)


# History after delete -------------------------------------------------------------------------------------


def test_deleting_a_contact_keeps_the_names_on_work_orders_and_quotes(site, dispatcher, admin_user):
    customer = site["customer"]
    dave = ContactFactory(customer=customer, first_name="Dave", last_name="Chen", role_approver=True)
    work_order = services.create_work_order(
        acting_user=dispatcher,
        data={"customer": customer, "summary": "x", "requested_by": dave, "site_contact": dave},
    )
    quote = QuoteFactory(customer=customer, work_order=work_order, status="sent")
    services.approve_quote(quote=quote, contact=dave, acting_user=admin_user)
    delete_contact(contact=dave, acting_user=admin_user)
    work_order.refresh_from_db()
    quote.refresh_from_db()
    assert (work_order.requested_by_id, work_order.requested_by_name) == (None, "Dave Chen")
    assert (work_order.site_contact_id, work_order.site_contact_name) == (None, "Dave Chen")
    assert (quote.approved_by_id, quote.approved_by_name, quote.status) == (None, "Dave Chen", "approved")


# Quotes --------------------------------------------------------------------------------------------------


@pytest.fixture
def approver(site):
    return ContactFactory(
        customer=site["customer"],
        first_name="David",
        last_name="Chen",
        role_approver=True,
        notify_quotes=True,
        approval_limit=Decimal("10000.00"),
    )


def test_sending_a_quote_notifies_approvers_and_marks_it_sent(site, approver, accounts_clerk):
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("8000"))
    quote = services.send_quote(quote=quote, acting_user=accounts_clerk)
    assert quote.status == "sent" and quote.sent_at is not None
    message = Message.objects.get()
    assert (message.event, message.contact) == ("quote.sent", approver)
    assert message.context["facts"]["amount"] == "$8,000.00"


def test_a_quote_nobody_may_approve_is_not_sent(site, approver, accounts_clerk):
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("10000.01"))
    with assert_unchanged(quote, Message), pytest.raises(Conflict, match="No approver qualifies"):
        services.send_quote(quote=quote, acting_user=accounts_clerk)
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_only_a_draft_quote_is_sent_or_changed(site, approver, accounts_clerk):
    quote = QuoteFactory(customer=site["customer"], status="sent")
    with assert_unchanged(quote, Message):
        with pytest.raises(Conflict, match="only a draft"):
            services.send_quote(quote=quote, acting_user=accounts_clerk)
        with pytest.raises(Conflict, match="only a draft"):
            services.update_quote(quote=quote, acting_user=accounts_clerk, data={"amount": Decimal("1")})
        with pytest.raises(Conflict, match="only a draft"):
            services.delete_document(document=quote, acting_user=accounts_clerk)


def test_approval_within_the_limit_records_who_approved(site, approver, accounts_clerk):
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("10000.00"), status="sent")
    quote = services.approve_quote(quote=quote, contact=approver, acting_user=accounts_clerk)
    quote.refresh_from_db()
    assert (quote.status, quote.approved_by, quote.approved_by_name) == ("approved", approver, "David Chen")
    assert quote.approved_at is not None


def test_an_approver_without_a_limit_approves_any_amount(site, accounts_clerk):
    boss = ContactFactory(customer=site["customer"], role_approver=True, approval_limit=None)
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("999999.99"), status="sent")
    assert services.approve_quote(quote=quote, contact=boss, acting_user=accounts_clerk).status == "approved"


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("inactive", "inactive"),
        ("other_customer", "another customer"),
        ("not_approver", "no approval authority"),
        ("limit_below", "approval limit of $10,000.00 is below the quote's amount of $10,000.01"),
        ("quote_not_sent", "only a sent quote"),
    ],
)
def test_approval_refusals_say_why_and_change_nothing(
    case, reason, site, approver, accounts_clerk, other_customer
):
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("5000"), status="sent")
    contact = approver
    if case == "inactive":
        Contact.objects.filter(pk=approver.pk).update(status="inactive")
    elif case == "other_customer":
        contact = ContactFactory(customer=other_customer, role_approver=True)
    elif case == "not_approver":
        contact = ContactFactory(customer=site["customer"], role_billing=True)
    elif case == "limit_below":
        Quote.objects.filter(pk=quote.pk).update(amount=Decimal("10000.01"))
    elif case == "quote_not_sent":
        Quote.objects.filter(pk=quote.pk).update(status="draft")
    with assert_unchanged(quote, contact, Message), pytest.raises(Conflict) as refused:
        services.approve_quote(quote=quote, contact=contact, acting_user=accounts_clerk)
    assert reason in refused.value.message


def test_a_portal_approver_approves_in_its_own_name_only(site, approver, portal_user_factory):
    quote = QuoteFactory(customer=site["customer"], amount=Decimal("500"), status="sent")
    user = portal_user_factory(
        site["customer"],
        permissions=["billing"],
        email="boss@example.com",
        role_approver=True,
        approval_limit=Decimal("1000"),
    )
    with assert_unchanged(quote, Message), pytest.raises(Forbidden):
        services.approve_quote(quote=quote, contact=approver, acting_user=user)
    assert (
        services.approve_quote(quote=quote, contact=user.contact, acting_user=user).approved_by
        == user.contact
    )


def test_a_portal_user_never_reaches_another_customers_quote(site, portal_user_factory, other_customer):
    quote = QuoteFactory(customer=other_customer, status="sent")
    user = portal_user_factory(
        site["customer"], permissions=["admin"], email="boss@example.com", role_approver=True
    )
    with assert_unchanged(quote, Message), pytest.raises(NotFound):
        services.approve_quote(quote=quote, contact=user.contact, acting_user=user)


def test_staff_without_the_permission_cannot_record_approvals(site, approver, dispatcher):
    quote = QuoteFactory(customer=site["customer"], status="sent")
    with assert_unchanged(quote, Message), pytest.raises(Forbidden):
        services.approve_quote(quote=quote, contact=approver, acting_user=dispatcher)


def test_a_quote_for_a_work_order_of_another_customer_is_refused(site, accounts_clerk, other_customer):
    foreign = WorkOrderFactory(customer=other_customer)
    with assert_unchanged(Quote, Message), pytest.raises(ValidationFailed) as refused:
        services.create_document(
            Quote,
            acting_user=accounts_clerk,
            data={"customer": site["customer"], "work_order": foreign, "amount": Decimal(1)},
        )
    assert "work_order" in refused.value.errors


def test_a_negative_amount_is_refused(site, accounts_clerk):
    with assert_unchanged(Invoice, Message), pytest.raises(ValidationFailed) as refused:
        services.create_document(
            Invoice, acting_user=accounts_clerk, data={"customer": site["customer"], "amount": Decimal(-1)}
        )
    assert "amount" in refused.value.errors


# Invoices ------------------------------------------------------------------------------------------------


def test_issuing_an_invoice_notifies_billing_contacts(site, accounts_clerk):
    invoice = InvoiceFactory(customer=site["customer"], amount=Decimal("1234.5"))
    invoice = services.issue_invoice(invoice=invoice, acting_user=accounts_clerk)
    assert invoice.status == "issued" and invoice.issued_at is not None
    message = Message.objects.get()
    assert (message.event, message.contact) == ("invoice.issued", site["susan"])
    assert message.subject == f"Invoice {invoice.number} for Northwind Hospitals: $1,234.50"


def test_an_issued_invoice_is_not_issued_again(site, accounts_clerk):
    invoice = InvoiceFactory(customer=site["customer"], status="issued")
    with assert_unchanged(invoice, Message), pytest.raises(Conflict, match="only a draft"):
        services.issue_invoice(invoice=invoice, acting_user=accounts_clerk)
