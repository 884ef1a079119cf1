"""Every write to customers, locations, assets and asset parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model

from clientbase import access
from clientbase.customers.models import ADDRESS_KEYS, Asset, AssetPart, Customer, Location
from clientbase.customers.websites import normalize_website
from clientbase.errors import ValidationFailed
from clientbase.versions import ExpectedVersion, Versioned, lock
from clientbase.writes import apply_values, note_changes, refusals_as_conflicts, set_acting_user, validate

M = TypeVar("M", bound=Model)
V = TypeVar("V", bound=Versioned)

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


def _given_by_us(instance: Model) -> tuple[str, ...]:
    """Fields no caller sets, left out of `writes.validate`: a customer's number, given on save."""
    return ("number",) if isinstance(instance, Customer) else ()


def _with_address(data: dict[str, Any], field: str) -> dict[str, Any]:
    """`data` with its address (when given) checked and trimmed (`clean_address`)."""
    return {**data, field: clean_address(data[field], field)} if field in data else data


def _customer_data(data: dict[str, Any]) -> dict[str, Any]:
    """A customer's `data` with its billing address checked (`clean_address`) and its website
    (when given) as stored (`websites.normalize_website`: "example.com" is "https://example.com");
    ValidationFailed naming the field otherwise."""
    data = _with_address(data, "billing_address")
    if isinstance(data.get("website"), str):
        try:
            data = {**data, "website": normalize_website(data["website"])}
        except DjangoValidationError as error:
            raise ValidationFailed({"website": list(error.messages)}) from error
    return data


def _create(instance: M, acting_user: Any, data: Mapping[str, Any], fields: tuple[str, ...]) -> M:
    """Set `fields` from `data` on the new `instance`, check every rule (`writes.validate`), save."""
    apply_values(instance, data, fields)
    validate(instance, exclude=_given_by_us(instance))
    set_acting_user(instance, acting_user)
    with refusals_as_conflicts():
        instance.save()
    return instance


def _update(
    instance: V,
    acting_user: Any,
    data: Mapping[str, Any],
    fields: tuple[str, ...],
    expected_version: ExpectedVersion,
    prepare: Callable[[V, dict[str, Any]], dict[str, Any]] | None = None,
) -> V:
    """The shape of every update here: may `acting_user` change `instance`; lock its row and
    compare its version (`versions.lock`: Stale, NotFound); `prepare(stored, data)` checks the
    rules of the kind and answers the values to set; set what changed, check it
    (`writes.validate` of the changed fields) and save only those fields. Nothing is saved when
    nothing changed; the object answered carries the fields changed (`writes.changes_of`)."""
    access.require(acting_user, access.CHANGE, instance)
    instance = lock(instance, expected_version=expected_version)
    cleaned = _strip_text(data)
    if prepare is not None:
        cleaned = prepare(instance, cleaned)
    changed = apply_values(instance, cleaned, fields)
    note_changes(instance, changed)
    validate(instance, exclude=_given_by_us(instance), changed=changed)
    if changed:
        set_acting_user(instance, acting_user)
        with refusals_as_conflicts():
            instance.save(update_fields=[*changed, "updated_at"])
    return instance


def _delete(instance: Versioned, acting_user: Any, expected_version: ExpectedVersion) -> None:
    """Delete `instance` if `acting_user` may, at the version expected (`versions.lock`); what
    still refers to it refuses (a Conflict naming what)."""
    access.require(acting_user, access.DELETE, instance)
    instance = lock(instance, expected_version=expected_version)
    set_acting_user(instance, acting_user)
    with refusals_as_conflicts():
        instance.delete()


def _required(data: Mapping[str, Any], field: str) -> Any:
    value = data.get(field)
    if value is None:
        raise ValidationFailed({field: ["This field is required."]})
    return value


# Customers -------------------------------------------------------------------------------------


