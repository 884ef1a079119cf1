"""Work orders, quotes and invoices: the minimum that drives notifications and a contact's history.

Held in the database: valid statuses, non-negative amounts, a non-blank summary, an asset only with
a location, a visit that ends no earlier than it starts, a reason for every cancelled work order;
and, by triggers (migrations 0002, 0005 and 0006), a location of the work order's customer, an asset
at the work order's location, contacts of the same customer, a service contract of the same
customer, a quote's or invoice's work order of the same customer, and a quote addressed to a
contact of its customer. The links to contacts and to the technician are SET_NULL with the name
stored beside them, so deleting a contact or a user leaves the record readable. The link to the
contract is PROTECT: the contract a job was done under is part of its record (what was promised,
how fast we had to be there, what to bill), so a contract that work orders name cannot be deleted
(a Conflict naming how many); let it expire instead, or move its work orders to another first.

The lifecycle of a work order is one table, `WorkOrder.TRANSITIONS`, which the service
(`services.update_work_order`), the API and the pages all read:

    open         -> scheduled | in_progress | cancelled
    scheduled    -> in_progress | open (the visit is unscheduled) | cancelled
    in_progress  -> completed | cancelled
    completed, cancelled: closed, they change no more."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan
from simple_history.models import HistoricalRecords

from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.text import LONG_TEXT_MAX, long_text_limit
from clientbase.versions import Versioned


def document_number(prefix: str, pk: int | None) -> str:
    """`W-000042` from the primary key: two concurrent creations can never draw the same number."""
    return f"{prefix}-{pk:06d}" if pk is not None else ""


def number_to_pk(text: str, prefix: str) -> int | None:
    """The primary key behind `W-000042` (or `42`); None when `text` is not such a number."""
    text = text.strip().upper()
    if text.startswith(f"{prefix}-"):
        text = text[len(prefix) + 1 :]
    return int(text) if text.isdigit() else None


def status_valid(*statuses: str) -> models.CheckConstraint:
    """The check that `status` is one of `statuses`, named `<app label>_<model>_status_valid`; its
    message lists them: `status_valid("draft", "issued", "paid")` says “Status is draft, issued or
    paid.”"""
    listed = ", ".join(statuses[:-1])
    return models.CheckConstraint(
        condition=Q(status__in=list(statuses)),
        name="%(app_label)s_%(class)s_status_valid",
        violation_error_message=f"Status is {listed} or {statuses[-1]}.",
    )


class WorkOrder(Versioned):
    """A job at a customer, optionally at one of its locations and on one asset there, optionally
    under one of the customer's service contracts (`contract`: the one covering the place on the
    day it was opened, unless the caller named another or none; see
    `services.create_work_order`)."""

    PREFIX = "W"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SCHEDULED = "scheduled", "Scheduled"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    CLOSED = (Status.COMPLETED, Status.CANCELLED)
    # The lifecycle: the statuses a work order may move to from each (the module's table). A step
    # to `scheduled` needs `scheduled_start`, to `cancelled` a `cancel_reason`; `completed` records
    # `completed_at` and keeps the `completion_note` given with it.
    TRANSITIONS: ClassVar[dict[str, tuple[str, ...]]] = {
        Status.OPEN: (Status.SCHEDULED, Status.IN_PROGRESS, Status.CANCELLED),
        Status.SCHEDULED: (Status.IN_PROGRESS, Status.OPEN, Status.CANCELLED),
        Status.IN_PROGRESS: (Status.COMPLETED, Status.CANCELLED),
        Status.COMPLETED: (),
        Status.CANCELLED: (),
    }
    # What a step to each status did, in the past tense: the pages' messages ("Work order W-… started")
    # and the subject of its mail ("Work order W-… cancelled: …").
    STEP_DONE: ClassVar[dict[str, str]] = {
        Status.SCHEDULED: "scheduled",
        Status.IN_PROGRESS: "started",
        Status.COMPLETED: "completed",
        Status.CANCELLED: "cancelled",
        Status.OPEN: "reopened",
    }

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="work_orders")
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    asset = models.ForeignKey(
        Asset, on_delete=models.PROTECT, null=True, blank=True, related_name="work_orders"
    )
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_orders",
        help_text="The service contract of the customer the work is done under.",
    )
    summary = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="requested_work_orders"
    )
    requested_by_name = models.CharField(max_length=201, blank=True)
    site_contact = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="site_work_orders"
    )
    site_contact_name = models.CharField(max_length=201, blank=True)
    scheduled_start = models.DateTimeField(
        null=True, blank=True, help_text="When the technician is expected on site."
    )
    scheduled_end = models.DateTimeField(
        null=True, blank=True, help_text="When the visit is expected to end; not before the start."
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_work_orders",
        help_text="The staff user who does the work.",
    )
    # The technician's name when assigned: kept when the user is deleted.
    technician_name = models.CharField(max_length=301, blank=True)
    completion_note = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX, help_text="What was done, written when it is completed."
    )
    cancel_reason = models.TextField(
        blank=True, max_length=LONG_TEXT_MAX, help_text="Why it was cancelled; required then."
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("summary")), 0),
                name="workorders_workorder_summary_not_blank",
                violation_error_message="The summary may not be blank.",
            ),
            status_valid("open", "scheduled", "in_progress", "completed", "cancelled"),
            models.CheckConstraint(
                condition=Q(asset__isnull=True) | Q(location__isnull=False),
                name="workorders_workorder_asset_needs_location",
                violation_error_message="Choose the location before the asset.",
            ),
            models.CheckConstraint(
                condition=Q(scheduled_end__isnull=True)
                | Q(scheduled_start__isnull=False, scheduled_end__gte=F("scheduled_start")),
                name="workorders_workorder_schedule_in_order",
                violation_error_message="The visit ends before it starts, or has an end without a start.",
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(GreaterThan(Length(Trim("cancel_reason")), 0)),
                name="workorders_workorder_cancel_reason",
                violation_error_message="A cancelled work order says why it was cancelled.",
            ),
            long_text_limit("completion_note", table="workorders_workorder", label="The completion note"),
            long_text_limit("cancel_reason", table="workorders_workorder", label="The reason"),
        ]
        indexes = [
            models.Index(fields=["customer", "status"], name="workorders_wo_customer_idx"),
            models.Index(fields=["technician", "scheduled_start"], name="workorders_wo_technician_idx"),
            models.Index(fields=["location", "created_at"], name="workorders_wo_location_idx"),
            models.Index(fields=["asset", "created_at"], name="workorders_wo_asset_idx"),
            models.Index(fields=["contract", "created_at"], name="workorders_wo_contract_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.summary}"

    @property
    def number(self) -> str:
        return document_number(self.PREFIX, self.pk)

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED

    @property
    def next_statuses(self) -> tuple[str, ...]:
        """The statuses this work order may move to now (`TRANSITIONS`); none once closed."""
        return self.TRANSITIONS.get(self.status, ())


class Document(Versioned):
    """Abstract base of quotes and invoices: an amount (never negative) for a customer, optionally
    for one of its work orders, numbered `PREFIX-000042` (`document_number`), newest first. It is
    written as a draft and changed or deleted only as one; its action (sending a quote, issuing an
    invoice) gives it the status `AFTER_DRAFT`.

    Each subclass declares `customer`, `work_order`, `amount` and `status` itself (its `Status`
    starts at `DRAFT`): the links have the subclass's own reverse names (`customer.quotes`,
    `customer.invoices`), and the fields keep their order in the admin form."""

    PREFIX: ClassVar[str]
    DRAFT = "draft"
    AFTER_DRAFT: ClassVar[str]

    customer: Customer
    customer_id: int
    work_order: WorkOrder | None
    work_order_id: int | None
    amount: Decimal
    status: str

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="%(app_label)s_%(class)s_amount_not_negative",
                violation_error_message="The amount may not be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return document_number(self.PREFIX, self.pk)

    @property
    def is_draft(self) -> bool:
        return self.status == self.DRAFT


class Quote(Document):
    """A price offered to a customer, approved by one of its contacts with approval authority."""

    PREFIX = "Q"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    AFTER_DRAFT = Status.SENT

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes")
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="quotes"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    sent_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="approved_quotes"
    )
    approved_by_name = models.CharField(max_length=201, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="addressed_quotes",
        help_text="The contact of the customer the quote is addressed to.",
    )
    # The addressee's name: kept when the contact is deleted.
    contact_name = models.CharField(max_length=201, blank=True)

    history = HistoricalRecords()

    class Meta(Document.Meta):
        constraints = [
            *Document.Meta.constraints,
            status_valid("draft", "sent", "approved", "rejected"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="workorders_quote_approval_recorded",
                violation_error_message="An approved quote records when it was approved.",
            ),
        ]
        indexes = [models.Index(fields=["customer", "status"], name="workorders_quote_customer_idx")]


class Invoice(Document):
    """A bill to a customer, optionally for one work order."""

    PREFIX = "I"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"
        PAID = "paid", "Paid"

    AFTER_DRAFT = Status.ISSUED

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    work_order = models.ForeignKey(
        WorkOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    issued_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta(Document.Meta):
        constraints = [*Document.Meta.constraints, status_valid("draft", "issued", "paid")]
        indexes = [models.Index(fields=["customer", "status"], name="workorders_inv_customer_idx")]
