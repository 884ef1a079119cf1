"""Service contracts: what a customer has agreed with us, from when to when, for which of its sites
and equipment, with how many visits a year and how fast we answer a call.

Held in the database: a non-blank name, an end no earlier than the start, `visits_per_year` not
negative and `response_hours` above zero (check constraints); and, by triggers (migration 0002,
`clientbase.contracts.triggers`), locations and assets of the contract's own customer only, also when
a location or asset moves later. A covered location or asset cannot be deleted while a contract
names it (PROTECT), so a contract never widens to "all sites" behind anyone's back.

A contract's `status` is derived from today's date in the configured TIME_ZONE, never stored:
`upcoming` before `start_date`, `active` from `start_date` through `end_date` (inclusive; no end
date: open-ended), `expired` after `end_date`. Every query of `Contract.objects` computes it in SQL
(`status_expression`), so lists and filters never loop in Python; an object read any other way
computes it in Python (`Contract.status_on`) with the same rule."""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Length, Now, Trim, TruncDate
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from clientbase.customers.models import Asset, Customer, Location
from clientbase.history import History
from clientbase.text import LONG_TEXT_MAX, long_text_limit
from clientbase.versions import Versioned, VersionedManager, VersionedQuerySet

PREFIX = "K"
# The most visits a year and the longest response a contract may name: beyond them a value is a
# typing error (and could not be stored).
MAX_VISITS_PER_YEAR = 10_000
MAX_RESPONSE_HOURS = 8_760  # a year
END_BEFORE_START = "The contract cannot end before it starts."


def document_number(prefix: str, pk: int | None) -> str:
    """`K-000042` from the primary key: two concurrent creations can never draw the same number
    (as `clientbase.workorders.models.document_number`, kept here: contracts sit below work orders)."""
    return f"{prefix}-{pk:06d}" if pk is not None else ""


def number_to_pk(text: str, prefix: str = PREFIX) -> int | None:
    """The primary key behind `K-000042` (or `42`); None when `text` is not such a number."""
    text = text.strip().upper()
    if text.startswith(f"{prefix}-"):
        text = text[len(prefix) + 1 :]
    return int(text) if text.isascii() and text.isdigit() else None


def today_expression() -> Any:
    """Today's date in the current time zone (TIME_ZONE), computed by the database when the query
    runs (not when it is built: a queryset kept on a class stays right after midnight)."""
    return TruncDate(Now())


def status_expression(on: datetime.date | None = None) -> Case:
    """A contract's status as SQL: `upcoming` before its start, `expired` after its end, else
    `active`; on the date `on`, or today (`today_expression`)."""
    day: Any = Value(on) if on is not None else today_expression()
    return Case(
        When(start_date__gt=day, then=Value(Contract.Status.UPCOMING)),
        When(end_date__lt=day, then=Value(Contract.Status.EXPIRED)),
        default=Value(Contract.Status.ACTIVE),
        output_field=models.CharField(max_length=10),
    )


class ContractManager(VersionedManager["Contract"]):
    """Every contract read through `Contract.objects` (and the related managers,
    `customer.contracts`) carries its `status`, computed in SQL for today."""

    def get_queryset(self) -> VersionedQuerySet[Contract]:
        # The name `status` given apart: it is the model's property, which the value is set on.
        return VersionedQuerySet(self.model, using=self._db).annotate(**{"status": status_expression()})


class ContractLocation(models.Model):
    """A location a contract covers (a trigger checks it is of the contract's customer). A covered
    location cannot be deleted while the contract names it."""

    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.CASCADE, related_name="location_links"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="contract_links")

    class Meta:
        # What a refused deletion of the location names: "still referenced by 1 contract".
        verbose_name = "contract"
        verbose_name_plural = "contracts"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "location"],
                name="contracts_contractlocation_unique_link",
                violation_error_message="The contract already covers this location.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} covers {self.location}"


class ContractAsset(models.Model):
    """An asset a contract covers (a trigger checks it stands at a location of the contract's
    customer). A covered asset cannot be deleted while the contract names it."""

    contract = models.ForeignKey("contracts.Contract", on_delete=models.CASCADE, related_name="asset_links")
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="contract_links")

    class Meta:
        verbose_name = "contract"
        verbose_name_plural = "contracts"
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "asset"],
                name="contracts_contractasset_unique_link",
                violation_error_message="The contract already covers this asset.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract} covers {self.asset}"


