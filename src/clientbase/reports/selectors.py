"""The reads of the service reports: one set-based query each, whatever the number of rows.

**Service report** (`service_report`): the work orders `user` may report on (`access.restrict`,
action REPORT), created within the period, grouped by customer, location or asset in one
`GROUP BY` with conditional aggregates:

- `total`; `open` (every status but completed and cancelled: open, scheduled, in progress);
  `completed`; `cancelled`;
- `mean_days_to_complete`: the mean of `completed_at - created_at` over the completed ones, in
  days rounded to one decimal (half up), None when none is completed. The database takes each
  difference in days and averages them (`DaysBetween`: an exact numeric from the epoch seconds of
  the interval on PostgreSQL; `julianday()` on SQLite, which reads times to the millisecond, a
  float). Both are rounded here to a millionth of a day first, then to one decimal, so both
  databases answer the same figure. (Django's `DurationField` subtraction takes three times as
  long on SQLite, through a function written in Python called for every row.);
- `last_service`: the day (in TIME_ZONE) of the latest `completed_at` among them, None when none.

Groups without work orders in the period are not rows. Work orders at no particular site (by
location) or on no particular asset (by asset) form one group per customer, whose id is None.
Rows come by `total`, largest first, then by name and id, so a page is stable.

**Idle assets** (`idle_assets`): the assets `user` may view, not retired, whose latest completed
work order (or none at all) was completed before the cut-off day, `months` months before today,
and that were not installed on or after it (they have not been in place that long); each with its
location and customer and `last_service_at` (None: never serviced), in one query, in the assets'
own order (site, name, id) so the list pages by keyset.

**Cost**: the service report reads every work order of the period once and sorts the groups; an
idle-assets page probes the work orders' `(asset, created_at)` index once per asset it passes.
The README's "Service reports" gives the times measured at 100,000 work orders."""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from clientbase import access
from clientbase.customers.models import Asset, Customer, Location
from clientbase.errors import Forbidden
from clientbase.reports.params import IdleQuery, ServiceQuery
from clientbase.workorders.models import WorkOrder

COMPLETED = WorkOrder.Status.COMPLETED
CANCELLED = WorkOrder.Status.CANCELLED
# The names of the groups of work orders at no particular site or on no particular asset.
NO_GROUP_NAMES = {"location": "Not at one particular site", "asset": "Not on one particular asset"}
# The fields that name a group of each grouping: (its id, its name).
GROUP_FIELDS = {
    "customer": ("customer_id", "customer__name"),
    "location": ("location_id", "location__name"),
    "asset": ("asset_id", "asset__name"),
}
# The aggregates' names in a row (prefixed: a row holds the work order's own field names too).
AGGREGATES = ("report_total", "report_open", "report_completed", "report_cancelled")
# What the databases' day arithmetic is rounded to before the figure's one decimal: a millionth of
# a day (0.09 s) is finer than any completion time, and coarser than a float's error.
MILLIONTH = Decimal("0.000001")
ONE_DECIMAL = Decimal("0.1")


class DaysBetween(Func):
    """`DaysBetween(later, earlier)`: `later - earlier` in days, taken by the database: on
    PostgreSQL the interval's seconds (`EXTRACT(EPOCH ...)`, an exact numeric) over 86,400; on
    SQLite the difference of the `julianday()` of each (a float; times to the millisecond)."""

    arity = 2
    output_field = FloatField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(julianday(%(expressions)s))",
            arg_joiner=") - julianday(",
            **extra,
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400)",
            arg_joiner=" - ",
            **extra,
        )


@dataclass(frozen=True)
class ServiceRow:
    """One group of a service report. `group_id` is None for the work orders of a customer at no
    particular site or on no particular asset; `customer_id`/`customer_name` are the group's
    customer (the group itself when grouped by customer), `customer_number` its number ("C-000042",
    as the pages and the downloads name a customer)."""

    group_by: str
    group_id: int | None
    group_name: str
    customer_id: int
    customer_name: str
    customer_number: str
    total: int
    open: int
    completed: int
    cancelled: int
    mean_days_to_complete: float | None
    last_service: datetime.date | None

    def as_dict(self) -> dict[str, Any]:
        """The API's shape: `{"group": {"id", "name"}, "total", "open", "completed", "cancelled",
        "mean_days_to_complete", "last_service"}`; grouped by location or asset, the group names
        its customer as well (`"customer": {"id", "name"}`)."""
        group: dict[str, Any] = {"id": self.group_id, "name": self.group_name}
        if self.group_by != "customer":
            group["customer"] = {"id": self.customer_id, "name": self.customer_name}
        return {
            "group": group,
            "total": self.total,
            "open": self.open,
            "completed": self.completed,
            "cancelled": self.cancelled,
            "mean_days_to_complete": self.mean_days_to_complete,
            "last_service": self.last_service.isoformat() if self.last_service else None,
        }

    @property
    def segments(self) -> dict[str, int]:
        """The counts a stacked bar shows, in its order."""
        return {"completed": self.completed, "open": self.open, "cancelled": self.cancelled}


