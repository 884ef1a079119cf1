"""The checks: each rule names what breaks a best practice of the product guides, how much it
matters, and where it is fixed.

Where the rules come from: the guides ask for a primary contact for every customer and at least a
technical (site) and a billing contact; mobile numbers for the primary, approver and emergency
contacts, who are called in a hurry; e-mail addresses that are known to work; contact details
checked at each service visit (so confirmed at least once a year); every site with someone to
call; an approval limit for approvers; a customer's name, primary contact and billing address; and
assets with their serial number, model and installation date. (A customer's name needs no rule:
the database refuses a customer without one, `customers_customer_name_not_blank`.)

A rule is a condition on one model's rows (`breaks`), read for many rows in one query; only the
rows the rule is about are read (`applies`: active customers, locations and contacts, assets in
service)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Asset, Customer, Location

# How long confirmed contact details stay current (the guides: checked at each visit; a year
# without one is overdue).
CONFIRMATION_DAYS = 365


class Severity(models.TextChoices):
    """How much a finding matters: `error` (work goes wrong: nobody to notify, mail that bounces),
    `warning` (a guide's requirement missing), `info` (completeness)."""

    ERROR = "error", "Error"
    WARNING = "warning", "Warning"
    INFO = "info", "Info"


@dataclass(frozen=True)
class Rule:
    """One check. `breaks()` is the condition on `model`'s rows that fail it (a Q or a boolean
    expression, built when called: it may depend on today's date); `applies` the rows it looks
    at; `message` says what is wrong and what to do, for one row; `fix` is the URL name of the
    staff page that fixes it (called with the row's id); `customer` is the path from a row to its
    customer's id (for `?customer=`)."""

    name: str
    severity: str
    model: type[models.Model]
    label: str
    message: str
    fix: str
    breaks: Callable[[], Any]  # a Q or a boolean expression (~Exists(...))
    applies: Q
    customer: str
    # Other models the rule reads (a customer without a primary contact reads its contacts): a user
    # who may not view them is not told of the rule's findings either.
    also_reads: tuple[type[models.Model], ...] = ()


def _contact_of_customer(**conditions: object) -> Exists:
    """Some active contact of the customer (the outer row) meets `conditions`."""
    return Exists(Contact.objects.filter(customer=OuterRef("pk"), status=Contact.Status.ACTIVE, **conditions))


def _blank(field: str) -> Q:
    """A JSON object's text `field` (`billing_address__street`) is missing or blank."""
    return Q(**{f"{field}__isnull": True}) | Q(**{field: ""})


def _not_confirmed() -> Q:
    """Confirmed longer ago than CONFIRMATION_DAYS, or never and created longer ago than that (a
    contact entered this year is as current as a confirmed one)."""
    since = timezone.now() - datetime.timedelta(days=CONFIRMATION_DAYS)
    return Q(details_confirmed_at__lt=since) | Q(details_confirmed_at__isnull=True, created_at__lt=since)


_ACTIVE_CUSTOMER = ~Q(status=Customer.Status.INACTIVE)
_ACTIVE_CONTACT = Q(status=Contact.Status.ACTIVE)
_ACTIVE_LOCATION = Q(is_active=True)
_ASSET_IN_SERVICE = ~Q(status=Asset.Status.RETIRED)

RULES: tuple[Rule, ...] = (
    # Customers ------------------------------------------------------------------------------------
    Rule(
        name="customer_without_primary_contact",
        severity=Severity.ERROR,
        model=Customer,
        label="Customer without a primary contact",
        message="No primary contact: mail with no better recipient reaches nobody. Make one contact primary.",
        fix="customers:customer-detail",
        breaks=lambda: ~_contact_of_customer(is_primary=True),
        applies=_ACTIVE_CUSTOMER,
        customer="pk",
        also_reads=(Contact,),
    ),
    Rule(
        name="customer_without_billing_contact",
        severity=Severity.WARNING,
        model=Customer,
        label="Customer without a billing contact",
        message="No billing contact: invoices have nobody to go to. Give a contact the billing role.",
        fix="customers:customer-detail",
        breaks=lambda: ~_contact_of_customer(role_billing=True),
        applies=_ACTIVE_CUSTOMER,
        customer="pk",
        also_reads=(Contact,),
    ),
    Rule(
        name="customer_without_site_contact",
        severity=Severity.WARNING,
        model=Customer,
        label="Customer without a site contact",
        message="No site contact: technicians have nobody to ask on site. Give a contact the site role.",
        fix="customers:customer-detail",
        breaks=lambda: ~_contact_of_customer(role_site=True),
        applies=_ACTIVE_CUSTOMER,
        customer="pk",
        also_reads=(Contact,),
    ),
    Rule(
        name="customer_without_billing_address",
        severity=Severity.WARNING,
        model=Customer,
        label="Customer without a billing address",
        message="The billing address lacks its street or city: add it before invoicing.",
        fix="customers:customer-update",
        breaks=lambda: _blank("billing_address__street") | _blank("billing_address__city"),
        applies=_ACTIVE_CUSTOMER,
        customer="pk",
    ),
    # Locations ------------------------------------------------------------------------------------
    Rule(
        name="location_without_contact",
        severity=Severity.WARNING,
        model=Location,
        label="Location without a contact",
        message="Nobody is linked to this site: link the contact to call there.",
        fix="customers:location-detail",
        breaks=lambda: (
            ~Exists(
                ContactLocation.objects.filter(location=OuterRef("pk"), contact__status=Contact.Status.ACTIVE)
            )
        ),
        applies=_ACTIVE_LOCATION,
        customer="customer_id",
        also_reads=(Contact,),
    ),
    # Contacts -------------------------------------------------------------------------------------
    Rule(
        name="key_contact_without_mobile",
        severity=Severity.WARNING,
        model=Contact,
        label="Primary, approver or emergency contact without a mobile number",
        message="A primary, approver or emergency contact without a mobile number: add one, they are "
        "the people called in a hurry.",
        fix="contacts:contact-update",
        breaks=lambda: (Q(is_primary=True) | Q(role_approver=True) | Q(role_emergency=True)) & Q(mobile=""),
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    Rule(
        name="contact_without_email",
        severity=Severity.WARNING,
        model=Contact,
        label="Contact without an e-mail address",
        message="No e-mail address: the contact gets no notifications. Add one.",
        fix="contacts:contact-update",
        breaks=lambda: Q(email=""),
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    Rule(
        name="email_bounced",
        severity=Severity.ERROR,
        model=Contact,
        label="E-mail address bounced",
        message="Mail to this address bounced: correct the address, then send a test e-mail.",
        fix="contacts:contact-update",
        breaks=lambda: Q(email_status=Contact.EmailStatus.BOUNCED) & ~Q(email=""),
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    Rule(
        name="email_never_verified",
        severity=Severity.INFO,
        model=Contact,
        label="E-mail address never verified",
        message="The address was never verified: send a test e-mail from the contact page.",
        fix="contacts:contact-detail",
        breaks=lambda: Q(email_status=Contact.EmailStatus.UNVERIFIED) & ~Q(email=""),
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    Rule(
        name="details_not_confirmed",
        severity=Severity.INFO,
        model=Contact,
        label=f"Details not confirmed for {CONFIRMATION_DAYS // 365} year",
        message="The contact's details have not been confirmed for a year (or since it was entered): "
        "check them with the person (at the next visit) and confirm them on the contact page.",
        fix="contacts:contact-detail",
        breaks=_not_confirmed,
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    Rule(
        name="approver_without_limit",
        severity=Severity.INFO,
        model=Contact,
        label="Approver without an approval limit",
        message="An approver without a limit may approve quotes of any amount: set the limit they have.",
        fix="contacts:contact-update",
        breaks=lambda: Q(role_approver=True, approval_limit__isnull=True),
        applies=_ACTIVE_CONTACT,
        customer="customer_id",
    ),
    # Assets ---------------------------------------------------------------------------------------
    Rule(
        name="asset_without_serial_number",
        severity=Severity.INFO,
        model=Asset,
        label="Asset without a serial number",
        message="No serial number: add it from the nameplate at the next visit.",
        fix="customers:asset-update",
        breaks=lambda: Q(serial_number=""),
        applies=_ASSET_IN_SERVICE,
        customer="location__customer_id",
    ),
    Rule(
        name="asset_without_model",
        severity=Severity.INFO,
        model=Asset,
        label="Asset without a model",
        message="No model: add it so the right parts are brought.",
        fix="customers:asset-update",
        breaks=lambda: Q(model=""),
        applies=_ASSET_IN_SERVICE,
        customer="location__customer_id",
    ),
    Rule(
        name="asset_without_installation_date",
        severity=Severity.INFO,
        model=Asset,
        label="Asset without an installation date",
        message="No installation date: add it to plan maintenance and replacement.",
        fix="customers:asset-update",
        breaks=lambda: Q(installed_on__isnull=True),
        applies=_ASSET_IN_SERVICE,
        customer="location__customer_id",
    ),
)

RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in RULES)
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}
