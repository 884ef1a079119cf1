"""A factory of contracts (ORM writes for fast set-up; the behaviour under test goes through
services and URLs)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from clientbase.contracts.models import Contract
from tests.factories import CustomerFactory


def days_from_today(days: int) -> datetime.date:
    """Today in TIME_ZONE, moved by `days` (negative: in the past)."""
    return timezone.localdate() + datetime.timedelta(days=days)


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract in force since 30 days, open-ended unless told; `locations` and `assets` set the
    covered places (none: customer-wide)."""

    class Meta:
        model = Contract
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"Maintenance agreement {n}")
    start_date = factory.LazyFunction(lambda: days_from_today(-30))
    end_date = None

    @factory.post_generation
    def locations(self, create, extracted, **kwargs):
        if create and extracted:
            self.locations.set(extracted)

    @factory.post_generation
    def assets(self, create, extracted, **kwargs):
        if create and extracted:
            self.assets.set(extracted)
