"""The facts a notification shows, taken as a snapshot when the change happens.

Only what every recipient of the event may see goes in: the customer's name and number, the
location's name and address, the asset's identification, the work order's number, summary,
description and status, the site contact's name, the amount of a quote or invoice. Never the notes
of the customer, its contacts or locations (internal), never another contact's e-mail or phone,
never anything of another customer. The values are plain text, JSON-serialisable."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from clientbase.customers.models import ADDRESS_KEYS

if TYPE_CHECKING:
    from clientbase.customers.models import Asset, Customer, Location
    from clientbase.workorders.models import Invoice, Quote, WorkOrder


def money(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def address_lines(address: dict[str, str] | None) -> list[str]:
    """Street, street2, then "postal code city, region", then country; empty parts left out."""
    address = {key: (address or {}).get(key, "") for key in ADDRESS_KEYS}
    town = " ".join(part for part in (address["postal_code"], address["city"]) if part)
    town = ", ".join(part for part in (town, address["region"]) if part)
    return [line for line in (address["street"], address["street2"], town, address["country"]) if line]


def customer_facts(customer: Customer) -> dict[str, Any]:
    return {"customer_name": customer.name, "customer_number": customer.number or ""}


def location_facts(location: Location | None) -> dict[str, Any]:
    if location is None:
        return {"location": None}
    return {
        "location": {
            "name": location.name,
            "code": location.code,
            "address": address_lines(location.address),
        }
    }


def asset_facts(asset: Asset | None) -> dict[str, Any]:
    if asset is None:
        return {"asset": None}
    return {
        "asset": {
            "name": asset.name,
            "asset_tag": asset.asset_tag,
            "manufacturer": asset.manufacturer,
            "model": asset.model,
            "serial_number": asset.serial_number,
        }
    }


def work_order_facts(work_order: WorkOrder, changes: list[dict[str, str]] | None = None) -> dict[str, Any]:
    """A work order with its customer, location and asset; `changes` lists what an update changed
    as {"field", "old", "new"} in words."""
    return {
        "number": work_order.number,
        "summary": work_order.summary,
        "description": work_order.description,
        "status": work_order.get_status_display(),
        "site_contact_name": work_order.site_contact_name,
        "requested_by_name": work_order.requested_by_name,
        "changes": changes or [],
        **customer_facts(work_order.customer),
        **location_facts(work_order.location),
        **asset_facts(work_order.asset),
    }


def _related_work_order(work_order: WorkOrder | None) -> dict[str, Any]:
    if work_order is None:
        return {"work_order": None, **location_facts(None), **asset_facts(None)}
    return {
        "work_order": {"number": work_order.number, "summary": work_order.summary},
        **location_facts(work_order.location),
        **asset_facts(work_order.asset),
    }


def quote_facts(quote: Quote) -> dict[str, Any]:
    return {
        "number": quote.number,
        "amount": money(quote.amount),
        **customer_facts(quote.customer),
        **_related_work_order(quote.work_order),
    }


def invoice_facts(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "amount": money(invoice.amount),
        **customer_facts(invoice.customer),
        **_related_work_order(invoice.work_order),
    }
