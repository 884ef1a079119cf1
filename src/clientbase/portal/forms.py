"""Forms of the portal. They check the shape of the input; the rules are the services' (and the
sign-in's, in `PortalLoginForm`)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils.dateparse import parse_date

from clientbase import access, lockout
from clientbase.contacts.forms import contact_field
from clientbase.contacts.models import Contact
from clientbase.contacts.services import PERSON_FIELDS
from clientbase.customers.forms import PhoneField
from clientbase.customers.models import Asset, Customer, Location
from clientbase.pages import ServiceForm, confirm_current_password
from clientbase.vocabulary import PortalCapability

# A portal admin grants capabilities by their names and what they allow.
CAPABILITY_CHOICES = [(capability.value, capability.choice) for capability in PortalCapability]


class PortalLoginForm(forms.Form):
    """E-mail address and password; refused with the reason when the contact may not sign in
    today, and without looking at the password while the sign-in lockout holds
    (`clientbase.lockout`)."""

    email = forms.EmailField(
        label="E-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    INVALID = (
        "The e-mail address or the password is not right. If you have not chosen a password yet, "
        "use the link in your invitation e-mail, or “Forgot your password?” below."
    )

    def __init__(self, request: HttpRequest, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: Any = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        email, password = cleaned.get("email"), cleaned.get("password")
        if not email or password is None:
            return cleaned
        try:
            with lockout.attempt(self.request, email):
                user = authenticate(self.request, email=email, password=password)
                if user is None:
                    raise forms.ValidationError(self.INVALID, code="invalid_login")
        except lockout.LockedOut as locked:
            raise forms.ValidationError(
                f"{locked} You can also reset your password.", code="throttled"
            ) from locked
        contact = access.portal_contact(user)
        if contact is None or not access.portal_access_is_current(contact):
            lockout.refused(self.request, email, "access_not_current")
            raise forms.ValidationError(access.access_refusal(contact), code="not_current")
        self.user = user
        return cleaned


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class LoginEmailForm(forms.Form):
    """A portal admin's new sign-in address, confirmed with its password."""

    email = forms.EmailField(
        label="New e-mail address", max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Your password",
        strip=False,
        help_text="To confirm that it is you.",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, request: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        confirm_current_password(self.request, self.user, password)  # through the lockout
        return password


class ContactSearchForm(forms.Form):
    """The contacts page's search: by name and status."""

    search = forms.CharField(label="Name", required=False, max_length=100)
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Contact.Status.choices]
    )


