"""Factories of work orders, quotes and invoices (ORM writes for fast set-up; the behaviour under
test goes through services and URLs)."""

from __future__ import annotations

from decimal import Decimal

import factory

from clientbase.workorders.models import Invoice, Quote, WorkOrder
from tests.factories import CustomerFactory


class WorkOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkOrder

    customer = factory.SubFactory(CustomerFactory)
    summary = factory.Sequence(lambda n: f"Rooftop unit {n} not cooling")


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