STAFF_ONLY = (
    "Service reports are for staff. Customer contacts find the figures of their own sites on the "
    "portal's Reports page."
)
GROUP_MODELS = {"customer": Customer, "location": Location, "asset": Asset}


def require_reports(user: Any) -> None:
    """Forbidden unless `user` may report on work orders at all (staff: the right to view work
    orders; portal users are refused by `require_staff` once the customer is looked up)."""
    access.require_model(user, access.REPORT, WorkOrder)


def visible_customer(user: Any, customer: int | None) -> Customer | None:
    """The customer a report is narrowed to: NotFound when it is missing or out of `user`'s scope
    (as every customer filter answers); None when none is named."""
    if customer is None:
        return None
    return access.fetch(user, Customer.objects.all(), customer)


def require_staff(user: Any) -> None:
    """Forbidden for anyone but staff: a portal user's figures are on the portal's reports page."""
    if not access.is_staff(user):
        raise Forbidden(STAFF_ONLY)


def check_service_report(user: Any, query: ServiceQuery) -> Customer | None:
    """Whether `user` may have the service report `query` asks for; answers its customer (None:
    all customers). Forbidden without the right to report on work orders, for portal users, and
    without the right to view what the report groups by; NotFound for a customer out of scope."""
    require_reports(user)
    customer = visible_customer(user, query.customer)
    require_staff(user)
    access.require_model(user, access.VIEW, GROUP_MODELS[query.group_by])
    return customer


def check_idle_assets(user: Any, query: IdleQuery) -> Customer | None:
    """As `check_service_report`, for the idle-assets list: it also needs the right to view
    assets."""
    require_reports(user)
    customer = visible_customer(user, query.customer)
    require_staff(user)
    access.require_model(user, access.VIEW, Asset)
    return customer


