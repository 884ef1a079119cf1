"""The imports' figures on `/metrics` (`clientbase.metrics.register_collector`), read from the
database at each scrape: `clientbase_import_rows_total{outcome}`, the rows of committed imports
(applied or reverted since) by outcome (created, updated, unchanged, refused), as counters. One
query; dry runs leave no run behind and are not counted."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Sum
from prometheus_client.core import CounterMetricFamily, Metric

from clientbase.transfer.models import ImportRun

OUTCOMES = {"created": "created", "updated": "updated", "unchanged": "unchanged", "refused": "error_count"}


def collect() -> Iterable[Metric]:
    sums = ImportRun.objects.exclude(status=ImportRun.Status.RUNNING).aggregate(
        **{outcome: Sum(field) for outcome, field in OUTCOMES.items()}
    )
    rows = CounterMetricFamily(
        "clientbase_import_rows", "Rows of committed imports, by outcome.", labels=["outcome"]
    )
    for outcome in OUTCOMES:
        rows.add_metric([outcome], sums[outcome] or 0)
    yield rows
