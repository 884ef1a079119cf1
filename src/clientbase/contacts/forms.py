"""Forms of the contact pages. They check the shape of the input and hand the services a dict as
API.md names it (`roles` a list, `notify` a dict of booleans, `portal` a dict, foreign keys as
objects); every rule is the service's."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet

from clientbase import access
from clientbase.contacts.models import ROLE_DEFAULT_NOTIFY, Contact
from clientbase.contacts.services import CONTACT_FIELDS, default_notify
from clientbase.customers.forms import AddressField, DateInput, PhoneField
from clientbase.customers.models import Customer, Location
from clientbase.pages import ServiceForm
from clientbase.vocabulary import ContactRole, NotificationCategory, PortalCapability

ROLE_CHOICES = [(role.value, role.description) for role in ContactRole]
PORTAL_CHOICES = [(capability.value, capability.staff_choice) for capability in PortalCapability]


def contact_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field of the contact's model field `name` (its length, choices, default and
    whether it may be blank), with `kwargs` (label, widget, help text) over it."""
    model_field: Any = Contact._meta.get_field(name)
    field: forms.Field = model_field.formfield(**kwargs)
    return field


# The plain fields handed to the services as they are.
PLAIN_FIELDS = (*CONTACT_FIELDS, "is_primary")


# What the contact form and page say of an approver who is not notified about quotes (see
# `notify_warning`).
APPROVER_NOT_NOTIFIED = (
    "An approver who is not notified about quotes gets no quote to approve by e-mail: tick "
    f"“{NotificationCategory.QUOTES.label}” under Notifications (or “Notify as the roles suggest”)."
)


def role_notify_json() -> str:
    """Which notification categories each role suggests, as JSON for the form's script:
    `{"site": ["work_orders", "completions"], ...}` (`ROLE_DEFAULT_NOTIFY`)."""
    return json.dumps(
        {str(role): [str(c) for c in categories] for role, categories in ROLE_DEFAULT_NOTIFY.items()}
    )


def notify_warning(roles: list[str], notify: dict[str, bool]) -> str:
    """The warning a contact with these `roles` and notification opt-ins (`notify`, category:
    on) needs, or "": an approver not notified about quotes (`APPROVER_NOT_NOTIFIED`)."""
    if ContactRole.APPROVER in roles and not notify.get(NotificationCategory.QUOTES):
        return APPROVER_NOT_NOTIFIED
    return ""


# Why a field the user may not change is shown disabled (the rules: `access.locked_fields`).
LOCK_HELP = {
    "customer": "A contact moves to another customer only with “Move to another customer” on its "
    "page, which ends its portal access.",
    "roles": "Giving or taking the approver role needs the “set approval authority” permission.",
    "approval_limit": "Setting the approval limit needs the “set approval authority” permission.",
    "portal": "Managing portal access needs the permission to change contacts.",
    "external_id": "Setting the external ID needs the permission to change contacts.",
}
# The form fields that carry each field of the services' data.
FORM_FIELDS = {
    "customer": ("customer",),
    "approval_limit": ("approval_limit",),
    "portal": ("portal_enabled", "portal_permissions", "support_start", "support_end"),
    "external_id": ("external_id",),
}