class ColleagueForm(ServiceForm):
    """Add or edit a contact of the portal user's customer. The portal permission level appears
    only for a portal admin, and never on its own record."""

    service_error_fields = {"portal": "portal_permissions"}

    salutation = contact_field(
        "salutation",
        label="Title",
        widget=forms.TextInput(attrs={"autocomplete": "honorific-prefix", "placeholder": "Mr., Ms., Dr."}),
    )
    first_name = contact_field("first_name", widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = contact_field("last_name", widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    title = contact_field(
        "title", label="Job title", widget=forms.TextInput(attrs={"autocomplete": "organization-title"})
    )
    department = contact_field("department")
    email = forms.CharField(
        label="E-mail",
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = PhoneField(help_text="Any format; numbers abroad with their country code (+44 …).")
    mobile = PhoneField()
    locations = forms.ModelMultipleChoiceField(
        label="Sites",
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: the contact is for every site.",
    )
    status = contact_field("status")
    portal_enabled = contact_field(
        "portal_enabled",
        label="Customer portal access",
        help_text="They receive an e-mail with a link to choose their password.",
    )
    portal_permissions = forms.MultipleChoiceField(
        label="Portal permission level",
        choices=CAPABILITY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    PLAIN = (*PERSON_FIELDS, "status")
    # The sections of the page: a legend and its rows of fields, the fields of a row side by side
    # (portal access, offered to portal admins only, follows them).
    SECTIONS = (
        ("Name", (("salutation", "first_name", "last_name"), ("title", "department"))),
        ("How to reach", (("email",), ("phone", "mobile"))),
        ("Sites and status", (("locations",), ("status",))),
    )

    def __init__(self, *args: Any, user: Any, actor: Contact, contact: Contact | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        from clientbase.portal.services.accounts import grantable_capabilities, is_portal_admin

        self.contact = contact
        assert actor.customer_id is not None, "a portal user always has a customer"
        self.fields["locations"].queryset = access.restrict(  # type: ignore[attr-defined]
            user, Location.objects.filter(customer_id=actor.customer_id, is_active=True), access.VIEW
        )
        self.manages_portal = is_portal_admin(actor) and (contact is None or contact.pk != actor.pk)
        if self.manages_portal:
            grantable = grantable_capabilities(actor)
            self.fields["portal_permissions"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in CAPABILITY_CHOICES if value in grantable
            ]
        else:
            del self.fields["portal_enabled"]
            del self.fields["portal_permissions"]
        if contact is not None and contact.user_id and contact.portal_enabled and not is_portal_admin(actor):
            self.fields["email"].disabled = True
            self.fields[
                "email"
            ].help_text = (
                "The address this person signs in to the portal with; only a portal admin can change it."
            )
        elif contact is not None and contact.user_id and contact.portal_enabled:
            self.fields[
                "email"
            ].help_text = "The address this person signs in with; changing it tells the old address."

    def sections(self) -> list[tuple[str, list[list[forms.BoundField]]]]:
        """`SECTIONS` with the bound fields: (legend, rows of fields)."""
        return [(legend, [[self[name] for name in row] for row in rows]) for legend, rows in self.SECTIONS]

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(contact, name) for name in cls.PLAIN}
        initial.update(
            locations=[location.pk for location in contact.locations.all()],
            portal_enabled=contact.portal_enabled,
            portal_permissions=list(contact.portal_permissions or []),
        )
        return initial

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            name: data[name] for name in self.PLAIN if name in self.changed_data or self.contact is None
        }
        if self.contact is None or "locations" in self.changed_data:
            values["locations"] = list(data["locations"])
        if self.manages_portal and (
            self.contact is None or {"portal_enabled", "portal_permissions"} & set(self.changed_data)
        ):
            values["portal"] = {
                "enabled": data["portal_enabled"],
                "permissions": list(data["portal_permissions"]),
            }
        values.update(self.not_offered())
        return values

    def not_offered(self) -> dict[str, Any]:
        """Fields this form does not offer the user (approval authority, the external ID, portal
        access unless it manages it) that were posted anyway: handed to the service as given, which
        refuses any change of them (403 naming the field); the stored value sent back is no change."""
        posted: Any = self.data
        values: dict[str, Any] = {}
        if "roles" in posted:
            values["roles"] = posted.getlist("roles")
        if "approval_limit" in posted:
            values["approval_limit"] = _decimal_or_text(posted.get("approval_limit", ""))
        if "external_id" in posted:
            values["external_id"] = str(posted.get("external_id", ""))
        if not self.manages_portal:
            portal: dict[str, Any] = {}
            if "portal_enabled" in posted:
                portal["enabled"] = posted.get("portal_enabled", "") not in ("", "off", "false", "0")
            if "portal_permissions" in posted:
                portal["permissions"] = posted.getlist("portal_permissions")
            for key in ("support_start", "support_end"):
                if key in posted:
                    text = str(posted.get(key, "")).strip()
                    portal[key] = (_date_or_none(text) or text) if text else None
            if portal:
                values["portal"] = portal
        return values


def _decimal_or_text(text: str) -> Decimal | str | None:
    text = str(text).strip()
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def _date_or_none(text: str) -> datetime.date | None:
    try:
        return parse_date(text)
    except ValueError:
        return None


class WorkOrderRequestForm(ServiceForm):
    """A request for service of `customer`: where, on what, and what is wrong."""

    location = forms.ModelChoiceField(
        label="Site",
        queryset=Location.objects.none(),
        required=False,
        empty_label="Not at one site in particular",
    )
    asset = forms.ModelChoiceField(
        label="Equipment",
        queryset=Asset.objects.none(),
        required=False,
        empty_label="No particular equipment",
        help_text="Only equipment at the site chosen above.",
    )
    summary = forms.CharField(
        label="Short summary", max_length=200, help_text="“Rooftop unit 3 not cooling”."
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What happens, since when, how urgent, and how our technician gets access.",
    )

    def __init__(self, *args: Any, user: Any, customer: Customer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["location"].queryset = access.restrict(  # type: ignore[attr-defined]
            user, Location.objects.filter(customer=customer, is_active=True), access.VIEW
        )
        self.fields["asset"].queryset = access.restrict(  # type: ignore[attr-defined]
            user,
            Asset.objects.filter(location__customer=customer).select_related("location"),
            access.VIEW,
        )
        asset_field: Any = self.fields["asset"]
        asset_field.label_from_instance = lambda asset: f"{asset.name} ({asset.location.name})"

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "customer": self.customer,
            "location": data["location"],
            "asset": data["asset"],
            "summary": data["summary"],
            "description": data["description"],
        }
