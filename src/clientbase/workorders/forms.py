"""The forms of the staff pages: the work-order wizard (customer, then location, then asset), the
work order's edit form (its service contract among them: a choice of its customer's contracts)
and the form of each step of its lifecycle, the quote and invoice form
(customer, then one of its work orders, and for a quote the contact it is addressed to) and the
approval of a quote. The choices of each step come from the one before; the services hold the
rules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import COVERAGE
from clientbase.customers.models import Asset, Customer, Location
from clientbase.notifications.facts import money
from clientbase.pages import ServiceForm
from clientbase.workorders.models import Document, Quote, WorkOrder
from clientbase.workorders.services import technician_name


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
    """A contact by name (and title); one no longer of `customer_id` (set by the form: a contact a
    work order names that has since moved) says so."""

    customer_id: int | None = None

    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.full_name} ({obj.title})" if obj.title else obj.full_name
        if self.customer_id is not None and obj.customer_id != self.customer_id:
            label += " (now another customer's contact)"
        return label


def contract_label(contract: Contract) -> str:
    """A contract as the forms and pages name it: “K-000042 HVAC maintenance (active, until
    2027-03-31)”; “(upcoming, from …)”, “(expired on …)”, “(active, open-ended)”."""
    status = contract.status
    if status == Contract.Status.UPCOMING:
        when = f"upcoming, from {contract.start_date.isoformat()}"
    elif status == Contract.Status.EXPIRED:
        assert contract.end_date is not None
        when = f"expired on {contract.end_date.isoformat()}"
    elif contract.end_date is None:
        when = "active, open-ended"
    else:
        when = f"active, until {contract.end_date.isoformat()}"
    return f"{contract.number} {contract.name} ({when})"


class ContractChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return contract_label(obj)


def contract_choices(user: Any, customer_id: int) -> Any:
    """The contracts a work order of customer `customer_id` may be done under, as `user` may see
    them: those in force first (the latest start first), then upcoming, then expired."""
    order = {Contract.Status.ACTIVE: 0, Contract.Status.UPCOMING: 1, Contract.Status.EXPIRED: 2}
    rank = Case(
        *[When(status=status, then=Value(position)) for status, position in order.items()],
        output_field=IntegerField(),
    )
    return access.restrict(
        user,
        Contract.objects.filter(customer_id=customer_id).order_by(rank, "-start_date", "-id"),
        access.VIEW,
    )


def contract_field(
    user: Any, customer_id: int, *, empty_label: str, help_text: str
) -> ContractChoiceField | None:
    """The choice of a work order's contract among its customer's (`contract_choices`); None for a
    user who may not view contracts (the form then leaves the contract to the service)."""
    if not access.can(user, access.VIEW, Contract):
        return None
    return ContractChoiceField(
        label="Contract",
        queryset=contract_choices(user, customer_id),
        required=False,
        empty_label=empty_label,
        help_text=help_text,
    )


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
            contract = contract_field(
                user,
                choice.customer.pk,
                empty_label="Chosen by the rules",
                help_text="Leave it to the rules: the contract in force that names the asset, else "
                "the location, else a customer-wide one.",
            )
            if contract is not None:
                fields["contract"] = contract
        if choice.location is not None:
            fields["asset"].queryset = access.restrict(
                user, Asset.objects.filter(location=choice.location), access.VIEW
            )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("site_contact", "contract"):
            if data.get(name) is None:
                data.pop(name, None)  # the service resolves it
        return data


class DateTimeInput(forms.DateTimeInput):
    """A date and time picker (`datetime-local`), in the server's time zone."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class AssetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.location.name})"


class TechnicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return technician_name(obj)


def technicians(current: Any = None) -> Any:
    """The users a work order may be given to: active staff users by name (and `current`, the
    technician it has, so that its form can keep it)."""
    users = get_user_model().objects.filter(is_staff=True, is_active=True)
    if current is not None:
        users = get_user_model().objects.filter(Q(is_staff=True, is_active=True) | Q(pk=current.pk))
    return users.order_by("first_name", "last_name", "username")


