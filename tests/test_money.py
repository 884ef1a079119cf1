"""Money shows with its currency and thousands separators (CLIENTBASE_CURRENCY, default USD)."""

from __future__ import annotations

import subprocess
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings

from clientbase.money import format_money
from tests.test_cli import CLIENTBASE, subprocess_env


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("12450"), None, "$12,450.00"),
        (Decimal("1234567.5"), None, "$1,234,567.50"),
        (Decimal("0.5"), None, "$0.50"),
        (Decimal("731.37"), "EUR", "€731.37"),
        (Decimal("99"), "GBP", "£99.00"),
        (Decimal("1000"), "CHF", "CHF 1,000.00"),
        (Decimal("1000"), "JPY", "¥1,000"),
        (None, None, ""),
    ],
)
def test_amounts_show_with_their_currency_and_thousands_separators(amount, currency, shown):
    assert format_money(amount, currency).replace("\xa0", " ") == shown


def test_the_installation_currency_is_the_setting_and_every_template_has_the_filter():
    template = Template("{{ amount|money }}")  # no {% load %}: a built-in
    assert template.render(Context({"amount": Decimal("2500")})) == "$2,500.00"
    with override_settings(CLIENTBASE_CURRENCY="EUR"):
        assert template.render(Context({"amount": Decimal("2500")})) == "€2,500.00"
        assert format_money(Decimal("2500")) == "€2,500.00"


def test_an_unknown_currency_stops_the_start_with_its_reason(tmp_path):
    env = {**subprocess_env(tmp_path), "CLIENTBASE_CURRENCY": "DOLLARS"}
    result = subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "CLIENTBASE_CURRENCY='DOLLARS' is not an ISO 4217 currency code" in result.stderr
    env["CLIENTBASE_CURRENCY"] = "eur"  # any case
    assert subprocess.run([CLIENTBASE, "check"], env=env, capture_output=True, timeout=60).returncode == 0
