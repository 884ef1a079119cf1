"""The words the apps share: what a contact is for (its roles), which mail it opts into (the
notification categories) and what a portal user may do (the portal capabilities).

Each is a Django `TextChoices`, in the order API.md lists it: a member's value is what the API,
the database and the import files carry, its `label` the name the pages show. The longer texts of
a member (a form's choice, a sentence's noun, a refusal) are attributes of the member, so that
every table of labels, every form choice and every refusal about these words is derived from here.
This module imports no app."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models


class Vocabulary(models.TextChoices):
    """The base of the vocabularies: a `TextChoices` that names the labels of some values."""

    @classmethod
    def labels_of(cls, values: Iterable[str]) -> list[str]:
        """The labels of the members among `values`, in the order of the vocabulary; a value that
        names no member is left out."""
        held = set(values)
        return [member.label for member in cls if member in held]


class ContactRole(Vocabulary):
    """What a contact is for; a contact may hold several (stored as `Contact.role_<value>`).

    `field_label`: the name of the role's field on the contact ("site contact");
    `description`: the choice in the staff contact form, with what the role does."""

    field_label: str
    description: str

    # value, field label, description, label
    SITE = "site", "site contact", "Site contact: coordinates service on site", "Site"
    BILLING = "billing", "billing contact", "Billing: invoices and payments", "Billing"
    APPROVER = (
        "approver",
        "approval authority",
        "Approval authority: approves quotes and extra work",
        "Approver",
    )
    REQUESTER = "requester", "service requester", "Service requester: reports issues", "Requester"
    EMERGENCY = "emergency", "emergency contact", "Emergency: after hours", "Emergency"

    def __new__(cls, value: str, field_label: str, description: str) -> ContactRole:
        member = str.__new__(cls, value)
        member._value_ = value
        member.field_label = field_label
        member.description = description
        return member


class NotificationCategory(Vocabulary):
    """What a contact opts into (its `notify`; stored as `Contact.notify_<value>`); the label is
    the choice in the staff contact form ("Work orders created or updated").

    `noun`: the category in a sentence ("opted into work order notifications")."""

    noun: str

    # value, noun, label
    WORK_ORDERS = "work_orders", "work order notifications", "Work orders created or updated"
    COMPLETIONS = "completions", "completion notifications", "Work orders completed"
    QUOTES = "quotes", "quotes", "Quotes to approve"
    INVOICES = "invoices", "invoices", "Invoices"

    def __new__(cls, value: str, noun: str) -> NotificationCategory:
        member = str.__new__(cls, value)
        member._value_ = value
        member.noun = noun
        return member


class PortalCapability(Vocabulary):
    """What a portal user may do (its contact's `portal.permissions`); `admin` holds every other
    one. The label is its name in the portal ("Access billing").

    `detail`: what it allows, after the name in the portal's choice (`choice`);
    `staff_choice`: the choice in the staff contact form;
    `refusal`: what a portal user without it reads (`{label}` stands for the label)."""

    detail: str
    staff_choice: str
    _refusal: str

    # value, detail, staff choice, refusal, label
    ADMIN = (
        "admin",
        "every feature of the portal, and managing who has access",
        "Admin: everything below",
        "This needs the portal admin permission.",
        "Admin access",
    )
    BILLING = (
        "billing",
        "invoices",
        "Billing: invoices",
        "Billing needs the “{label}” permission; a portal admin of yours grants it.",
        "Access billing",
    )
    REPORTS = (
        "reports",
        "work orders and invoices per location",
        "Reports",
        "Reports need the “{label}” permission; a portal admin of yours grants it.",
        "Access reports",
    )
    CREATE_WORK_ORDER = (
        "create_work_order",
        "ask us for service",
        "Create work orders",
        "Requesting service needs the “{label}” permission.",
        "Create work orders",
    )
    EDIT_CONTACTS = (
        "edit_contacts",
        "view, add, edit and delete your organisation's contacts",
        "Edit the customer's contacts",
        "The contacts pages need the “{label}” permission.",
        "Edit contacts",
    )

    def __new__(cls, value: str, detail: str, staff_choice: str, refusal: str) -> PortalCapability:
        member = str.__new__(cls, value)
        member._value_ = value
        member.detail = detail
        member.staff_choice = staff_choice
        member._refusal = refusal
        return member

    @property
    def choice(self) -> str:
        """The choice in the portal's contact form: "Access billing: invoices"."""
        return f"{self.label}: {self.detail}"

    @property
    def refusal(self) -> str:
        return self._refusal.format(label=self.label)
