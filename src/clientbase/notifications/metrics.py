"""The outbox's figures on `/metrics` (`clientbase.metrics.register_collector`), read from the
database at each scrape, so every server of an installation answers the same:

- `clientbase_outbox_messages{status}`: messages by status (pending: the queue's depth; failed and
  bounced: deliveries given up),
- `clientbase_outbox_oldest_pending_seconds`: age of the oldest pending message (0 when none):
  growing means no worker delivers.
One query (GROUP BY status, MIN(created_at) of the pending)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from clientbase.notifications.models import Message


def collect() -> Iterable[Metric]:
    by_status = GaugeMetricFamily(
        "clientbase_outbox_messages",
        "Outbox messages by status (pending: waiting to be sent).",
        labels=["status"],
    )
    rows = {
        row["status"]: row
        for row in Message.objects.order_by()
        .values("status")
        .annotate(count=Count("id"), oldest=Min("created_at"))
    }
    for status in Message.Status.values:
        by_status.add_metric([status], rows.get(status, {}).get("count", 0))
    yield by_status
    oldest = rows.get(Message.Status.PENDING, {}).get("oldest")
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily(
        "clientbase_outbox_oldest_pending_seconds",
        "Age of the oldest pending outbox message (0: none).",
        value=age,
    )
