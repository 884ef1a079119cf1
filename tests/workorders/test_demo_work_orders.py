"""The demo's work orders: one or more in each status, with technicians and the days of their
lifecycle, written through the services (their mails wait in the outbox), each under the contract
that covered its place on the day it was opened."""

from __future__ import annotations

import pytest
from django.utils import timezone

from clientbase.contracts.selectors import covering_contract
from clientbase.demo import load_demo
from clientbase.notifications.models import Message
from clientbase.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def test_the_demo_has_work_orders_in_every_status_with_their_days(monkeypatch):
    monkeypatch.delenv("CLIENTBASE_ADMIN_PASSWORD", raising=False)
    load_demo(admin_password="demo-pass-7391")
    work_orders = list(WorkOrder.objects.all())
    assert {work_order.status for work_order in work_orders} == {
        status for status, _ in WorkOrder.Status.choices
    }
    now = timezone.now()
    for work_order in work_orders:
        assert work_order.created_at <= now
        if work_order.status in ("scheduled", "in_progress", "completed"):
            assert (
                work_order.scheduled_start is not None
                and work_order.scheduled_end >= work_order.scheduled_start
            )
        if work_order.status == "completed":
            assert work_order.completed_at and work_order.completion_note and work_order.technician_name
            assert work_order.completed_at < now and work_order.created_at < work_order.scheduled_start
        if work_order.status == "cancelled":
            assert work_order.cancel_reason
    assert {wo.technician.username for wo in work_orders if wo.technician} == {"technician"}
    assert WorkOrder.objects.filter(status="scheduled", scheduled_start__gt=now).exists()
    assert Message.objects.filter(event="work_order.completed", status="pending").exists()


def test_the_demo_work_orders_have_the_contracts_that_covered_them_when_opened(monkeypatch):
    monkeypatch.delenv("CLIENTBASE_ADMIN_PASSWORD", raising=False)
    load_demo(admin_password="demo-pass-7391")
    work_orders = list(WorkOrder.objects.select_related("contract"))
    for work_order in work_orders:
        covering = covering_contract(
            customer=work_order.customer_id,
            location=work_order.location_id,
            asset=work_order.asset_id,
            on=timezone.localdate(work_order.created_at),
        )
        assert work_order.contract_id == getattr(covering, "pk", None), work_order.summary
    # Some under a contract naming their asset, some under one naming their location, some under none.
    under = [work_order for work_order in work_orders if work_order.contract is not None]
    assert any(work_order.contract.assets.filter(pk=work_order.asset_id).exists() for work_order in under)
    assert any(
        work_order.contract.locations.filter(pk=work_order.location_id).exists() for work_order in under
    )
    assert 0 < len(under) < len(work_orders)
