"""The rules the database holds for work orders, quotes and invoices, even against writes that skip
the services (a race, a script, the admin)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from clientbase.errors import Conflict
from clientbase.workorders.models import Invoice, Quote, WorkOrder, number_to_pk
from clientbase.writes import refusals_as_conflicts
from tests.factories import AssetFactory, ContactFactory, LocationFactory
from tests.helpers import assert_refused_by
from tests.workorders.factories import InvoiceFactory, QuoteFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


def refused(write, model, rule: str) -> None:
    """`write` is refused by the database, by `rule` of `model` (a constraint or a trigger's
    message) and no other."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        write()
    assert_refused_by(error.value, model, rule)


def test_numbers_come_from_the_primary_key():
    work_order = WorkOrderFactory()
    assert work_order.number == f"W-{work_order.pk:06d}"
    assert QuoteFactory().number.startswith("Q-")
    assert InvoiceFactory().number.startswith("I-")
    assert number_to_pk("w-000042", "W") == 42
    assert number_to_pk("42", "W") == 42
    assert number_to_pk("Q-42", "W") is None


def test_location_of_another_customer_is_refused_by_the_database(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    foreign = other_customer.locations.get()
    rule = "work order location belongs to another customer"
    refused(
        lambda: WorkOrder.objects.create(customer=customer, location=foreign, summary="x"), WorkOrder, rule
    )
    work_order = WorkOrderFactory(customer=customer)
    refused(lambda: WorkOrder.objects.filter(pk=work_order.pk).update(location=foreign), WorkOrder, rule)


def test_asset_away_from_the_location_is_refused_by_the_database(customer_with_two_sites):
    customer, north, south = customer_with_two_sites
    south_unit = AssetFactory(location=south)
    refused(
        lambda: WorkOrder.objects.create(customer=customer, location=north, asset=south_unit, summary="x"),
        WorkOrder,
        "work order asset is not at the work order location",
    )
    refused(
        lambda: WorkOrder.objects.create(customer=customer, asset=south_unit, summary="x"),
        WorkOrder,
        "work order asset is not at the work order location",
    )


def test_contacts_of_another_customer_are_refused_by_the_database(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    stranger = ContactFactory(customer=other_customer)
    refused(
        lambda: WorkOrder.objects.create(customer=customer, requested_by=stranger, summary="x"),
        WorkOrder,
        "work order requester belongs to another customer",
    )
    refused(
        lambda: WorkOrder.objects.create(customer=customer, site_contact=stranger, summary="x"),
        WorkOrder,
        "work order site contact belongs to another customer",
    )


def test_quotes_and_invoices_of_another_customers_work_order_are_refused(
    customer_with_two_sites, other_customer
):
    customer, _, _ = customer_with_two_sites
    foreign = WorkOrderFactory(customer=other_customer)
    rule = "work order belongs to another customer"
    refused(lambda: Quote.objects.create(customer=customer, work_order=foreign, amount=1), Quote, rule)
    refused(lambda: Invoice.objects.create(customer=customer, work_order=foreign, amount=1), Invoice, rule)


def test_negative_amounts_blank_summaries_and_unknown_statuses_are_refused(customer_with_two_sites):
    customer, _, _ = customer_with_two_sites
    refused(
        lambda: Quote.objects.create(customer=customer, amount=Decimal("-0.01")),
        Quote,
        "workorders_quote_amount_not_negative",
    )
    refused(
        lambda: Invoice.objects.create(customer=customer, amount=Decimal("-1")),
        Invoice,
        "workorders_invoice_amount_not_negative",
    )
    refused(
        lambda: WorkOrder.objects.create(customer=customer, summary="   "),
        WorkOrder,
        "workorders_workorder_summary_not_blank",
    )
    refused(
        lambda: WorkOrder.objects.create(customer=customer, summary="x", status="lost"),
        WorkOrder,
        "workorders_workorder_status_valid",
    )
    refused(
        lambda: Quote.objects.create(customer=customer, amount=1, status="approved"),
        Quote,
        "workorders_quote_approval_recorded",
    )


def test_an_old_work_order_stays_changeable_after_its_asset_moved(customer_with_two_sites):
    """The rules are checked when their columns change, so a later move of the asset does not lock
    the work orders that were right when written."""
    customer, north, south = customer_with_two_sites
    unit = AssetFactory(location=north)
    work_order = WorkOrderFactory(customer=customer, location=north, asset=unit)
    unit.location = south
    unit.save()
    work_order.status = "completed"
    work_order.save()
    assert WorkOrder.objects.get(pk=work_order.pk).status == "completed"


def test_a_database_refusal_reads_as_a_clear_conflict(customer_with_two_sites, other_customer):
    customer, _, _ = customer_with_two_sites
    foreign = LocationFactory(customer=other_customer)
    with (
        pytest.raises(Conflict, match="The location belongs to another customer"),
        transaction.atomic(),
        refusals_as_conflicts(),
    ):
        WorkOrder.objects.create(customer=customer, location=foreign, summary="x")
