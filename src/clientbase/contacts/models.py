from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan

from clientbase.customers.models import ADDRESS_LABELS, Customer, Location
from clientbase.emails import NormalizedEmailField
from clientbase.history import History
from clientbase.phones import PhoneNumberField, phone_search_digits
from clientbase.text import LONG_TEXT_MAX, FoldedKeyField, fold, long_text_limit, search_document
from clientbase.versions import Versioned
from clientbase.vocabulary import ContactRole, NotificationCategory, PortalCapability

ROLES: tuple[str, ...] = tuple(ContactRole.values)
NOTIFY_CATEGORIES: tuple[str, ...] = tuple(NotificationCategory.values)
PORTAL_PERMISSIONS: tuple[str, ...] = tuple(PortalCapability.values)
# Which notification categories a role opts into when `notify` is not given.
ROLE_DEFAULT_NOTIFY: dict[str, tuple[str, ...]] = {
    ContactRole.SITE: (NotificationCategory.WORK_ORDERS, NotificationCategory.COMPLETIONS),
    ContactRole.BILLING: (NotificationCategory.INVOICES,),
    ContactRole.APPROVER: (NotificationCategory.QUOTES,),
}


class ContactLocation(models.Model):
    """A contact linked to a location of its customer (a trigger checks the customer matches)."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="location_links")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="contact_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "location"],
                name="contacts_contactlocation_unique_link",
                violation_error_message="The contact is already linked to this location.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.contact} @ {self.location}"


# Kept at module level so that services can record a change of the row and of its locations as
# one history entry (clientbase.history.one_record).
# The fields a search matches as text (with the customer's name): `Contact.search_document`.
SEARCHED_FIELDS = ("first_name", "last_name", "email", "title", "department")
# Between the contact's own lines and its customer's in `search_document` (no line is empty).
DOCUMENT_PARTS = "\n\n"

# The columns `Contact.derive_fields` keeps from the others (never in history).
DERIVED_FIELDS = ("phone_digits", "search_document", "folded_last_first", "folded_first_last")
PHONE_FIELDS = ("phone", "mobile", "secondary_phone")
NAME_FIELDS = ("first_name", "last_name")

contact_history_records = History(excluded_fields=list(DERIVED_FIELDS), m2m_fields=["locations"])


class Contact(Versioned):
    """One person, of at most one customer, linked to some of its locations.

    Held in the database: one primary per customer (partial unique index); locations and
    `reports_to` of the contact's own customer and no reporting cycle (triggers, see migration
    0002); a non-blank last name; a non-negative approval limit; an external ID and an e-mail
    address (ignoring case) once among the contacts of one customer, and once among those without
    a customer (partial unique indexes, the e-mail one on `LOWER(email)`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"
        SMS = "sms", "SMS"

    class EmailStatus(models.TextChoices):
        UNVERIFIED = "unverified", "Unverified"
        VERIFIED = "verified", "Verified"
        BOUNCED = "bounced", "Bounced"

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="contacts"
    )
    salutation = models.CharField(max_length=30, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100)
    title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=150, blank=True)

    role_site = models.BooleanField(ContactRole.SITE.field_label, default=False)
    role_billing = models.BooleanField(ContactRole.BILLING.field_label, default=False)
    role_approver = models.BooleanField(ContactRole.APPROVER.field_label, default=False)
    role_requester = models.BooleanField(ContactRole.REQUESTER.field_label, default=False)
    role_emergency = models.BooleanField(ContactRole.EMERGENCY.field_label, default=False)

    email = NormalizedEmailField(max_length=254)
    phone = PhoneNumberField()
    mobile = PhoneNumberField()
    secondary_phone = PhoneNumberField()
    phone_digits = models.CharField(max_length=200, blank=True, editable=False)
    # What a search matches (`clientbase.text.search_document` of SEARCHED_FIELDS and the
    # customer's name), kept by `save()` and, for a renamed customer, by `refresh_search_documents`.
    search_document = models.TextField(blank=True, default="", db_default="", editable=False)
    # The folded name (`clientbase.text.fold`) in both orders, which a search reads by prefix from
    # ordinary indexes before it looks for words anywhere (`selectors.search_contacts`).
    folded_last_first = FoldedKeyField()
    folded_first_last = FoldedKeyField()
    preferred_channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    notes = models.TextField(blank=True, max_length=LONG_TEXT_MAX)

    is_primary = models.BooleanField(default=False)
    locations = models.ManyToManyField(Location, through=ContactLocation, related_name="contacts", blank=True)
    reports_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="direct_reports"
    )
    address = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    approval_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    notify_work_orders = models.BooleanField(default=False)
    notify_completions = models.BooleanField(default=False)
    notify_quotes = models.BooleanField(default=False)
    notify_invoices = models.BooleanField(default=False)

    email_status = models.CharField(
        max_length=12, choices=EmailStatus.choices, default=EmailStatus.UNVERIFIED, editable=False
    )
    last_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When and by whom the contact's details were last confirmed as current (a technician at a
    # service visit, a dispatcher on the phone: `services.confirm_details`); not the e-mail
    # verification, which is `last_verified_at`.
    details_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    details_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    portal_enabled = models.BooleanField(default=False)
    portal_permissions = models.JSONField(default=list, blank=True)
    support_start = models.DateField(null=True, blank=True)
    support_end = models.DateField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        help_text="The portal login of this contact.",
    )

    external_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = contact_history_records
    # The words of the codes a history shows for these lists (`clientbase.history.display_value`).
    history_value_labels: ClassVar[dict[str, dict[str, str]]] = {
        "address": ADDRESS_LABELS,
        "portal_permissions": dict(PortalCapability.choices),
    }

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        permissions = [
            (
                "maintain_customer_contacts",
                "Can add and change customer-level contacts (not only location-level ones)",
            ),
            ("change_contact_notes", "Can change the notes of contacts"),
            (
                "set_approval_authority",
                "Can give or take approval authority (the approver role and the approval limit)",
            ),
        ]
        constraints = [
            long_text_limit("notes", table="contacts_contact", label="Notes"),
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(is_primary=True),
                name="contacts_contact_unique_primary_per_customer",
                violation_error_message="This customer already has a primary contact.",
            ),
            models.CheckConstraint(
                condition=Q(is_primary=False) | Q(customer__isnull=False),
                name="contacts_contact_primary_needs_customer",
                violation_error_message="Only a contact of a customer can be its primary contact.",
            ),
            models.CheckConstraint(
                condition=Q(is_primary=False) | Q(status="active"),
                name="contacts_contact_primary_is_active",
                violation_error_message="An inactive contact cannot be the primary contact.",
            ),
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("last_name")), 0),
                name="contacts_contact_last_name_not_blank",
                violation_error_message="Last name may not be blank.",
            ),
            models.CheckConstraint(
                condition=Q(approval_limit__isnull=True) | Q(approval_limit__gte=0),
                name="contacts_contact_approval_limit_not_negative",
                violation_error_message="The approval limit may not be negative.",
            ),
            models.CheckConstraint(
                condition=Q(reports_to__isnull=True) | ~Q(reports_to=F("id")),
                name="contacts_contact_not_own_manager",
                violation_error_message="A contact cannot report to itself.",
            ),
            models.CheckConstraint(
                condition=Q(support_start__isnull=True)
                | Q(support_end__isnull=True)
                | Q(support_end__gte=F("support_start")),
                name="contacts_contact_support_end_after_start",
                violation_error_message="The support end date is before the support start date.",
            ),
            models.CheckConstraint(
                condition=Q(portal_enabled=False) | ~Q(email=""),
                name="contacts_contact_portal_needs_email",
                violation_error_message="Portal access needs a valid e-mail address.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "inactive"]),
                name="contacts_contact_status_valid",
                violation_error_message="Status is active or inactive.",
            ),
            # An external_id is a customer's own key: unique within the customer (and among the
            # contacts without a customer), never across customers.
            models.UniqueConstraint(
                fields=["customer", "external_id"],
                condition=~Q(external_id="") & Q(customer__isnull=False),
                name="contacts_contact_unique_external_id_per_customer",
                violation_error_message="Another contact of this customer already has this external ID.",
            ),
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~Q(external_id="") & Q(customer__isnull=True),
                name="contacts_contact_unique_external_id_unaffiliated",
                violation_error_message="Another contact without a customer already has this external ID.",
            ),
            # An e-mail address is one person's within a customer (and among the contacts without a
            # customer), compared ignoring case as the import matches it; across customers one
            # person may be a contact of each. The services name the contact holding the address
            # (`services.check_email_free`); these are the last wall, under concurrent writes.
            models.UniqueConstraint(
                F("customer"),
                Lower("email"),
                condition=~Q(email="") & Q(customer__isnull=False),
                name="contacts_contact_unique_email_per_customer",
                violation_error_message="Another contact of this customer already has this e-mail address.",
            ),
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email="") & Q(customer__isnull=True),
                name="contacts_contact_unique_email_unaffiliated",
                violation_error_message="Another contact without a customer already has this e-mail address.",
            ),
        ]
        indexes = [
            # The default ordering of every contact list, so a first page reads 50 rows, not all.
            models.Index(fields=["last_name", "first_name", "id"], name="contacts_contact_order_idx"),
            models.Index(fields=["customer", "last_name"], name="contacts_customer_name_idx"),
            models.Index(fields=["email"], name="contacts_contact_email_idx"),
            # An import's matching keys, read for a chunk of rows at once (`LOWER(email) IN ...`).
            models.Index(Lower("email"), name="contacts_contact_email_key_idx"),
            models.Index(fields=["external_id"], name="contacts_contact_external_idx"),
            # The first tiers of a search: folded names by prefix, in the order a page reads.
            models.Index(fields=["folded_last_first", "id"], name="contacts_folded_last_first_idx"),
            models.Index(fields=["folded_first_last", "id"], name="contacts_folded_first_last_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs) -> None:
        update_fields = kwargs.get("update_fields")
        derived = self.derive_fields(None if update_fields is None else set(update_fields))
        if update_fields is not None and derived:
            kwargs["update_fields"] = {*update_fields, *derived}
        super().save(*args, **kwargs)

    def derive_fields(self, changed: set[str] | None = None, *, customer_name: str | None = None) -> set[str]:
        """Set the columns kept from the others (DERIVED_FIELDS): `phone_digits` from the phones,
        the folded names, and `search_document` (`searched_text`). `changed` names the fields a
        save writes (None: all of them); answers the derived fields that follow from those. The
        customer's name is `customer_name` when given (a bulk write knows it), else its part of the
        stored document when only the contact's own fields change, else read from the customer."""
        derived: set[str] = set()
        if changed is None or set(PHONE_FIELDS) & changed:
            self.phone_digits = phone_search_digits(self.phone, self.mobile, self.secondary_phone)
            derived.add("phone_digits")
        if changed is None or set(NAME_FIELDS) & changed:
            self.folded_last_first = fold(f"{self.last_name} {self.first_name}")
            self.folded_first_last = fold(f"{self.first_name} {self.last_name}")
            derived |= {"folded_last_first", "folded_first_last"}
        if changed is None or {*SEARCHED_FIELDS, "customer"} & changed:
            keeps_customer = changed is not None and "customer" not in changed
            if customer_name is not None:
                self.search_document = self.searched_text(customer_name=customer_name)
            elif keeps_customer and "search_document" not in self.get_deferred_fields():
                # The customer's part as stored: no read of the customer for a change of a name.
                customer_part = self.search_document.partition(DOCUMENT_PARTS)[2]
                self.search_document = self.searched_text(customer_part=customer_part)
            else:
                self.search_document = self.searched_text()
            derived.add("search_document")
        return derived

    def searched_text(self, customer_name: str | None = None, *, customer_part: str | None = None) -> str:
        """This contact's `search_document`: its SEARCHED_FIELDS folded
        (`clientbase.text.search_document`), then, after DOCUMENT_PARTS, its customer's name
        folded (`customer_part` as stored, else from `customer_name`, else read from the customer)."""
        own = search_document(*(getattr(self, name) for name in SEARCHED_FIELDS))
        if customer_part is None:
            if customer_name is None:
                customer = self.customer if self.customer_id is not None else None
                customer_name = customer.name if customer is not None else ""
            customer_part = search_document(customer_name)
        return f"{own}{DOCUMENT_PARTS}{customer_part}" if customer_part else own

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def roles(self) -> list[str]:
        return [role for role in ROLES if getattr(self, f"role_{role}")]

    @roles.setter
    def roles(self, values: list[str]) -> None:
        for role in ROLES:
            setattr(self, f"role_{role}", role in values)

    @property
    def notify(self) -> dict[str, bool]:
        return {category: getattr(self, f"notify_{category}") for category in NOTIFY_CATEGORIES}

    @notify.setter
    def notify(self, values: dict[str, bool]) -> None:
        for category in NOTIFY_CATEGORIES:
            if category in values:
                setattr(self, f"notify_{category}", bool(values[category]))

    @property
    def portal(self) -> dict[str, object]:
        return {
            "enabled": self.portal_enabled,
            "permissions": list(self.portal_permissions or []),
            "support_start": self.support_start,
            "support_end": self.support_end,
        }
