"""Factories of work orders, quotes and invoices (ORM writes for fast set-up; the behaviour under
test goes through services and URLs)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import CustomerFactory


class WorkOrderFactory(factory.django.DjangoModelFactory):
    """A work order, open unless told; a scheduled one has a visit tomorrow, a cancelled one its
    reason (the database requires one), a completed one its completion time."""

    class Meta:
        model = WorkOrder

    customer = factory.SubFactory(CustomerFactory)
    summary = factory.Sequence(lambda n: f"Rooftop unit {n} not cooling")
    status = WorkOrder.Status.OPEN
    scheduled_start = factory.LazyAttribute(
        lambda o: timezone.now() + datetime.timedelta(days=1) if o.status == "scheduled" else None
    )
    cancel_reason = factory.LazyAttribute(
        lambda o: "The customer withdrew the request." if o.status == "cancelled" else ""
    )
    completed_at = factory.LazyAttribute(lambda o: timezone.now() if o.status == "completed" else None)


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote

    customer = factory.SubFactory(CustomerFactory)
    amount = Decimal("1200.00")


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice

    customer = factory.SubFactory(CustomerFactory)
    amount = Decimal("480.00")
