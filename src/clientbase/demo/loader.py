"""Loads the tables of `clientbase.demo.data` through the services, as the admin user, in one
transaction.

The data set is the same on every run: the few generated values (serial numbers, installation
dates) come from a random generator seeded with SEED, drawn in the order the rows are written."""

from __future__ import annotations

import dataclasses
import datetime
import os
import random
import secrets
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from clientbase.contacts.models import Contact
from clientbase.contacts.services import create_contact
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.customers.services import (
    create_asset,
    create_asset_part,
    create_customer,
    create_location,
)
from clientbase.demo.data import (
    ADMIN_USERNAME,
    CUSTOMERS,
    EQUIPMENT,
    PARTS,
    STAFF_USERS,
    UNAFFILIATED_CONTACTS,
    AssetRow,
    ContactRow,
    CustomerRow,
)
from clientbase.errors import Conflict

PASSWORD_ENV = "CLIENTBASE_ADMIN_PASSWORD"  # noqa: S105 (the name of the variable, not a password)
# Where the password of the staff users came from.
FROM_ARGUMENT, FROM_ENVIRONMENT, GENERATED = "argument", "environment", "generated"
SEED = 20240611


class DemoDataPresent(Conflict):
    """The database already holds customers; the demo loads only into an empty one."""


@dataclass(frozen=True)
class DemoResult:
    """What `load_demo` did. `password` is the one given to the users it created
    (`created_usernames`); users that already existed (`existing_usernames`) were left as they were."""

    admin_username: str
    password: str
    password_generated: bool
    password_source: str  # FROM_ARGUMENT, FROM_ENVIRONMENT or GENERATED
    created_usernames: tuple[str, ...]
    existing_usernames: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)


def _choose_password(admin_password: str | None) -> tuple[str, str]:
    if admin_password:
        return admin_password, FROM_ARGUMENT
    if from_env := os.environ.get(PASSWORD_ENV):
        return from_env, FROM_ENVIRONMENT
    return secrets.token_urlsafe(12), GENERATED


def _fill(pattern: str, rng: random.Random) -> str:
    return "".join(
        str(rng.randrange(10))
        if char == "#"
        else rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ")
        if char == "?"
        else char
        for char in pattern
    )


def _plus_years(day: datetime.date, years: int) -> datetime.date:
    return day.replace(year=day.year + years)  # days are drawn from 1-28, so this always exists


def _write(stdout: IO[str] | Any | None, text: str) -> None:
    if stdout is not None:
        stdout.write(text if text.endswith("\n") else text + "\n")


def _given(row: Any, leave_out: Collection[str] = ()) -> dict[str, Any]:
    """The fields of a table row that are set (not None), in their declared order, less `leave_out`."""
    return {
        row_field.name: value
        for row_field in dataclasses.fields(row)
        if row_field.name not in leave_out and (value := getattr(row, row_field.name)) is not None
    }


def _create_staff_users(password: str) -> tuple[Any, list[str], list[str]]:
    """The staff users; answers the admin, the usernames created and those already there (left
    unchanged: their passwords are not reset)."""
    user_model = get_user_model()
    created: list[str] = []
    existing: list[str] = []
    admin = None
    for username, first_name, last_name, group_name in STAFF_USERS:
        try:
            group = Group.objects.get(name=group_name)
        except Group.DoesNotExist as error:
            raise Conflict(f"The group “{group_name}” is missing; run `clientbase migrate` first.") from error
        user = user_model.objects.filter(username=username).first()
        if user is not None:
            existing.append(username)
        else:
            is_admin = username == ADMIN_USERNAME
            user = user_model.objects.create_user(
                username=username,
                email=f"{username}@fieldservice.example",
                password=password,
                first_name=first_name,
                last_name=last_name,
                is_staff=True,
                is_superuser=is_admin,
            )
            user.groups.add(group)
            created.append(username)
        if username == ADMIN_USERNAME:
            admin = user
    if admin is None or not (admin.is_active and admin.is_superuser):
        raise Conflict(
            f"A user “{ADMIN_USERNAME}” already exists and is not an active superuser; the demo "
            "data is written as that user. Load the demo into a fresh database."
        )
    return admin, created, existing


def _create_locations_and_assets(
    customer: Customer, row: CustomerRow, admin: Any, rng: random.Random
) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    for location_row in row.locations:
        data = {**_given(location_row, leave_out={"assets"}), "customer": customer}
        location = create_location(acting_user=admin, data=data)
        locations[location.code] = location
        for number, asset_row in enumerate(location_row.assets, start=1):
            _create_asset(location, row.tag, number, asset_row, admin, rng)
    return locations


