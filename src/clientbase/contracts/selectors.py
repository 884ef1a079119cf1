"""Reads of contracts beyond `.get()`: what the pages show of each, the searches and filters of the
list (by number or name, by the location a contract covers, by when it ends), the history of one,
and the contract that covers a place on a day (`covering_contract`), which work orders will ask."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from clientbase import history
from clientbase.contracts.models import (
    Contract,
    ContractAsset,
    ContractLocation,
    number_to_pk,
    today_expression,
)
from clientbase.customers.models import Asset, Customer, Location

# How `covering_contract` says what made a contract cover the place, most specific first.
COVERAGE = ("asset", "location", "customer")


def contracts_for_pages(queryset: QuerySet[Contract]) -> QuerySet[Contract]:
    """What a list or detail page shows of each contract: its customer (in the same query), the
    locations and assets it covers (each asset with its location), three queries whatever the
    number of contracts."""
    return queryset.select_related("customer").prefetch_related(
        "locations", Prefetch("assets", queryset=Asset.objects.select_related("location"))
    )


def search_contracts(queryset: QuerySet[Contract], text: str) -> QuerySet[Contract]:
    """Contracts whose number is `text` (`K-000042` or `42`) or whose name contains it (case aside);
    everything for a blank text."""
    text = " ".join(text.split())
    if not text:
        return queryset
    match = Q(name__icontains=text)
    pk = number_to_pk(text)
    if pk is not None and pk < 2**63:
        match |= Q(pk=pk)
    return queryset.filter(match)


def _links(model: type[ContractLocation] | type[ContractAsset]) -> QuerySet[Any]:
    return model.objects.filter(contract=OuterRef("pk"))


def customer_wide() -> Q:
    """The contracts that name no location and no asset: they cover every site of their customer."""
    return ~Q(Exists(_links(ContractLocation))) & ~Q(Exists(_links(ContractAsset)))


def covering_location(queryset: QuerySet[Contract], location_id: int) -> QuerySet[Contract]:
    """The contracts of `queryset` that cover location `location_id`: those naming it, those naming
    an asset standing there, and the customer-wide contracts of its customer (the list's and the
    API's `location` filter). A location that does not exist is covered by none."""
    location_customer = Subquery(Location.objects.filter(pk=location_id).values("customer_id")[:1])
    return queryset.filter(
        Q(Exists(_links(ContractLocation).filter(location_id=location_id)))
        | Q(Exists(_links(ContractAsset).filter(asset__location_id=location_id)))
        | (Q(customer_id=location_customer) & customer_wide())
    )


# The status each contract of `Contract.objects` carries (`models.ContractManager`), as a filter.
ACTIVE = Q(status=Contract.Status.ACTIVE)


def active_on(queryset: QuerySet[Contract], on: datetime.date | None = None) -> QuerySet[Contract]:
    """The contracts in force on `on` (today in TIME_ZONE by default): started on or before it,
    and not ended before it."""
    day: Any = Value(on) if on is not None else today_expression()
    return queryset.filter(Q(start_date__lte=day), Q(end_date__isnull=True) | Q(end_date__gte=day))


def active_or_not(queryset: QuerySet[Contract], active: bool) -> QuerySet[Contract]:
    """The contracts in force today (`active=True`), or those upcoming or expired (`False`)."""
    return queryset.filter(ACTIVE) if active else queryset.exclude(ACTIVE)


def ending_within(queryset: QuerySet[Contract], days: int) -> QuerySet[Contract]:
    """The contracts in force today whose end date is within `days` days from today (today
    included), soonest first (then by number): the staff list of contracts to renew."""
    horizon = timezone.localdate() + datetime.timedelta(days=days)
    return queryset.filter(ACTIVE, end_date__isnull=False, end_date__lte=horizon).order_by("end_date", "id")


def _pk(value: Customer | Location | Asset | int | None) -> int | None:
    return value.pk if isinstance(value, Customer | Location | Asset) else value


def covering_contract(
    *,
    customer: Customer | int,
    location: Location | int | None = None,
    asset: Asset | int | None = None,
    on: datetime.date | None = None,
) -> Contract | None:
    """The contract of `customer` in force on `on` (today in TIME_ZONE by default) that covers the
    place: `asset` (when given), at `location` (when given; else the asset's location), in ONE
    query. None when no contract in force covers it.

    A contract covers the place when it names the asset, names the location, or names neither any
    location nor any asset (customer-wide). Among several, the most specific wins: one naming the
    asset, then one naming the location, then a customer-wide one; among equals, the latest
    `start_date`, then the newest (highest number). A contract naming only other places does not
    cover this one. The contract answered carries `coverage`, what made it cover the place
    (`"asset"`, `"location"` or `"customer"`), and its `status` on `on`. It is not scoped to a
    user: callers hand it objects they fetched through `access`."""
    customer_id = customer.pk if isinstance(customer, Customer) else customer
    location_id = _pk(location)
    asset_id = _pk(asset)
    ranks: list[When] = []
    if asset_id is not None:
        ranks.append(When(Exists(_links(ContractAsset).filter(asset_id=asset_id)), then=Value(0)))
    place: Any = location_id
    if place is None and asset_id is not None:
        place = Subquery(Asset.objects.filter(pk=asset_id).values("location_id")[:1])
    if place is not None:
        ranks.append(When(Exists(_links(ContractLocation).filter(location_id=place)), then=Value(1)))
    ranks.append(When(customer_wide(), then=Value(2)))
    found = (
        active_on(Contract.objects.filter(customer_id=customer_id), on)
        .annotate(coverage_rank=Case(*ranks, default=Value(None), output_field=IntegerField()))
        .filter(coverage_rank__isnull=False)
        .order_by("coverage_rank", "-start_date", "-id")
        .first()
    )
    if found is None:
        return None
    found.coverage = COVERAGE[found.coverage_rank]  # type: ignore[attr-defined]
    if on is not None:
        found.status = found.status_on(on)
    return found


def contract_history(contract_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The latest recorded changes of a contract (its locations and assets included), newest first
    (`clientbase.history.entries`)."""
    return history.entries(Contract, Contract.history.filter(id=contract_id), limit=limit)
