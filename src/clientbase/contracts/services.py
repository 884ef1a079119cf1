"""Every write to contracts: `create_contract`, `update_contract`, `delete_contract`.

Each takes the acting user, asks `clientbase.access` first, runs in one transaction and records
the change, the covered locations and assets included, as one history entry of the contract
(`clientbase.history.one_record`), with who made it.

The rules (ValidationFailed, answered 400 on the field; nothing is written):
- `customer` is required and never changes in an update (a contract belongs to its customer:
  create it there instead);
- `name` is not blank; `end_date`, when given, is not before `start_date`;
- `locations` and `assets` are of the contract's customer; the others are named;
- `visits_per_year` is 0 or more, `response_hours` 1 or more (each with a sane upper bound).
The database holds the same (check constraints, and triggers for the customer of the covered
places), so a racing writer is refused too (Conflict, 409)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from clientbase import access, history
from clientbase.contracts import triggers
from clientbase.contracts.models import END_BEFORE_START, Contract, contract_history_records
from clientbase.customers.models import Asset, Customer, Location
from clientbase.errors import ValidationFailed
from clientbase.versions import ExpectedVersion, lock
from clientbase.writes import apply_values, note_changes, refusals_as_conflicts, set_acting_user, validate

CONTRACT_FIELDS = ("customer", "name", "start_date", "end_date", "visits_per_year", "response_hours", "notes")
LINKS = ("locations", "assets")
ALL_FIELDS = (*CONTRACT_FIELDS, *LINKS)

# What the triggers of migration 0002 say, in words a user understands (registered with
# clientbase.errors by the app's registrations).
CONSISTENCY_MESSAGES = {
    triggers.LOCATION_ELSEWHERE: "A contract covers only locations of its own customer.",
    triggers.ASSET_ELSEWHERE: "A contract covers only assets of its own customer.",
    triggers.COVERS_ELSEWHERE: (
        "A contract covers only locations and assets of its own customer; a covered location or "
        "asset cannot move to another customer."
    ),
}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(ALL_FIELDS))
    if unknown:
        raise ValidationFailed({name: ["Unknown field."] for name in unknown})
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _listed(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} and {quoted[-1]}"


def _linked(value: Any, field: str) -> list[Any]:
    """The objects of a `locations` or `assets` value, each once, in the order given."""
    if value is None:
        return []
    if not isinstance(value, Iterable) or isinstance(value, str | bytes | Mapping):
        raise ValidationFailed({field: ["A list of ids."]})
    return list({obj.pk: obj for obj in value}.values())


def _check(
    contract: Contract,
    locations: list[Location] | None,
    assets: list[Asset] | None,
    changed: list[str] | None = None,
) -> None:
    """Every rule, each having its say before ValidationFailed answers them all: the model's own
    (`writes.validate`, of the `changed` fields only for an update), the end not before the start
    (on `end_date`), the covered locations and assets of the contract's customer (naming the
    others)."""
    errors: dict[str, list[str]] = {}
    try:
        validate(
            contract, changed=None if changed is None else [name for name in changed if name not in LINKS]
        )
    except ValidationFailed as error:
        errors.update(error.errors)
    if (
        contract.end_date is not None
        and contract.start_date is not None
        and contract.end_date < contract.start_date
    ):
        # The constraint reads both dates (a form-wide error of `validate`); the answer names the
        # date to correct.
        others = [text for text in errors.pop("non_field_errors", []) if text != END_BEFORE_START]
        if others:
            errors["non_field_errors"] = others
        errors["end_date"] = [f"{END_BEFORE_START} It starts on {contract.start_date.isoformat()}."]
    if locations:
        elsewhere = [location.name for location in locations if location.customer_id != contract.customer_id]
        if elsewhere:
            errors["locations"] = [
                f"{_listed(elsewhere)} {'is a location' if len(elsewhere) == 1 else 'are locations'} of "
                "another customer; a contract covers only its own customer's sites."
            ]
    if assets:
        by_location = Location.objects.in_bulk({asset.location_id for asset in assets})
        elsewhere = [
            asset.name
            for asset in assets
            if (place := by_location.get(asset.location_id)) is None
            or place.customer_id != contract.customer_id
        ]
        if elsewhere:
            errors["assets"] = [
                f"{_listed(elsewhere)} {'is an asset' if len(elsewhere) == 1 else 'are assets'} of "
                "another customer; a contract covers only its own customer's equipment."
            ]
    if errors:
        raise ValidationFailed(errors)


def _same(current: Iterable[int], wanted: list[Any]) -> bool:
    return set(current) == {obj.pk for obj in wanted}


@transaction.atomic
def create_contract(*, acting_user: Any, data: Mapping[str, Any]) -> Contract:
    """Create a contract of `data["customer"]` (a Customer) with the given fields; `locations` and
    `assets` are lists of Location and Asset objects of that customer (none of either: a
    customer-wide contract). Its number (K-000042) comes from its id. Forbidden without the right
    to add contracts; NotFound for a customer out of the user's scope; ValidationFailed per field
    (see the module); Conflict when the database refuses it."""
    access.require_model(acting_user, access.ADD, Contract)
    cleaned = _clean(data)
    customer = cleaned.get("customer")
    if not isinstance(customer, Customer):
        raise ValidationFailed({"customer": ["This field is required."]})
    access.require_customer_in_scope(acting_user, customer.pk)
    locations = _linked(cleaned.get("locations"), "locations")
    assets = _linked(cleaned.get("assets"), "assets")
    contract = Contract()
    apply_values(contract, cleaned, CONTRACT_FIELDS)
    _check(contract, locations, assets)
    set_acting_user(contract, acting_user)
    with refusals_as_conflicts(), history.one_record(contract, contract_history_records, "+"):
        contract.save()
        if locations:
            contract.locations.set(locations)
        if assets:
            contract.assets.set(assets)
    contract.forget_status()
    return contract


@transaction.atomic
def update_contract(
    *, contract: Contract, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Contract:
    """Change the given fields of `contract` (a partial update; `locations` and `assets` replace
    the covered places when given). Forbidden without the right to change it; Stale when
    `expected_version` is given and no longer current (`clientbase.versions.lock`); ValidationFailed
    per field, `customer` included when it would change (see the module). A change of the covered
    places alone is a change too (a new version and history entry). Nothing is written when nothing
    changes; the contract answered carries the fields changed (`writes.changes_of`)."""
    access.require(acting_user, access.CHANGE, contract)
    cleaned = _clean(data)
    contract = lock(contract, expected_version=expected_version)
    if (
        "customer" in cleaned
        and getattr(cleaned["customer"], "pk", cleaned["customer"]) != contract.customer_id
    ):
        raise ValidationFailed(
            {"customer": ["A contract cannot move to another customer; create it there instead."]}
        )
    locations = _linked(cleaned["locations"], "locations") if "locations" in cleaned else None
    assets = _linked(cleaned["assets"], "assets") if "assets" in cleaned else None
    changed = apply_values(contract, cleaned, CONTRACT_FIELDS)
    if locations is not None and not _same(
        contract.location_links.values_list("location_id", flat=True), locations
    ):
        changed.append("locations")
    else:
        locations = None
    if assets is not None and not _same(contract.asset_links.values_list("asset_id", flat=True), assets):
        changed.append("assets")
    else:
        assets = None
    _check(contract, locations, assets, changed)
    note_changes(contract, changed)
    if changed:
        set_acting_user(contract, acting_user)
        field_names = [name for name in changed if name not in LINKS]
        with refusals_as_conflicts(), history.one_record(contract, contract_history_records, "~"):
            # A change of the covered places alone is a version too.
            contract.save(update_fields=[*field_names, "updated_at"])
            if locations is not None:
                contract.locations.set(locations)
            if assets is not None:
                contract.assets.set(assets)
    contract.forget_status()
    return contract


@transaction.atomic
def delete_contract(
    *, contract: Contract, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    """Delete `contract` (its links to locations and assets go with it; its history keeps a record
    of the deletion). Forbidden without the right to delete it; Stale when `expected_version` is no
    longer current; Conflict when another record still refers to it."""
    access.require(acting_user, access.DELETE, contract)
    contract = lock(contract, expected_version=expected_version)
    set_acting_user(contract, acting_user)
    with refusals_as_conflicts():
        contract.delete()