def _create_asset(
    location: Location, tag: str, number: int, row: AssetRow, admin: Any, rng: random.Random
) -> Asset:
    name, manufacturer, model, warranty_years, serial_pattern = EQUIPMENT[row.kind]
    installed_on = datetime.date(rng.randint(2009, 2023), rng.randint(1, 12), rng.randint(1, 28))
    asset = create_asset(
        acting_user=admin,
        data={
            "location": location,
            "name": f"{name} {row.label}",
            "asset_tag": f"{tag}-{location.code}-{number:03d}",
            "serial_number": _fill(serial_pattern, rng),
            "manufacturer": manufacturer,
            "model": model,
            "installed_on": installed_on,
            "warranty_until": _plus_years(installed_on, warranty_years),
            **_given(row, leave_out={"kind", "label"}),
        },
    )
    for part_name, part_number, part_serial_pattern in PARTS[row.kind]:
        # About one part in four was replaced after the asset was installed.
        part_installed_on = installed_on
        if rng.random() < 0.25:
            part_installed_on = min(
                installed_on + datetime.timedelta(days=rng.randint(200, 2500)), datetime.date(2025, 3, 31)
            )
        create_asset_part(
            acting_user=admin,
            data={
                "asset": asset,
                "name": part_name,
                "part_number": part_number,
                "serial_number": _fill(part_serial_pattern, rng),
                "installed_on": part_installed_on,
            },
        )
    return asset


def _create_contacts(
    customer: Customer | None,
    rows: Sequence[ContactRow],
    locations: Mapping[str, Location],
    admin: Any,
) -> list[Contact]:
    by_key: dict[str, Contact] = {}
    contacts: list[Contact] = []
    for row in rows:
        data = _given(row, leave_out={"key"})
        data["customer"] = customer
        if row.roles is not None:
            data["roles"] = list(row.roles)
        if row.locations is not None:
            data["locations"] = [locations[code] for code in row.locations]
        if row.reports_to is not None:
            data["reports_to"] = by_key[row.reports_to]
        contact = create_contact(acting_user=admin, data=data)
        if row.key is not None:
            by_key[row.key] = contact
        contacts.append(contact)
    return contacts


def demo_counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "locations": Location.objects.count(),
        "assets": Asset.objects.count(),
        "parts": AssetPart.objects.count(),
        "contacts": Contact.objects.count(),
    }


def load_demo(*, stdout: IO[str] | Any | None = None, admin_password: str | None = None) -> DemoResult:
    """Load the demo data set into an empty database, in one transaction.

    Creates the staff users `admin` (superuser), `dispatcher`, `accounts` and `technician` (each in
    its group) with one password: `admin_password`, else $CLIENTBASE_ADMIN_PASSWORD, else a
    generated one. Users that already exist are left unchanged. Raises `DemoDataPresent` (a
    `Conflict`) when any customer exists; nothing is changed then."""
    password, source = _choose_password(admin_password)
    rng = random.Random(SEED)
    with transaction.atomic():
        # Inside the transaction: with SQLite's IMMEDIATE transactions (and the locks of the writes
        # below on PostgreSQL) two concurrent runs cannot both pass this check unnoticed.
        present = Customer.objects.count()
        if present:
            raise DemoDataPresent(
                f"The database already holds {present} customer{'s' if present != 1 else ''}; "
                "the demo data set loads only into an empty database."
            )
        admin, created, existing = _create_staff_users(password)
        for row in CUSTOMERS:
            data = _given(row, leave_out={"tag", "locations", "contacts"})
            customer = create_customer(acting_user=admin, data=data)
            locations = _create_locations_and_assets(customer, row, admin, rng)
            contacts = _create_contacts(customer, row.contacts, locations, admin)
            _write(
                stdout,
                f"  {customer}: {len(locations)} locations, "
                f"{Asset.objects.filter(location__customer=customer).count()} assets, "
                f"{len(contacts)} contacts",
            )
        _create_contacts(None, UNAFFILIATED_CONTACTS, {}, admin)
        counts = demo_counts()
    return DemoResult(
        admin_username=admin.get_username(),
        password=password,
        password_generated=source == GENERATED,
        password_source=source,
        created_usernames=tuple(created),
        existing_usernames=tuple(existing),
        counts=counts,
    )
