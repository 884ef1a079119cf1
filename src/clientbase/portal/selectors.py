"""Reads of the portal beyond `.get()`: the reports' summary per location. Each starts from what
`access` lets the portal user see."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from clientbase import access
from clientbase.customers.models import Location
from clientbase.workorders.models import Invoice, WorkOrder

CLOSED = (WorkOrder.Status.COMPLETED, WorkOrder.Status.CANCELLED)


@dataclass
class LocationSummary:
    """One row of the report: a site (None: work not at one particular site)."""

    location_id: int | None
    name: str
    open_work_orders: int = 0
    completed_work_orders: int = 0
    cancelled_work_orders: int = 0
    invoices: int = 0
    invoiced: Decimal = field(default_factory=lambda: Decimal("0.00"))
    unpaid: Decimal = field(default_factory=lambda: Decimal("0.00"))

    @property
    def work_orders(self) -> int:
        return self.open_work_orders + self.completed_work_orders + self.cancelled_work_orders

    def bar(self, scale: int) -> dict[str, float]:
        """Widths in percent of the chart's bar segments, against the largest row's total."""
        if not scale:
            return {"open": 0.0, "completed": 0.0, "cancelled": 0.0}
        return {
            "open": round(100 * self.open_work_orders / scale, 1),
            "completed": round(100 * self.completed_work_orders / scale, 1),
            "cancelled": round(100 * self.cancelled_work_orders / scale, 1),
        }


def location_summaries(user: Any, customer_id: int) -> list[LocationSummary]:
    """Work orders (open, completed, cancelled) and issued invoices (count, total, unpaid) per
    location of the customer, sites by name, work not at a site last. Three queries."""
    rows: dict[int | None, LocationSummary] = {
        pk: LocationSummary(pk, name)
        for pk, name in access.restrict(user, Location.objects.filter(customer_id=customer_id), access.VIEW)
        .order_by("name")
        .values_list("pk", "name")
    }
    no_site = LocationSummary(None, "Not at one particular site")
    work_orders = (
        access.restrict(user, WorkOrder.objects.filter(customer_id=customer_id), access.REPORT)
        .values("location_id")
        .annotate(
            open=Count("id", filter=~Q(status__in=CLOSED)),
            completed=Count("id", filter=Q(status=WorkOrder.Status.COMPLETED)),
            cancelled=Count("id", filter=Q(status=WorkOrder.Status.CANCELLED)),
        )
        .order_by()
    )
    for row in work_orders:
        summary = rows.get(row["location_id"], no_site)
        summary.open_work_orders += row["open"]
        summary.completed_work_orders += row["completed"]
        summary.cancelled_work_orders += row["cancelled"]
    # Figures only (`access.REPORT`): `reports` sums invoices without reading them.
    invoices = (
        access.restrict(user, Invoice.objects.filter(customer_id=customer_id), access.REPORT)
        .exclude(status=Invoice.Status.DRAFT)
        .values("work_order__location_id")
        .annotate(
            count=Count("id"),
            total=Sum("amount"),
            unpaid=Sum("amount", filter=Q(status=Invoice.Status.ISSUED)),
        )
        .order_by()
    )
    for row in invoices:
        summary = rows.get(row["work_order__location_id"], no_site)
        summary.invoices += row["count"]
        summary.invoiced += row["total"] or Decimal("0")
        summary.unpaid += row["unpaid"] or Decimal("0")
    result = list(rows.values())
    if no_site.work_orders or no_site.invoices:
        result.append(no_site)
    return result
