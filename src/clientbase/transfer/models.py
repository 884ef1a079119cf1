from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ImportRun(models.Model):
    """One committed import: who imported which file into what, the figures of its report, and
    (through its items) enough to revert it. Dry runs change nothing and leave no run behind."""

    class Kind(models.TextChoices):
        CONTACTS = "contacts", "Contacts"
        CUSTOMERS = "customers", "Customers"
        LOCATIONS = "locations", "Locations"
        CONTRACTS = "contracts", "Contracts"

    class Status(models.TextChoices):
        # Chunks are committed one by one: a run interrupted half-way stays "running".
        RUNNING = "running", "Running or interrupted"
        APPLIED = "applied", "Applied"
        REVERTED = "reverted", "Reverted"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    filename = models.CharField(max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="import_runs"
    )
    match = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first errors of the report (the full list went to the caller).
    errors = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["contacts", "customers", "locations", "contracts"]),
                name="transfer_importrun_kind_valid",
                violation_error_message="The kind is contacts, customers, locations or contracts.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["running", "applied", "reverted"]),
                name="transfer_importrun_status_valid",
                violation_error_message="The status is running, applied or reverted.",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.kind} ({self.filename or 'unnamed file'})"


class ImportRunItem(models.Model):
    """One object an import created or changed. `before` holds its values before the change (in
    API form, for a revert); `history_id` is the history record the import left, so a newer record
    means someone changed the object since."""

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="items")
    row = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    object_id = models.BigIntegerField()
    before = models.JSONField(default=dict, blank=True)
    history_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["created", "updated"]),
                name="transfer_importrunitem_action_valid",
                violation_error_message="The action is created or updated.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_id} (row {self.row})"


class ImportMapping(models.Model):
    """The columns a user chose for the headers of a file on the import page (`columns.Columns`),
    offered again for the next file of the same kind with the same header. `header` is the file's
    header as written, `mapping` {file column: column name, or "" for ignored}."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportRun.Kind.choices)
    header_key = models.CharField(max_length=64, help_text="SHA-256 of the header, as hex.")
    header = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "header_key"],
                name="transfer_importmapping_one_per_header",
                violation_error_message="This header already has a remembered mapping.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {', '.join(self.header)[:80]}"
