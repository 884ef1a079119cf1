"""A hand-built set of work orders whose report figures are worked out by hand (`EXPECTED_*`), and
helpers that write work orders with the times a test needs (`created_at` is set by the database on
insert, so it is written afterwards)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from clientbase.customers.models import Asset, Customer, Location
from clientbase.workorders.models import WorkOrder
from tests.factories import AssetFactory, CustomerFactory, LocationFactory
from tests.workorders.factories import WorkOrderFactory

UTC = datetime.UTC


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def work_order(
    customer: Customer,
    *,
    created: datetime.datetime,
    status: str = "open",
    completed: datetime.datetime | None = None,
    location: Location | None = None,
    asset: Asset | None = None,
    summary: str = "",
) -> WorkOrder:
    """A work order in `status`, created at `created` (completed at `completed`)."""
    extra: dict[str, Any] = {}
    if status == "cancelled":
        extra["cancel_reason"] = "The customer fixed it."
    if status == "scheduled":
        extra["scheduled_start"] = created + datetime.timedelta(days=1)
    if summary:
        extra["summary"] = summary
    order = WorkOrderFactory(
        customer=customer, location=location, asset=asset, status=status, completed_at=completed, **extra
    )
    WorkOrder.objects.filter(pk=order.pk).update(created_at=created)
    order.refresh_from_db()
    return order


@dataclass
class Scene:
    acme: Customer
    birch: Customer
    cedar: Customer
    north: Location
    south: Location
    birch_hq: Location
    chiller: Asset
    boiler: Asset
    orders: dict[int, WorkOrder]


@pytest.fixture
def scene(db) -> Scene:
    """Acme Cooling: North Plant (Chiller 1), South Plant (Boiler 2), and work at no site; Birch
    Offices: Birch HQ; Cedar Foods: no work orders at all. The numbers 1-9 are those of
    `EXPECTED_*`."""
    acme = CustomerFactory(name="Acme Cooling")
    birch = CustomerFactory(name="Birch Offices")
    cedar = CustomerFactory(name="Cedar Foods")
    north = LocationFactory(customer=acme, name="North Plant")
    south = LocationFactory(customer=acme, name="South Plant")
    birch_hq = LocationFactory(customer=birch, name="Birch HQ")
    LocationFactory(customer=cedar, name="Cedar Depot")
    chiller = AssetFactory(location=north, name="Chiller 1")
    boiler = AssetFactory(location=south, name="Boiler 2")
    orders = {
        # 2.5 days
        1: work_order(acme, location=north, asset=chiller, status="completed",
                      created=at(2024, 3, 1, 8), completed=at(2024, 3, 3, 20)),
        # 1 day
        2: work_order(acme, location=north, asset=chiller, status="completed",
                      created=at(2024, 3, 10), completed=at(2024, 3, 11)),
        3: work_order(acme, location=north, status="open", created=at(2024, 3, 15)),
        4: work_order(acme, location=south, asset=boiler, status="scheduled", created=at(2024, 3, 20)),
        5: work_order(acme, location=south, asset=boiler, status="cancelled", created=at(2024, 3, 21, 23, 59, 59)),
        6: work_order(acme, status="in_progress", created=at(2024, 3, 25)),
        # 3.5 days
        7: work_order(acme, location=south, status="completed",
                      created=at(2024, 4, 2, 6), completed=at(2024, 4, 5, 18)),
        # 0.5 days
        8: work_order(birch, location=birch_hq, status="completed",
                      created=at(2024, 3, 5), completed=at(2024, 3, 5, 12)),
        9: work_order(birch, location=birch_hq, status="open", created=at(2024, 3, 6)),
    }  # fmt: skip
    return Scene(acme, birch, cedar, north, south, birch_hq, chiller, boiler, orders)


def figures(
    total: int, open: int, completed: int, cancelled: int, mean: float | None, last: str | None
) -> dict:
    return {
        "total": total,
        "open": open,
        "completed": completed,
        "cancelled": cancelled,
        "mean_days_to_complete": mean,
        "last_service": last,
    }


def expected_by_customer(scene: Scene) -> list[dict]:
    """(2.5 + 1 + 3.5) / 3 = 2.33 days at Acme; Cedar, without work orders, is no row."""
    return [
        {"group": {"id": scene.acme.pk, "name": "Acme Cooling"}, **figures(7, 3, 3, 1, 2.3, "2024-04-05")},
        {"group": {"id": scene.birch.pk, "name": "Birch Offices"}, **figures(2, 1, 1, 0, 0.5, "2024-03-05")},
    ]


def expected_by_location(scene: Scene) -> list[dict]:
    """North (2.5 + 1) / 2 = 1.75, rounded half up to 1.8; by total, then name; the work at no
    site last among the totals of one."""
    acme = {"id": scene.acme.pk, "name": "Acme Cooling"}
    birch = {"id": scene.birch.pk, "name": "Birch Offices"}
    return [
        {"group": {"id": scene.north.pk, "name": "North Plant", "customer": acme},
         **figures(3, 1, 2, 0, 1.8, "2024-03-11")},
        {"group": {"id": scene.south.pk, "name": "South Plant", "customer": acme},
         **figures(3, 1, 1, 1, 3.5, "2024-04-05")},
        {"group": {"id": scene.birch_hq.pk, "name": "Birch HQ", "customer": birch},
         **figures(2, 1, 1, 0, 0.5, "2024-03-05")},
        {"group": {"id": None, "name": "Not at one particular site", "customer": acme},
         **figures(1, 1, 0, 0, None, None)},
    ]  # fmt: skip


def expected_by_asset(scene: Scene) -> list[dict]:
    acme = {"id": scene.acme.pk, "name": "Acme Cooling"}
    birch = {"id": scene.birch.pk, "name": "Birch Offices"}
    return [
        {"group": {"id": None, "name": "Not on one particular asset", "customer": acme},
         **figures(3, 2, 1, 0, 3.5, "2024-04-05")},
        {"group": {"id": scene.boiler.pk, "name": "Boiler 2", "customer": acme},
         **figures(2, 1, 0, 1, None, None)},
        {"group": {"id": scene.chiller.pk, "name": "Chiller 1", "customer": acme},
         **figures(2, 0, 2, 0, 1.8, "2024-03-11")},
        {"group": {"id": None, "name": "Not on one particular asset", "customer": birch},
         **figures(2, 1, 1, 0, 0.5, "2024-03-05")},
    ]  # fmt: skip


def expected_in_march_6_to_21(scene: Scene) -> list[dict]:
    """Created 6 to 21 March, both days whole: orders 2, 3, 4, 5 (at 23:59:59 on the 21st) and 9;
    order 8 (on the 5th) and 6 (the 25th) are outside."""
    return [
        {"group": {"id": scene.acme.pk, "name": "Acme Cooling"}, **figures(4, 2, 1, 1, 1.0, "2024-03-11")},
        {"group": {"id": scene.birch.pk, "name": "Birch Offices"}, **figures(1, 1, 0, 0, None, None)},
    ]
