"""The facts a notification shows, taken as a snapshot when the change happens.

Only what every recipient of the event may see goes in: the customer's name and number, the
location's name and address, the asset's identification, the work order's number, summary,
description and status, the site contact's name, the amount of a quote or invoice. Never the notes
of the customer, its contacts or locations (internal), never another contact's e-mail or phone,
never anything of another customer. The values are plain text, JSON-serialisable.

The facts of the customer, its locations and assets are here; the apps whose events notify build
theirs on them (`clientbase.workorders.facts`: work orders, quotes, invoices)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings

from clientbase.customers.models import ADDRESS_KEYS
from clientbase.money import format_money

if TYPE_CHECKING:
    from clientbase.customers.models import Asset, Customer, Location


def money(amount: Decimal) -> str:
    """`Decimal("1234.5")` → `"$1,234.50"`: in the installation's currency (`clientbase.money`)."""
    return format_money(amount)


# Countries (ISO 3166 codes, as the address's `country` holds them) whose addresses end with
# "City, Region Postal code": North America's and Australia's postal conventions.
CITY_FIRST = frozenset({"US", "CA", "AU"})


def address_lines(address: dict[str, str] | None) -> list[str]:
    """Street, street2, then the town line, then country; empty parts left out. The town line is
    "City, Region Postal code" in `CITY_FIRST` countries (the installation's
    `CLIENTBASE_DEFAULT_REGION` when the address names none: "Chicago, IL 60607"), elsewhere
    "Postal code City, Region" ("75001 Paris")."""
    address = {key: (address or {}).get(key, "") for key in ADDRESS_KEYS}
    country = (address["country"] or settings.CLIENTBASE_DEFAULT_REGION).strip().upper()
    if country in CITY_FIRST:
        town = ", ".join(part for part in (address["city"], address["region"]) if part)
        town = " ".join(part for part in (town, address["postal_code"]) if part)
    else:
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