def schedule_fields(work_order: WorkOrder | None) -> dict[str, forms.Field]:
    """The visit and the technician, as the edit and step forms ask for them."""
    return {
        "scheduled_start": forms.DateTimeField(
            label="Visit starts",
            required=False,
            widget=DateTimeInput(),
            help_text=(
                "When the technician is expected on site, in the time zone "
                f"{timezone.get_current_timezone_name()}."
            ),
        ),
        "scheduled_end": forms.DateTimeField(
            label="Visit ends",
            required=False,
            widget=DateTimeInput(),
            help_text="Optional; not before the start.",
        ),
        "technician": TechnicianChoiceField(
            queryset=technicians(work_order.technician if work_order is not None else None),
            required=False,
            empty_label="Not assigned yet",
        ),
    }


# How the forms say what made a contract cover a place (`covering_contract`'s `coverage`).
COVERAGE_WORDS = dict(
    zip(COVERAGE, ("names the asset", "names the location", "covers every site"), strict=True)
)


def covering_help(covering: Contract | None) -> str:
    """The edit form's help on the contract: which contract covers the place chosen on the form
    today (`covering`, from `covering_contract`), and that a new place does not change the
    contract."""
    if covering is None:
        found = "No contract in force covers the location and asset chosen today."
    else:
        how = COVERAGE_WORDS.get(getattr(covering, "coverage", ""), "")
        found = (
            f"Covering the location and asset chosen today: {covering.number} {covering.name}"
            f"{f' ({how})' if how else ''}."
        )
    return f"{found} A new location or asset leaves the contract as it is: choose the one that applies."


class WorkOrderEditForm(ServiceForm):
    """A work order's details: where (a location of its customer, an asset there), what, who asked
    and who is the site contact, the service contract it is done under (for users who may view
    contracts: its customer's, with the one covering its place today named in the help,
    `covering`); while it is scheduled or in progress, the visit; until it is closed, the
    technician. Its status changes by the steps of its lifecycle, not here."""

    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="No particular location"
    )
    asset = AssetChoiceField(
        queryset=Asset.objects.none(),
        required=False,
        empty_label="No particular asset",
        help_text="An asset at the location chosen.",
    )
    summary = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    requested_by = ContactChoiceField(
        queryset=Contact.objects.none(), required=False, empty_label="Nobody in particular"
    )
    site_contact = ContactChoiceField(
        queryset=Contact.objects.none(), required=False, empty_label="Nobody in particular"
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        work_order: WorkOrder,
        covering: Contract | None = None,
        location_id: int | None = None,
        **kwargs: Any,
    ):
        """`location_id`: the location chosen on the form (`chosen_location`), whose assets the
        asset field offers; None offers none."""
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        customer_id = work_order.customer_id
        fields["location"].queryset = access.restrict(
            user,
            Location.objects.filter(customer_id=customer_id).filter(
                Q(is_active=True) | Q(pk=work_order.location_id or 0)
            ),
            access.VIEW,
        )
        # What the work order names stays offered, so that a save leaves it as it is, even where
        # it no longer fits (an asset since moved to another site, a contact to another customer):
        # the service checks only what changes.
        assets = access.restrict(
            user,
            Asset.objects.filter(location__customer_id=customer_id, location_id=location_id or 0),
            access.VIEW,
        )
        kept_asset = Q(pk=work_order.asset_id) if location_id == work_order.location_id else Q(pk__in=[])
        fields["asset"].queryset = (
            Asset.objects.filter(Q(pk__in=assets.values("pk")) | kept_asset)
            .select_related("location")
            .order_by("name", "id")
        )
        if location_id is None:
            fields["asset"].help_text = "Choose the location first."
        named = [pk for pk in (work_order.requested_by_id, work_order.site_contact_id) if pk is not None]
        offered = access.restrict(
            user, Contact.objects.filter(customer_id=customer_id, status=Contact.Status.ACTIVE), access.VIEW
        )
        contacts = Contact.objects.filter(Q(pk__in=offered.values("pk")) | Q(pk__in=named)).order_by(
            "last_name", "first_name", "id"
        )
        for name in ("requested_by", "site_contact"):
            fields[name].queryset = contacts
            fields[name].customer_id = customer_id
        contract = contract_field(
            user, customer_id, empty_label="No contract", help_text=covering_help(covering)
        )
        if contract is not None:
            fields["contract"] = contract
        scheduling = schedule_fields(work_order)
        if work_order.status in (WorkOrder.Status.SCHEDULED, WorkOrder.Status.IN_PROGRESS):
            fields["scheduled_start"] = scheduling["scheduled_start"]
            fields["scheduled_end"] = scheduling["scheduled_end"]
        fields["technician"] = scheduling["technician"]
        if work_order.status == WorkOrder.Status.SCHEDULED:
            fields["scheduled_start"].required = True

    @staticmethod
    def chosen_location(params: Any, work_order: WorkOrder) -> int | None:
        """The location chosen on the form: `location` of the posted form or of the query (the
        page refreshes the asset field when the location changes), else the work order's."""
        if "location" in params:
            return parse_id(params["location"])
        return work_order.location_id

    @staticmethod
    def initial_for(work_order: WorkOrder) -> dict[str, Any]:
        names = (
            "location",
            "asset",
            "summary",
            "description",
            "requested_by",
            "site_contact",
            "contract",
            "scheduled_start",
            "scheduled_end",
            "technician",
        )
        return {name: getattr(work_order, name) for name in names}