contract_history_records = History(m2m_fields=["locations", "assets"])
# simple-history keeps the history models of many-to-many fields in a dict shared by every
# HistoricalRecords (a class attribute); `clientbase.history.bulk_records` reads all of it for the
# model it writes (the contacts' import), so the contracts' fields go in a dict of their own.
contract_history_records.m2m_models = {}


class Contract(Versioned):
    """A service contract of one customer: its `number` (K-000042, from the primary key), `name`,
    `start_date` and `end_date` (None: open-ended), the `locations` and `assets` it covers (both
    of its customer; none of either: every site of the customer, a *customer-wide* contract),
    `visits_per_year` (planned maintenance visits, 0 or more; None: not agreed) and
    `response_hours` (how soon we are on site after a call, more than 0; None: not agreed), and
    `notes` (ours, not shown to portal users). `status` is derived (see the module)."""

    PREFIX: ClassVar[str] = PREFIX

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    name = models.CharField(max_length=200, help_text="What the contract is, e.g. “HVAC maintenance 2026”.")
    start_date = models.DateField(help_text="The first day the contract is in force.")
    end_date = models.DateField(
        null=True,
        blank=True,
        help_text="The last day the contract is in force (inclusive); empty: open-ended.",
    )
    locations = models.ManyToManyField(
        Location,
        through=ContractLocation,
        related_name="contracts",
        blank=True,
        help_text="The sites covered; with no location and no asset, every site of the customer.",
    )
    assets = models.ManyToManyField(
        Asset,
        through=ContractAsset,
        related_name="contracts",
        blank=True,
        help_text="The equipment covered, wherever it stands.",
    )
    visits_per_year = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_VISITS_PER_YEAR)],
        help_text="Planned maintenance visits a year; empty: none agreed.",
    )
    response_hours = models.IntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RESPONSE_HOURS)],
        help_text="Hours from a call until we are on site; empty: none agreed.",
    )
    notes = models.TextField(blank=True, max_length=LONG_TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[ContractManager] = ContractManager()
    history = contract_history_records

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="contracts_contract_name_not_blank",
                violation_error_message="The name may not be blank.",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="contracts_contract_end_after_start",
                violation_error_message=END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=Q(visits_per_year__isnull=True) | Q(visits_per_year__gte=0),
                name="contracts_contract_visits_not_negative",
                violation_error_message="Visits per year may not be negative.",
            ),
            models.CheckConstraint(
                condition=Q(response_hours__isnull=True) | Q(response_hours__gt=0),
                name="contracts_contract_response_hours_positive",
                violation_error_message="The response time is at least one hour.",
            ),
            long_text_limit("notes", table="contracts_contract", label="Notes"),
        ]
        indexes = [
            models.Index(fields=["customer", "start_date"], name="contracts_customer_start_idx"),
            models.Index(fields=["end_date"], name="contracts_end_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}" if self.pk is not None else self.name

    @property
    def number(self) -> str:
        return document_number(PREFIX, self.pk)

    def status_on(self, day: datetime.date) -> str:
        """The status on `day`, as `status_expression` computes it in SQL."""
        if day < self.start_date:
            return self.Status.UPCOMING
        if self.end_date is not None and day > self.end_date:
            return self.Status.EXPIRED
        return self.Status.ACTIVE

    @property
    def status(self) -> str:
        """`upcoming`, `active` or `expired` today: as the query computed it, else in Python."""
        computed = self.__dict__.get("_status")
        if computed is not None:
            return str(computed)
        if self.start_date is None:
            return ""
        return self.status_on(timezone.localdate())

    @status.setter
    def status(self, value: str) -> None:
        # Set by the query's annotation (`ContractManager`).
        self.__dict__["_status"] = value

    def forget_status(self) -> None:
        """Compute `status` again from the dates (after they changed)."""
        self.__dict__.pop("_status", None)

    def get_status_display(self) -> str:
        return str(dict(self.Status.choices).get(self.status, self.status))
