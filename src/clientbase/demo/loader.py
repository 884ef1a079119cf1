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
from django.db.models import F
from django.utils import timezone

from clientbase.contacts.models import Contact
from clientbase.contacts.services import create_contact
from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import covering_contract
from clientbase.contracts.services import create_contract
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.customers.services import (
    create_asset,
    create_asset_part,
    create_customer,
    create_location,
)
from clientbase.demo.data import (
    ADMIN_USERNAME,
    CONTRACTS,
    CUSTOMERS,
    EQUIPMENT,
    PARTS,
    STAFF_USERS,
    UNAFFILIATED_CONTACTS,
    WORK_ORDERS,
    AssetRow,
    ContactRow,
    ContractRow,
    CustomerRow,
    WorkOrderRow,
)
from clientbase.errors import Conflict
from clientbase.workorders.models import WorkOrder
from clientbase.workorders.services import create_work_order, update_work_order

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


def _create_work_order(row: WorkOrderRow, admin: Any, now: datetime.datetime) -> WorkOrder:
    """The work order of `row`, opened and taken to its status through the services (each step
    queues its notifications, as any other would), then dated as the row says: the services stamp
    the present, the demo needs a past. Its service contract is the one that covered its place on
    the day it was opened (as the service would have chosen it that day), or none."""
    customer = Customer.objects.get(name=row.customer)
    location = Location.objects.get(customer=customer, code=row.location)
    data: dict[str, Any] = {"customer": customer, "location": location, "summary": row.summary}
    if row.asset is not None:
        data["asset"] = Asset.objects.get(location=location, name__endswith=f" {row.asset}")
    opened = now - datetime.timedelta(days=row.opened_days_ago)
    data["contract"] = covering_contract(
        customer=customer, location=location, asset=data.get("asset"), on=timezone.localdate(opened)
    )
    if row.description:
        data["description"] = row.description
    if row.requested_by is not None:
        data["requested_by"] = Contact.objects.get(customer=customer, email=row.requested_by)
    work_order = create_work_order(acting_user=admin, data=data)
    steps: list[dict[str, Any]] = []
    if row.visit_days is not None:
        start = (now + datetime.timedelta(days=row.visit_days)).replace(
            hour=row.visit_hour, minute=0, second=0, microsecond=0
        )
        schedule: dict[str, Any] = {
            "status": WorkOrder.Status.SCHEDULED,
            "scheduled_start": start,
            "scheduled_end": start + datetime.timedelta(hours=row.visit_hours),
        }
        if row.technician is not None:
            schedule["technician"] = get_user_model().objects.get(username=row.technician)
        steps.append(schedule)
        if row.status in (WorkOrder.Status.IN_PROGRESS, WorkOrder.Status.COMPLETED):
            steps.append({"status": WorkOrder.Status.IN_PROGRESS})
        if row.status == WorkOrder.Status.COMPLETED:
            steps.append({"status": WorkOrder.Status.COMPLETED, "completion_note": row.completion_note})
    if row.status == WorkOrder.Status.CANCELLED:
        steps.append({"status": WorkOrder.Status.CANCELLED, "cancel_reason": row.cancel_reason})
    for step in steps:
        work_order = update_work_order(work_order=work_order, acting_user=admin, data=step)
    dates: dict[str, Any] = {"created_at": opened}
    if row.status == WorkOrder.Status.COMPLETED and work_order.scheduled_end is not None:
        dates["completed_at"] = work_order.scheduled_end
    # The row keeps its version: only its dates move into the past.
    WorkOrder.objects.filter(pk=work_order.pk).update(**dates, version=F("version"))
    return work_order


def _create_contract(row: ContractRow, admin: Any, today: datetime.date) -> Contract:
    """The contract of `row`, through the service, dated from `today`."""
    customer = Customer.objects.get(name=row.customer)
    data: dict[str, Any] = {
        "customer": customer,
        "name": row.name,
        "start_date": today + datetime.timedelta(days=row.start_days),
        "end_date": today + datetime.timedelta(days=row.end_days) if row.end_days is not None else None,
        "locations": list(Location.objects.filter(customer=customer, code__in=row.locations)),
        "assets": list(Asset.objects.filter(location__customer=customer, asset_tag__in=row.assets)),
        "visits_per_year": row.visits_per_year,
        "response_hours": row.response_hours,
        "notes": row.notes,
    }
    return create_contract(acting_user=admin, data=data)


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
    generated one; the customers with their locations, assets, parts and contacts; their service
    contracts (`CONTRACTS`: in force, ending soon, upcoming, expired); then the work
    orders of `WORK_ORDERS`, in every status of their lifecycle. Users that already exist are left
    unchanged. Raises `DemoDataPresent` (a `Conflict`) when any customer exists; nothing is changed
    then."""
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
        today = timezone.localdate()
        for contract_row in CONTRACTS:
            _create_contract(contract_row, admin, today)
        _write(stdout, f"  {len(CONTRACTS)} service contracts: in force, ending soon, upcoming and expired")
        now = timezone.localtime()
        for work_order_row in WORK_ORDERS:
            _create_work_order(work_order_row, admin, now)
        _write(stdout, f"  {len(WORK_ORDERS)} work orders, from open to completed and cancelled")
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
