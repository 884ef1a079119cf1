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


@pytest.mark.django_db
def test_staff_pages_and_history_show_amounts_with_their_currency(admin_user):
    from django.test import Client

    from clientbase.contacts import services as contact_services
    from tests.factories import ContactFactory, CustomerFactory
    from tests.workorders.factories import InvoiceFactory, QuoteFactory

    customer = CustomerFactory(name="Northwind Hospitals")
    approver = ContactFactory(customer=customer, role_approver=True, approval_limit=Decimal("25000"))
    contact_services.update_contact(
        contact=approver, acting_user=admin_user, data={"approval_limit": Decimal("30000")}
    )
    quote = QuoteFactory(customer=customer, amount=Decimal("12450.5"))
    invoice = InvoiceFactory(customer=customer, amount=Decimal("731.37"))
    client = Client()
    client.force_login(admin_user)
    contact_page = client.get(f"/contacts/{approver.pk}/").content.decode()
    assert "$30,000.00" in contact_page  # the approval limit
    assert "$25,000.00" in contact_page and "$30,000.00" in contact_page  # and its history
    assert "$12,450.50" in client.get(f"/quotes/{quote.pk}/").content.decode()
    assert "$12,450.50" in client.get("/quotes/").content.decode()
    assert "$731.37" in client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert "$731.37" in client.get("/invoices/").content.decode()