@transaction.atomic
def create_customer(*, acting_user: Any, data: Mapping[str, Any]) -> Customer:
    """Create a customer; its number is assigned by the database. A website written without its
    scheme is stored with https:// (`websites.normalize_website`); ValidationFailed for one that is
    no web address."""
    access.require_model(acting_user, access.ADD, Customer)
    return _create(Customer(), acting_user, _customer_data(_strip_text(data)), CUSTOMER_FIELDS)


@transaction.atomic
def update_customer(
    *, customer: Customer, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Customer:
    """Change the given fields (a website as `create_customer` stores it). `expected_version`:
    see `clientbase.versions.lock` (Stale when the row is at another version)."""
    return _update(
        customer, acting_user, data, CUSTOMER_FIELDS, expected_version, lambda _, d: _customer_data(d)
    )


@transaction.atomic
def delete_customer(
    *, customer: Customer, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    _delete(customer, acting_user, expected_version)


# Locations -------------------------------------------------------------------------------------


@transaction.atomic
def create_location(*, acting_user: Any, data: Mapping[str, Any]) -> Location:
    access.require_model(acting_user, access.ADD, Location)
    data = _strip_text(data)
    access.require_customer_in_scope(acting_user, _required(data, "customer").pk)
    return _create(Location(), acting_user, _with_address(data, "address"), LOCATION_FIELDS)


def _location_data(location: Location, data: dict[str, Any]) -> dict[str, Any]:
    if "customer" in data and data["customer"].pk != location.customer_id:
        raise ValidationFailed(
            {"customer": ["A location cannot move to another customer; create it there instead."]}
        )
    return _with_address(data, "address")


@transaction.atomic
def update_location(
    *, location: Location, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Location:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    return _update(location, acting_user, data, LOCATION_FIELDS, expected_version, _location_data)


@transaction.atomic
def delete_location(
    *, location: Location, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    _delete(location, acting_user, expected_version)


# Assets and parts ------------------------------------------------------------------------------


@transaction.atomic
def create_asset(*, acting_user: Any, data: Mapping[str, Any]) -> Asset:
    access.require_model(acting_user, access.ADD, Asset)
    data = _strip_text(data)
    access.require_customer_in_scope(acting_user, _required(data, "location").customer_id)
    return _create(Asset(), acting_user, data, ASSET_FIELDS)


def _asset_data(asset: Asset, data: dict[str, Any]) -> dict[str, Any]:
    if "location" in data and data["location"].customer_id != asset.location.customer_id:
        raise ValidationFailed({"location": ["An asset can only move to another location of its customer."]})
    return data


@transaction.atomic
def update_asset(
    *, asset: Asset, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Asset:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    return _update(asset, acting_user, data, ASSET_FIELDS, expected_version, _asset_data)


@transaction.atomic
def delete_asset(*, asset: Asset, acting_user: Any, expected_version: ExpectedVersion = None) -> None:
    _delete(asset, acting_user, expected_version)


@transaction.atomic
def create_asset_part(*, acting_user: Any, data: Mapping[str, Any]) -> AssetPart:
    access.require_model(acting_user, access.ADD, AssetPart)
    data = _strip_text(data)
    access.require_customer_in_scope(acting_user, _required(data, "asset").location.customer_id)
    return _create(AssetPart(), acting_user, data, ASSET_PART_FIELDS)


def _part_data(part: AssetPart, data: dict[str, Any]) -> dict[str, Any]:
    if "asset" in data and data["asset"].location.customer_id != part.asset.location.customer_id:
        raise ValidationFailed({"asset": ["A part can only move to another asset of its customer."]})
    return data


@transaction.atomic
def update_asset_part(
    *, part: AssetPart, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> AssetPart:
    """Change the given fields. `expected_version`: see `clientbase.versions.lock` (Stale when the
    row is at another version)."""
    return _update(part, acting_user, data, ASSET_PART_FIELDS, expected_version, _part_data)


@transaction.atomic
def delete_asset_part(*, part: AssetPart, acting_user: Any, expected_version: ExpectedVersion = None) -> None:
    _delete(part, acting_user, expected_version)
