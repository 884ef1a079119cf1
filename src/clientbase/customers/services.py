"""Every write to customers, locations, assets and asset parts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model

from clientbase import access
from clientbase.customers.models import ADDRESS_KEYS, Asset, AssetPart, Customer, Location
from clientbase.errors import ValidationFailed
from clientbase.versions import ExpectedVersion, lock
from clientbase.writes import apply_values, refusals_as_conflicts, set_acting_user, validate

CUSTOMER_FIELDS = (
    "name",
    "legal_name",
    "tax_id",
    "status",
    "email",
    "phone",
    "website",
    "billing_address",
    "notes",
)
LOCATION_FIELDS = ("customer", "name", "code", "address", "access_notes", "is_active")
ASSET_FIELDS = (
    "location",
    "name",
    "asset_tag",
    "serial_number",
    "manufacturer",
    "model",
    "installed_on",
    "warranty_until",
    "status",
)
ASSET_PART_FIELDS = ("asset", "name", "part_number", "serial_number", "installed_on")


def clean_address(value: Any, field: str) -> dict[str, str]:
    """An address is an object of known keys with text values."""
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationFailed({field: ['An address is an object, e.g. {"street": ..., "city": ...}.']})
    unknown = sorted(set(value) - set(ADDRESS_KEYS))
    if unknown:
        raise ValidationFailed(
            {field: [f"Unknown address keys: {', '.join(unknown)}. Known: {', '.join(ADDRESS_KEYS)}."]}
        )
    if any(not isinstance(v, str) for v in value.values()):
        raise ValidationFailed({field: ["Address values are text."]})
    return {key: value[key].strip() for key in ADDRESS_KEYS if value.get(key, "").strip()}


def _strip_text(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _save(instance: Model, acting_user: Any, changed: list[str] | None = None) -> None:
    set_acting_user(instance, acting_user)
    with refusals_as_conflicts():
        if changed is None:
            instance.save()
        elif changed:
            instance.save(update_fields=[*changed, "updated_at"])


def _delete(instance: Model, acting_user: Any) -> None:
    set_acting_user(instance, acting_user)
    with refusals_as_conflicts():
        instance.delete()


# Customers -------------------------------------------------------------------------------------


@transaction.atomic
def create_customer(*, acting_user: Any, data: Mapping[str, Any]) -> Customer:
    """Create a customer; its number is assigned by the database."""
    access.require_model(acting_user, access.ADD, Customer)
    data = _strip_text(data)
    customer = Customer()
    if "billing_address" in data:
        data = {**data, "billing_address": clean_address(data["billing_address"], "billing_address")}
    apply_values(customer, data, CUSTOMER_FIELDS)
    validate(customer, exclude=["number"])
    _save(customer, acting_user)
    return customer


@transaction.atomic
def update_customer(
    *, customer: Customer, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Customer:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    access.require(acting_user, access.CHANGE, customer)
    customer = lock(customer, expected_version=expected_version)
    data = _strip_text(data)
    if "billing_address" in data:
        data = {**data, "billing_address": clean_address(data["billing_address"], "billing_address")}
    changed = apply_values(customer, data, CUSTOMER_FIELDS)
    validate(customer, exclude=["number"])
    _save(customer, acting_user, changed)
    return customer


@transaction.atomic
def delete_customer(
    *, customer: Customer, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    access.require(acting_user, access.DELETE, customer)
    customer = lock(customer, expected_version=expected_version)
    _delete(customer, acting_user)


# Locations -------------------------------------------------------------------------------------


@transaction.atomic
def create_location(*, acting_user: Any, data: Mapping[str, Any]) -> Location:
    access.require_model(acting_user, access.ADD, Location)
    data = _strip_text(data)
    customer = data.get("customer")
    if customer is None:
        raise ValidationFailed({"customer": ["This field is required."]})
    access.require_customer_in_scope(acting_user, customer.pk)
    if "address" in data:
        data = {**data, "address": clean_address(data["address"], "address")}
    location = Location()
    apply_values(location, data, LOCATION_FIELDS)
    validate(location)
    _save(location, acting_user)
    return location


@transaction.atomic
def update_location(
    *, location: Location, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Location:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    access.require(acting_user, access.CHANGE, location)
    location = lock(location, expected_version=expected_version)
    data = _strip_text(data)
    if "customer" in data and data["customer"].pk != location.customer_id:
        raise ValidationFailed(
            {"customer": ["A location cannot move to another customer; create it there instead."]}
        )
    if "address" in data:
        data = {**data, "address": clean_address(data["address"], "address")}
    changed = apply_values(location, data, LOCATION_FIELDS)
    validate(location)
    _save(location, acting_user, changed)
    return location


@transaction.atomic
def delete_location(
    *, location: Location, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    access.require(acting_user, access.DELETE, location)
    location = lock(location, expected_version=expected_version)
    _delete(location, acting_user)


# Assets and parts ------------------------------------------------------------------------------


@transaction.atomic
def create_asset(*, acting_user: Any, data: Mapping[str, Any]) -> Asset:
    access.require_model(acting_user, access.ADD, Asset)
    data = _strip_text(data)
    location = data.get("location")
    if location is None:
        raise ValidationFailed({"location": ["This field is required."]})
    access.require_customer_in_scope(acting_user, location.customer_id)
    asset = Asset()
    apply_values(asset, data, ASSET_FIELDS)
    validate(asset)
    _save(asset, acting_user)
    return asset


@transaction.atomic
def update_asset(
    *, asset: Asset, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Asset:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    access.require(acting_user, access.CHANGE, asset)
    asset = lock(asset, expected_version=expected_version)
    data = _strip_text(data)
    if "location" in data and data["location"].customer_id != asset.location.customer_id:
        raise ValidationFailed({"location": ["An asset can only move to another location of its customer."]})
    changed = apply_values(asset, data, ASSET_FIELDS)
    validate(asset)
    _save(asset, acting_user, changed)
    return asset


@transaction.atomic
def delete_asset(*, asset: Asset, acting_user: Any, expected_version: ExpectedVersion = None) -> None:
    access.require(acting_user, access.DELETE, asset)
    asset = lock(asset, expected_version=expected_version)
    _delete(asset, acting_user)


@transaction.atomic
def create_asset_part(*, acting_user: Any, data: Mapping[str, Any]) -> AssetPart:
    access.require_model(acting_user, access.ADD, AssetPart)
    data = _strip_text(data)
    asset = data.get("asset")
    if asset is None:
        raise ValidationFailed({"asset": ["This field is required."]})
    access.require_customer_in_scope(acting_user, asset.location.customer_id)
    part = AssetPart()
    apply_values(part, data, ASSET_PART_FIELDS)
    validate(part)
    _save(part, acting_user)
    return part


@transaction.atomic
def update_asset_part(
    *, part: AssetPart, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> AssetPart:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    access.require(acting_user, access.CHANGE, part)
    part = lock(part, expected_version=expected_version)
    data = _strip_text(data)
    if "asset" in data and data["asset"].location.customer_id != part.asset.location.customer_id:
        raise ValidationFailed({"asset": ["A part can only move to another asset of its customer."]})
    changed = apply_values(part, data, ASSET_PART_FIELDS)
    validate(part)
    _save(part, acting_user, changed)
    return part


@transaction.atomic
def delete_asset_part(*, part: AssetPart, acting_user: Any, expected_version: ExpectedVersion = None) -> None:
    access.require(acting_user, access.DELETE, part)
    part = lock(part, expected_version=expected_version)
    _delete(part, acting_user)