def day_start(day: datetime.date) -> datetime.datetime:
    """The first moment of `day` in TIME_ZONE."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def local_day(moment: datetime.datetime | None) -> datetime.date | None:
    """The day of `moment` in TIME_ZONE (None for None)."""
    return timezone.localtime(moment).date() if moment is not None else None


def days(value: float | Decimal | None) -> float | None:
    """A number of days as the report gives it: rounded to a millionth of a day, then to one
    decimal (half up); None for None."""
    if value is None:
        return None
    exact = Decimal(str(value)).quantize(MILLIONTH, rounding=ROUND_HALF_UP)
    return float(exact.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def work_orders_in(user: Any, query: ServiceQuery) -> QuerySet[WorkOrder]:
    """The work orders `user` may report on, of the query's customer, created within its period
    (from the first moment of `start` to before the first moment of the day after `end`, in
    TIME_ZONE: a range an index on `created_at` can answer)."""
    work_orders = access.restrict(user, WorkOrder.objects.all(), access.REPORT)
    if query.customer is not None:
        work_orders = work_orders.filter(customer_id=query.customer)
    if query.start is not None:
        work_orders = work_orders.filter(created_at__gte=day_start(query.start))
    if query.end is not None and query.end < datetime.date.max:
        work_orders = work_orders.filter(created_at__lt=day_start(query.end + datetime.timedelta(days=1)))
    return work_orders


def service_report(user: Any, query: ServiceQuery) -> QuerySet:
    """The rows of the report, as dictionaries (`service_row` makes each a ServiceRow), ordered
    by total (largest first), then name and id: one query, its GROUP BY done by the database.
    Page it by slicing (one query per page) or read it whole (`iterator()`)."""
    id_field, name_field = GROUP_FIELDS[query.group_by]
    fields = [id_field, name_field]
    if query.group_by != "customer":
        fields += ["customer_id", "customer__name"]
    fields.append("customer__number")
    duration = DaysBetween("completed_at", "created_at")
    done = Q(status=COMPLETED)
    ordering: list[Any] = ["-report_total"]
    if query.group_by == "customer":
        ordering += [name_field, id_field]
    else:  # the groups at no site or on no asset (name and id null) after the others of their total
        ordering += [
            F(name_field).asc(nulls_last=True),
            F(id_field).asc(nulls_last=True),
            "customer__name",
            "customer_id",
        ]
    return (
        work_orders_in(user, query)
        .values(*fields)
        .annotate(
            report_total=Count("pk"),
            report_open=Count("pk", filter=~Q(status__in=WorkOrder.CLOSED)),
            report_completed=Count("pk", filter=done),
            report_cancelled=Count("pk", filter=Q(status=CANCELLED)),
            report_mean=Avg(duration, filter=done & Q(completed_at__isnull=False)),
            report_last=Max("completed_at", filter=done),
        )
        .order_by(*ordering)
    )


def service_row(group_by: str, values: dict[str, Any]) -> ServiceRow:
    """One row of `service_report` as a ServiceRow."""
    id_field, name_field = GROUP_FIELDS[group_by]
    group_id = values[id_field]
    return ServiceRow(
        group_by=group_by,
        group_id=group_id,
        group_name=values[name_field] if group_id is not None else NO_GROUP_NAMES[group_by],
        customer_id=values["customer_id"],
        customer_name=values["customer__name"],
        customer_number=values["customer__number"],
        total=values["report_total"],
        open=values["report_open"],
        completed=values["report_completed"],
        cancelled=values["report_cancelled"],
        mean_days_to_complete=days(values["report_mean"]),
        last_service=local_day(values["report_last"]),
    )


def service_rows(group_by: str, rows: Iterable[dict[str, Any]]) -> Iterator[ServiceRow]:
    for values in rows:
        yield service_row(group_by, values)


# Idle assets --------------------------------------------------------------------------------------

IDLE_ORDERING = ("location_id", "name", "id")


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The day `months` calendar months before `day` (the month's last day where it is shorter:
    one month before 31 March is 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def idle_cutoff(months: int, today: datetime.date | None = None) -> datetime.date:
    """The day before which an asset's last service makes it idle: `months` months before today
    (in TIME_ZONE)."""
    return months_before(today or timezone.localdate(), months)


def idle_assets(user: Any, query: IdleQuery, *, today: datetime.date | None = None) -> QuerySet[Asset]:
    """The assets `user` may view (of the query's customer) that are idle for `query.months`
    months (see the module), each with `location`, `location.customer` and `last_service_at`
    (the latest `completed_at` of its completed work orders, None when none), in the order
    IDLE_ORDERING: one query per page."""
    cutoff = idle_cutoff(query.months, today)
    completed = access.restrict(
        user, WorkOrder.objects.filter(asset_id=OuterRef("pk"), status=COMPLETED), access.REPORT
    )
    assets = access.restrict(user, Asset.objects.all(), access.VIEW).exclude(status=Asset.Status.RETIRED)
    if query.customer is not None:
        assets = assets.filter(location__customer_id=query.customer)
    return (
        assets.exclude(installed_on__gte=cutoff)
        .filter(~Exists(completed.filter(completed_at__gte=day_start(cutoff))))
        .annotate(
            last_service_at=Subquery(
                completed.order_by("-completed_at").values("completed_at")[:1],
                output_field=WorkOrder._meta.get_field("completed_at"),
            )
        )
        .select_related("location__customer")
        .order_by(*IDLE_ORDERING)
    )


def idle_asset_dict(asset: Asset) -> dict[str, Any]:
    """The API's shape of one idle asset: `{"asset": {"id", "name", "serial_number"}, "location":
    {"id", "name"}, "customer": {"id", "name"}, "installed_on", "last_service"}` (days as
    YYYY-MM-DD or null)."""
    location = asset.location
    last = local_day(getattr(asset, "last_service_at", None))
    return {
        "asset": {"id": asset.pk, "name": asset.name, "serial_number": asset.serial_number},
        "location": {"id": location.pk, "name": location.name},
        "customer": {"id": location.customer_id, "name": location.customer.name},
        "installed_on": asset.installed_on.isoformat() if asset.installed_on else None,
        "last_service": last.isoformat() if last else None,
    }
