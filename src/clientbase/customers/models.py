from __future__ import annotations

from typing import ClassVar

from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length, Trim
from django.db.models.lookups import GreaterThan

from clientbase.emails import NormalizedEmailField
from clientbase.history import History, one_record
from clientbase.phones import PhoneNumberField
from clientbase.text import LONG_TEXT_MAX, FoldedKeyField, fold, long_text_limit, search_document
from clientbase.versions import Versioned

ADDRESS_KEYS = ("street", "street2", "city", "region", "postal_code", "country")
# The name of each part of an address, in ADDRESS_KEYS's order (forms, histories).
ADDRESS_LABELS = {
    "street": "Street",
    "street2": "Street, line 2",
    "city": "City",
    "region": "State or region",
    "postal_code": "Postal code",
    "country": "Country",
}

# Kept at module level so that Customer.save() can write the creation record itself, once the
# number is known.
_customer_history = History(excluded_fields=["search_document", "folded_name"])

# What a search matches as text, folded (`clientbase.text.search_document`): `search_document`.
CUSTOMER_SEARCHED = ("name", "legal_name", "email")
LOCATION_SEARCHED = ("name", "code")
LOCATION_ADDRESS_SEARCHED = ("street", "city")


def keep_search_document(instance: models.Model, values: list[str], watched: set[str], kwargs: dict) -> None:
    """Set `instance.search_document` from `values` and `folded_name` from its name before a save
    that may change a `watched` field, adding them to the save's `update_fields`."""
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not watched & set(update_fields):
        return
    instance.search_document = search_document(*values)  # type: ignore[attr-defined]
    instance.folded_name = fold(instance.name)  # type: ignore[attr-defined]
    if update_fields is not None:
        kwargs["update_fields"] = {*update_fields, "search_document", "folded_name"}


class Customer(Versioned):
    """A company or organisation served. Its `number` (C-000042) is derived from the primary key,
    so two concurrent creations can never draw the same number."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        PROSPECT = "prospect", "Prospect"

    number = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        error_messages={"unique": "This customer number is already taken."},
    )
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    tax_id = models.CharField("tax ID", max_length=50, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    email = NormalizedEmailField(max_length=254)
    phone = PhoneNumberField()
    website = models.URLField(blank=True)
    billing_address = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, max_length=LONG_TEXT_MAX)
    search_document = models.TextField(blank=True, default="", db_default="", editable=False)
    # The folded name (`clientbase.text.fold`), which a search reads by prefix first.
    folded_name = FoldedKeyField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = _customer_history
    # The parts of the billing address in a history, named and in order (`history.display_value`).
    history_value_labels: ClassVar[dict[str, dict[str, str]]] = {"billing_address": ADDRESS_LABELS}

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            long_text_limit("notes", table="customers_customer", label="Notes"),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="customers_customer_name_not_blank",
                violation_error_message="The name may not be blank.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "inactive", "prospect"]),
                name="customers_customer_status_valid",
                violation_error_message="Status is active, inactive or prospect.",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="customers_customer_status_idx"),
            models.Index(fields=["folded_name", "id"], name="customers_customer_folded_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})" if self.number else self.name

    def save(self, *args, **kwargs) -> None:
        keep_search_document(
            self, [getattr(self, name) for name in CUSTOMER_SEARCHED], set(CUSTOMER_SEARCHED), kwargs
        )
        if self.pk is not None and self.number:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(), one_record(self, _customer_history, "+"):
            super().save(*args, **kwargs)
            self.number = f"C-{self.pk:06d}"
            # Part of the creation, so still version 1.
            Customer.objects.filter(pk=self.pk).update(number=self.number, version=self.version)


class Location(Versioned):
    """A site or building of one customer where work happens."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=50, blank=True)
    address = models.JSONField(default=dict, blank=True)
    access_notes = models.TextField(blank=True, max_length=LONG_TEXT_MAX)
    is_active = models.BooleanField(default=True)
    search_document = models.TextField(blank=True, default="", db_default="", editable=False)
    # The folded name (`clientbase.text.fold`), which a search reads by prefix first.
    folded_name = FoldedKeyField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History(excluded_fields=["search_document", "folded_name"])
    history_value_labels: ClassVar[dict[str, dict[str, str]]] = {"address": ADDRESS_LABELS}

    def save(self, *args, **kwargs) -> None:
        address = self.address if isinstance(self.address, dict) else {}
        values = [getattr(self, name) for name in LOCATION_SEARCHED]
        values += [str(address.get(key) or "") for key in LOCATION_ADDRESS_SEARCHED]
        keep_search_document(self, values, {*LOCATION_SEARCHED, "address"}, kwargs)
        super().save(*args, **kwargs)

    class Meta:
        ordering = ["customer_id", "name", "id"]
        constraints = [
            long_text_limit("access_notes", table="customers_location", label="Access notes"),
            models.UniqueConstraint(
                fields=["customer", "code"],
                condition=~Q(code=""),
                name="customers_location_unique_code_per_customer",
                violation_error_message="This customer already has a location with this code.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="customers_location_name_not_blank",
                violation_error_message="The name may not be blank.",
            ),
        ]
        indexes = [models.Index(fields=["folded_name", "id"], name="customers_location_folded_idx")]

    def __str__(self) -> str:
        return self.name


class Asset(Versioned):
    """Equipment at a location. Its customer is the location's."""

    class Status(models.TextChoices):
        IN_SERVICE = "in_service", "In service"
        OUT_OF_SERVICE = "out_of_service", "Out of service"
        RETIRED = "retired", "Retired"

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="assets")
    name = models.CharField(max_length=200)
    asset_tag = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    manufacturer = models.CharField(max_length=100, blank=True)
    model = models.CharField(max_length=100, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    warranty_until = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.IN_SERVICE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["location_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="customers_asset_name_not_blank",
                violation_error_message="The name may not be blank.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["in_service", "out_of_service", "retired"]),
                name="customers_asset_status_valid",
                violation_error_message="Status is in_service, out_of_service or retired.",
            ),
            models.CheckConstraint(
                condition=Q(warranty_until__isnull=True)
                | Q(installed_on__isnull=True)
                | Q(warranty_until__gte=models.F("installed_on")),
                name="customers_asset_warranty_after_install",
                violation_error_message="The warranty cannot end before the installation date.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AssetPart(Versioned):
    """A component of an asset."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="parts")
    name = models.CharField(max_length=200)
    part_number = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    installed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asset_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("name")), 0),
                name="customers_assetpart_name_not_blank",
                violation_error_message="The name may not be blank.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