class RoleCheckboxes(forms.CheckboxSelectMultiple):
    """Role checkboxes; the `locked` roles are shown but cannot be ticked or unticked."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.locked: set[str] = set()

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if value in self.locked:
            option["attrs"]["disabled"] = True
        return option


class CustomerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.number})"


class ContactForm(ServiceForm):
    """Create or edit a contact. Its locations and line manager are chosen among those of its
    customer: the customer given, or the one picked in the form."""

    service_error_fields = {"notify": "notify", "portal": "portal_enabled"}

    customer = CustomerChoiceField(
        queryset=Customer.objects.none(),
        required=False,
        empty_label="No customer (unaffiliated contact)",
    )
    salutation = contact_field(
        "salutation", widget=forms.TextInput(attrs={"autocomplete": "honorific-prefix"})
    )
    first_name = contact_field("first_name", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = contact_field("last_name", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    title = contact_field(
        "title",
        help_text="Be specific: “Facilities Manager, North Campus”.",
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    department = contact_field("department")
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, required=False, widget=RoleCheckboxes)
    email = forms.CharField(
        label="E-mail",
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    phone = PhoneField(help_text="Any format; numbers abroad with their country code (+44 …).")
    mobile = PhoneField()
    secondary_phone = PhoneField()
    preferred_channel = contact_field("preferred_channel")
    locations = forms.ModelMultipleChoiceField(
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: a customer-level contact, for every location of the customer.",
    )
    reports_to = forms.ModelChoiceField(
        label="Line manager", queryset=Contact.objects.none(), required=False, empty_label="None"
    )
    is_primary = contact_field(
        "is_primary",
        label="Primary contact of the customer",
        help_text="The default recipient; the current primary contact stops being one.",
    )
    status = contact_field("status")
    approval_limit = contact_field(
        "approval_limit",
        help_text="For approvers only. Empty: no limit.",
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    notify_from_roles = forms.BooleanField(
        label="Notify as the roles suggest",
        required=False,
        initial=True,
        help_text="Site: work orders and completions; billing: invoices; approver: quotes. "
        "Untick, or tick and untick the notifications below, to choose yourself.",
    )
    notify = forms.MultipleChoiceField(
        label="Notifications",
        choices=NotificationCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    address = AddressField(help_text="Only when it differs from the customer's address.")
    notes = contact_field(
        "notes",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Preferences, e.g. “Prefers text messages for scheduling”.",
    )
    portal_enabled = contact_field(
        "portal_enabled", label="Customer portal access", help_text="Needs a valid e-mail address."
    )
    portal_permissions = forms.MultipleChoiceField(
        label="Portal permissions",
        choices=PORTAL_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    support_start = contact_field("support_start", widget=DateInput())
    support_end = contact_field(
        "support_end", widget=DateInput(), help_text="No portal sign-in after this date."
    )
    external_id = contact_field("external_id", label="External ID")

    def __init__(
        self,
        *args: Any,
        user: Any,
        contact: Contact | None = None,
        customer: Customer | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.user = user
        self.contact = contact
        self.creating = contact is None
        customers = access.restrict(user, Customer.objects.only("id", "name", "number"), access.VIEW)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        # What the user may not change is shown disabled (one query per rule's action at most).
        self.locked = access.locked_fields(user, contact if contact is not None else Contact)
        self._lock_fields()
        # A stored contact keeps its customer here (moving it is an action of its own).
        self.chosen_customer = (
            self._chosen_customer(customers, customer) if contact is None else contact.customer
        )
        self.fields["locations"].queryset = self.location_choices()  # type: ignore[attr-defined]
        self.fields["reports_to"].queryset = self.manager_choices()  # type: ignore[attr-defined]
        if contact is not None:
            # Offered ticked while the stored opt-ins are those of the contact's roles.
            self.fields["notify_from_roles"].initial = contact.notify == default_notify(contact.roles)
        if not access.may_maintain_customer_contacts(user):
            self.fields[
                "locations"
            ].help_text = "Choose at least one: you may only maintain location-level contacts."

    def _lock_fields(self) -> None:
        """Disable the fields of `self.locked`. A browser sends nothing for a disabled input, so the
        stored value is kept; a value sent anyway goes to the service, which refuses a change."""
        for name in self.locked:
            if name == "roles":
                widget: Any = self.fields["roles"].widget
                widget.locked = {"approver"}
                self.fields["roles"].help_text = LOCK_HELP["roles"]
                continue
            for form_name in FORM_FIELDS.get(name, ()):
                field = self.fields[form_name]
                field.widget.attrs["disabled"] = True
                field.help_text = LOCK_HELP.get(name, field.help_text)
                if not (self.is_bound and self.add_prefix(form_name) in self.data):
                    field.disabled = True

    def clean_roles(self) -> list[str]:
        roles = list(self.cleaned_data.get("roles") or [])
        # The approver checkbox is disabled for whoever may not change it: not sent, the role stays.
        if "roles" in self.locked and self.contact is not None and self.contact.role_approver:
            roles = [role for role in ContactRole.values if role in {*roles, ContactRole.APPROVER}]
        return roles

    def _chosen_customer(self, customers: QuerySet[Customer], given: Customer | None) -> Customer | None:
        """The customer picked in the submitted form, else the one given."""
        if self.is_bound:
            raw = self.data.get(self.add_prefix("customer"))
            if not raw:
                return None
            try:
                return customers.filter(pk=int(raw)).first()
            except (TypeError, ValueError):
                return None
        return given

    def location_choices(self) -> QuerySet[Location]:
        if self.chosen_customer is None:
            return Location.objects.none()
        return access.restrict(self.user, Location.objects.filter(customer=self.chosen_customer), access.VIEW)

    def manager_choices(self) -> QuerySet[Contact]:
        if self.chosen_customer is None:
            return Contact.objects.none()
        managers = access.restrict(
            self.user, Contact.objects.filter(customer=self.chosen_customer), access.VIEW
        )
        if self.contact is not None:
            managers = managers.exclude(pk=self.contact.pk)
        return managers.only("id", "first_name", "last_name")

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(contact, name) for name in PLAIN_FIELDS}
        initial.update(
            customer=contact.customer_id,
            reports_to=contact.reports_to_id,
            roles=contact.roles,
            notify=[category for category, on in contact.notify.items() if on],
            locations=[location.pk for location in contact.locations.all()],
            portal_enabled=contact.portal_enabled,
            portal_permissions=list(contact.portal_permissions or []),
            support_start=contact.support_start,
            support_end=contact.support_end,
        )
        return initial

    @classmethod
    def initial_from_values(cls, values: dict[str, Any]) -> dict[str, Any]:
        """The form filled in with a service's data (`services.duplicate_values`: objects for the
        references, `roles` a list, `notify` a dict); the notifications as given, not the roles'."""
        initial: dict[str, Any] = {name: values[name] for name in PLAIN_FIELDS if name in values}
        customer, manager = values.get("customer"), values.get("reports_to")
        initial.update(
            customer=customer.pk if customer is not None else None,
            reports_to=manager.pk if manager is not None else None,
            roles=list(values.get("roles") or []),
            notify=[category for category, on in (values.get("notify") or {}).items() if on],
            notify_from_roles=False,
            locations=[location.pk for location in values.get("locations") or []],
        )
        return initial

    def values_kept(self) -> dict[str, Any]:
        """What was typed, as initial values (to show the form again with other choices)."""
        return {
            name: field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            for name, field in self.fields.items()
        }

    def notify_follows_roles(self) -> bool:
        """Do the notifications follow the roles: "Notify as the roles suggest" ticked and the
        notifications themselves left as loaded (a choice made there wins)."""
        return bool(self.cleaned_data.get("notify_from_roles")) and "notify" not in self.changed_data

    def warning(self) -> str:
        """`notify_warning` of the roles and notifications the form shows: as loaded, or as sent."""
        loaded_notify = set(self.get_initial_for_field(self.fields["notify"], "notify") or [])
        if self.is_bound:
            kept = self.values_kept()
            roles = list(kept.get("roles") or [])
            chosen = set(kept.get("notify") or [])
            follows = bool(kept.get("notify_from_roles")) and chosen == loaded_notify
        else:
            roles = list(self.get_initial_for_field(self.fields["roles"], "roles") or [])
            chosen = loaded_notify
            follows = bool(self.get_initial_for_field(self.fields["notify_from_roles"], "notify_from_roles"))
        notify = (
            default_notify(roles)
            if follows
            else {category: category in chosen for category in NotificationCategory.values}
        )
        return notify_warning(roles, notify)

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in PLAIN_FIELDS}
        values["roles"] = list(data["roles"])
        values["locations"] = list(data["locations"])
        if self.notify_follows_roles():
            # A new contact: the service's defaults of the roles (`services.create_contact`).
            if not self.creating:
                values["notify"] = default_notify(values["roles"])
        else:
            values["notify"] = {
                category: category in data["notify"] for category in NotificationCategory.values
            }
        values["portal"] = {
            "enabled": data["portal_enabled"],
            "permissions": list(data["portal_permissions"]),
            "support_start": data["support_start"],
            "support_end": data["support_end"],
        }
        return values


class ContactNotesForm(ServiceForm):
    """For users who may change only the notes of contacts (technicians)."""

    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Preferences, e.g. “Only call after 10 AM”.",
    )

    def __init__(
        self,
        *args: Any,
        user: Any = None,
        contact: Contact | None = None,
        customer: Customer | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        return {"notes": contact.notes}


class MoveContactForm(ServiceForm):
    """The customer a contact moves to (its current one not offered)."""

    customer = CustomerChoiceField(
        label="Move to",
        queryset=Customer.objects.none(),
        required=False,
        empty_label="No customer (unaffiliated contact)",
    )

    def __init__(self, *args: Any, user: Any, contact: Contact, **kwargs: Any):
        super().__init__(*args, **kwargs)
        customers = access.restrict(user, Customer.objects.only("id", "name", "number"), access.VIEW)
        if contact.customer_id is not None:
            customers = customers.exclude(pk=contact.customer_id)
        self.fields["customer"].queryset = customers.order_by("name")  # type: ignore[attr-defined]
