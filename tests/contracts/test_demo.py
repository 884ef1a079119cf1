"""The demo's service contracts: for the demo customers, through the services, with every status
the pages show (several in force, for sites, for equipment and customer-wide; one ending within 60
days; one upcoming; one expired)."""

from __future__ import annotations

import io

import pytest

from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import ending_within
from clientbase.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_contracts_in_every_status(monkeypatch):
    monkeypatch.delenv("CLIENTBASE_ADMIN_PASSWORD", raising=False)
    out = io.StringIO()
    load_demo(stdout=out, admin_password="demo-pass-7391")
    contracts = list(Contract.objects.prefetch_related("locations", "assets"))
    assert len(contracts) >= 6
    assert "service contracts" in out.getvalue()
    statuses = [contract.status for contract in contracts]
    assert statuses.count("active") >= 3
    assert statuses.count("upcoming") == statuses.count("expired") == 1
    active = [contract for contract in contracts if contract.status == "active"]
    assert any(contract.locations.all() for contract in active)
    assert any(contract.assets.all() for contract in active)
    assert any(not contract.locations.all() and not contract.assets.all() for contract in active)
    assert ending_within(Contract.objects.all(), 60).count() >= 1
    for contract in contracts:
        customer_id = contract.customer_id
        assert all(location.customer_id == customer_id for location in contract.locations.all())
        assert contract.history.filter(history_type="+").exists()
