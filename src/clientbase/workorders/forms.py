"""The forms of the staff pages: the work-order wizard (customer, then location, then asset), the
quote and invoice form (customer, then one of its work orders) and the approval of a quote. The
choices of each step come from the one before; the services hold the rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, Customer, Location
from clientbase.notifications.facts import money
from clientbase.pages import ServiceForm
from clientbase.workorders.models import Quote, WorkOrder


@dataclass(frozen=True)
class WizardChoice:
    """What the user has chosen so far, each step checked against the one before."""

    customer: Customer | None = None
    location: Location | None = None
    asset: Asset | None = None

    @classmethod
    def from_params(cls, user: Any, params: Any) -> WizardChoice:
        def number(name: str) -> int | None:
            return parse_id(params.get(name))

        customer = location = asset = None
        if (customer_id := number("customer")) is not None:
            customer = access.restrict(user, Customer.objects.filter(pk=customer_id), access.VIEW).first()
        if customer is not None and (location_id := number("location")) is not None:
            location = access.restrict(
                user, Location.objects.filter(pk=location_id, customer=customer), access.VIEW
            ).first()
        if location is not None and (asset_id := number("asset")) is not None:
            asset = access.restrict(
                user, Asset.objects.filter(pk=asset_id, location=location), access.VIEW
            ).first()
        return cls(customer, location, asset)


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.full_name} ({obj.title})" if obj.title else obj.full_name


class WorkOrderForm(ServiceForm):
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), empty_label="Choose a customer")
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="No particular location"
    )
    asset = forms.ModelChoiceField(
        queryset=Asset.objects.none(), required=False, empty_label="No particular asset"
    )
    summary = forms.CharField(max_length=200, help_text="What is wrong, in a line: “Not cooling”.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    requested_by = ContactChoiceField(
        queryset=Contact.objects.none(), required=False, empty_label="Nobody in particular"
    )
    site_contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        empty_label="Chosen by the routing rules",
        help_text="Leave it to the rules: the location's site contact, else a customer-level site "
        "contact, else the primary contact.",
    )

    def __init__(self, *args: Any, user: Any, choice: WizardChoice, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["customer"].queryset = access.restrict(user, Customer.objects.all(), access.VIEW)
        if choice.customer is not None:
            fields["location"].queryset = access.restrict(
                user, Location.objects.filter(customer=choice.customer, is_active=True), access.VIEW
            )
            contacts = access.restrict(
                user,
                Contact.objects.filter(customer=choice.customer, status=Contact.Status.ACTIVE),
                access.VIEW,
            )
            fields["requested_by"].queryset = contacts
            fields["site_contact"].queryset = contacts
        if choice.location is not None:
            fields["asset"].queryset = access.restrict(
                user, Asset.objects.filter(location=choice.location), access.VIEW
            )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("site_contact") is None:
            data.pop("site_contact", None)  # the service resolves it
        return data


class WorkOrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.summary} ({obj.get_status_display().lower()})"


class DocumentForm(ServiceForm):
    """A new quote or invoice: the customer, then optionally one of its work orders, and the amount.
    The work orders offered are those of the customer chosen (the form refreshes when it changes)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), empty_label="Choose a customer")
    work_order = WorkOrderChoiceField(
        queryset=WorkOrder.objects.none(), required=False, empty_label="No particular work order"
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, user: Any, customer: Customer | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["customer"].queryset = access.restrict(user, Customer.objects.all(), access.VIEW)
        if customer is not None:
            fields["work_order"].queryset = access.restrict(
                user, WorkOrder.objects.filter(customer=customer), access.VIEW
            )


def approver_label(contact: Contact) -> str:
    """A contact as the approval select shows it: name, title, and what decides the approval."""
    parts = [f"{contact.full_name} ({contact.title})" if contact.title else contact.full_name]
    if contact.role_approver:
        limit = contact.approval_limit
        parts.append("no limit" if limit is None else f"limit {money(limit)}")
    if contact.status != Contact.Status.ACTIVE:
        parts.append("inactive")
    return " · ".join(parts)


class QuoteApprovalForm(ServiceForm):
    """Who approved a sent quote, chosen among the quote's customer's contacts (approvers first).
    Whether that contact may approve it is `services.approve_quote`'s call; this form only checks
    that the contact is one the user may see."""

    contact = forms.IntegerField(
        label="Approved by",
        widget=forms.Select,
        error_messages={"required": "Choose the contact who approved the quote."},
    )

    def __init__(self, *args: Any, user: Any, quote: Quote, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        contacts = access.restrict(
            user, Contact.objects.filter(customer_id=quote.customer_id), access.VIEW
        ).order_by("-role_approver", "status", "last_name", "first_name", "id")
        approvers: list[tuple[int, str]] = []
        others: list[tuple[int, str]] = []
        for contact in contacts:
            (approvers if contact.role_approver else others).append((contact.pk, approver_label(contact)))
        choices: list[Any] = [("", "Choose a contact")]
        if approvers:
            choices.append(("Approvers", approvers))
        if others:
            choices.append(("Other contacts (no approval authority)", others))
        fields: Any = self.fields
        fields["contact"].widget.choices = choices
        self.has_contacts = bool(approvers or others)

    def clean_contact(self) -> int:
        contact_id: int = self.cleaned_data["contact"]
        if not access.restrict(self.user, Contact.objects.filter(pk=contact_id), access.VIEW).exists():
            raise forms.ValidationError("Choose one of the contacts offered.")
        return contact_id
