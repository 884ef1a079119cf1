"""The contract form of the staff pages: the customer first, then the locations and assets of that
customer (the form offers them once the customer is chosen), the dates and the terms. It checks the
shape of the input; `clientbase.contracts.services` holds the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contracts.models import MAX_RESPONSE_HOURS, MAX_VISITS_PER_YEAR, Contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.pages import ServiceForm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AssetChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        tag = f", {obj.asset_tag}" if obj.asset_tag else ""
        return f"{obj.name} ({obj.location.name}{tag})"


class LocationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})" if obj.code else obj.name


def chosen_customer(user: Any, params: Any) -> Customer | None:
    """The customer a create form's `customer` parameter names, if the user may see it."""
    pk = parse_id(params.get("customer"))
    if pk is None:
        return None
    return access.restrict(user, Customer.objects.filter(pk=pk), access.VIEW).first()


class ContractForm(ServiceForm):
    """A contract: its customer (on a new contract only: a contract never moves), its name and
    dates, the locations and assets of the customer it covers (none: every site), the visits a
    year, the response time and our notes."""

    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), empty_label="Choose a customer")
    name = forms.CharField(max_length=200, help_text="E.g. “HVAC maintenance 2026”.")
    start_date = forms.DateField(
        label="Starts on", widget=DateInput(), help_text="The first day it is in force."
    )
    end_date = forms.DateField(
        label="Ends on",
        required=False,
        widget=DateInput(),
        help_text="The last day it is in force; empty: open-ended.",
    )
    locations = LocationChoices(
        label="Locations covered",
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="With no location and no asset ticked, the contract covers every site of the customer.",
    )
    assets = AssetChoices(
        label="Assets covered",
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Equipment covered wherever it stands (also at a location not ticked above).",
    )
    visits_per_year = forms.IntegerField(
        label="Visits per year",
        required=False,
        min_value=0,
        max_value=MAX_VISITS_PER_YEAR,
        help_text="Planned maintenance visits; empty: none agreed.",
    )
    response_hours = forms.IntegerField(
        label="Response time (hours)",
        required=False,
        min_value=1,
        max_value=MAX_RESPONSE_HOURS,
        help_text="From a call until we are on site; empty: none agreed.",
    )
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Ours: portal users do not see them.",
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        customer: Customer | None,
        contract: Contract | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if contract is not None:
            del fields["customer"]  # a contract stays with its customer
        else:
            fields["customer"].queryset = access.restrict(user, Customer.objects.all(), access.VIEW)
        if customer is None:
            del fields["locations"], fields["assets"]
            return
        # The customer's own: the database holds a contract to them (covered ones included).
        fields["locations"].queryset = access.restrict(
            user, Location.objects.filter(customer=customer), access.VIEW
        ).order_by("name", "id")
        fields["assets"].queryset = access.restrict(
            user, Asset.objects.filter(location__customer=customer).select_related("location"), access.VIEW
        ).order_by("location__name", "name", "id")

    @staticmethod
    def initial_for(contract: Contract) -> dict[str, Any]:
        names = ("name", "start_date", "end_date", "visits_per_year", "response_hours", "notes")
        return {
            **{name: getattr(contract, name) for name in names},
            "locations": list(contract.locations.all()),
            "assets": list(contract.assets.all()),
        }

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("locations", "assets"):
            if name in data:
                data[name] = list(data[name])
        return data