# What each step of the lifecycle is called on the pages, what it did (past tense), and what its
# form asks for (`WorkOrderStepForm`).
STEPS: dict[str, tuple[str, str]] = {
    to: (label, WorkOrder.STEP_DONE[to])
    for to, label in (
        (WorkOrder.Status.SCHEDULED, "Schedule"),
        (WorkOrder.Status.IN_PROGRESS, "Start"),
        (WorkOrder.Status.COMPLETED, "Complete"),
        (WorkOrder.Status.CANCELLED, "Cancel work order"),
        (WorkOrder.Status.OPEN, "Reopen"),
    )
}


class WorkOrderStepForm(ServiceForm):
    """One step of a work order's lifecycle, to the status `to`, with what that step records:
    scheduling the visit (its start required) and the technician; starting, the technician;
    completing, the completion note; cancelling, the reason (required); reopening, nothing (the
    visit is unscheduled). The service decides whether the step is allowed."""

    def __init__(self, *args: Any, work_order: WorkOrder, to: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.to = to
        fields: Any = self.fields
        scheduling = schedule_fields(work_order)
        if to == WorkOrder.Status.SCHEDULED:
            fields["scheduled_start"] = scheduling["scheduled_start"]
            fields["scheduled_start"].required = True
            fields["scheduled_end"] = scheduling["scheduled_end"]
            fields["technician"] = scheduling["technician"]
        elif to == WorkOrder.Status.IN_PROGRESS:
            fields["technician"] = scheduling["technician"]
        elif to == WorkOrder.Status.COMPLETED:
            fields["completion_note"] = forms.CharField(
                label="Completion note",
                required=False,
                widget=forms.Textarea(attrs={"rows": 5}),
                help_text="What was done; the completion mail shows it.",
            )
        elif to == WorkOrder.Status.CANCELLED:
            fields["cancel_reason"] = forms.CharField(
                label="Reason for cancelling",
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Why the work will not be done; the customer's contacts are told.",
                error_messages={"required": "Say why the work order is cancelled."},
            )

    @staticmethod
    def initial_for(work_order: WorkOrder) -> dict[str, Any]:
        return {
            "scheduled_start": work_order.scheduled_start,
            "scheduled_end": work_order.scheduled_end,
            "technician": work_order.technician,
        }

    def service_data(self) -> dict[str, Any]:
        return {"status": self.to, **self.cleaned_data}


class WorkOrderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.number} {obj.summary} ({obj.get_status_display().lower()})"


class DocumentForm(ServiceForm):
    """A new quote or invoice (`model`): the customer, then optionally one of its work orders, and
    the amount; a quote also the contact it is addressed to. The work orders and contacts offered
    are those of the customer chosen (the form refreshes when it changes)."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), empty_label="Choose a customer")
    work_order = WorkOrderChoiceField(
        queryset=WorkOrder.objects.none(), required=False, empty_label="No particular work order"
    )
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    def __init__(
        self, *args: Any, user: Any, customer: Customer | None, model: type[Document] = Quote, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["customer"].queryset = access.restrict(user, Customer.objects.all(), access.VIEW)
        if customer is not None:
            fields["work_order"].queryset = access.restrict(
                user, WorkOrder.objects.filter(customer=customer), access.VIEW
            )
        if issubclass(model, Quote):
            fields["contact"] = ContactChoiceField(
                label="Addressed to",
                queryset=Contact.objects.none(),
                required=False,
                empty_label="Nobody in particular",
                help_text="The contact of the customer the quote is for.",
            )
            if customer is not None:
                fields["contact"].queryset = access.restrict(
                    user,
                    Contact.objects.filter(customer=customer, status=Contact.Status.ACTIVE).order_by(
                        "last_name", "first_name", "id"
                    ),
                    access.VIEW,
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
