"""The counts of every rule stored by a worker's periodic job and read by the dashboard, the API's
summary and the command line for users who see every row; counted when asked otherwise."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientbase import periodic
from clientbase.quality import selectors, snapshot
from clientbase.quality.rules import RULES
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.delete(snapshot.KEY)
    yield
    cache.delete(snapshot.KEY)


def test_the_worker_job_stores_the_counts_and_the_dashboard_reads_them(admin_user, api):
    CustomerFactory(billing_address={})
    assert "quality counts" in {job.name for job in periodic.jobs()}
    stored = snapshot.refresh()
    assert stored["counts"]["customer_without_billing_address"] == 1
    rules = selectors.visible_rules(admin_user)
    with CaptureQueriesContext(connection) as queries:
        counted, at = selectors.dashboard_counts(admin_user, rules)
    assert at is not None and counted == selectors.counts(admin_user, rules)
    assert not [q for q in queries if "COUNT" in q["sql"].upper()]
    summary = api(admin_user).get("/api/v1/quality/summary/").json()
    assert summary["counted_at"] is not None


def test_counts_are_counted_when_stored_ones_do_not_hold(admin_user, portal_user_factory):
    customer = CustomerFactory(billing_address={})
    snapshot.refresh()
    rules = selectors.visible_rules(admin_user)
    # One customer's counts, and a user who sees only some rows: counted now.
    assert selectors.dashboard_counts(admin_user, rules, customer=customer.pk)[1] is None
    portal = portal_user_factory(customer, ("admin",))
    assert selectors.dashboard_counts(portal, selectors.visible_rules(portal))[1] is None
    # Stale counts (no worker refreshed them): counted now.
    stale = {
        "at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "counts": {r.name: 99 for r in RULES},
    }
    cache.set(snapshot.KEY, stale)
    counted, at = selectors.dashboard_counts(admin_user, rules)
    assert at is None and counted["customer_without_billing_address"] == 1


def test_periodic_jobs_run_when_due_and_a_failure_never_stops_them():
    ran = []
    periodic.register("test job", 10, lambda: ran.append(1))
    periodic.register("failing job", 10, lambda: 1 / 0)
    try:
        start = 1_000_000.0
        assert {"test job", "failing job"} <= set(periodic.run_due(start))
        assert "test job" not in periodic.run_due(start + 5)
        assert "test job" in periodic.run_due(start + 11)
        assert ran == [1, 1]
    finally:
        periodic._JOBS.pop("test job", None)
        periodic._JOBS.pop("failing job", None)
