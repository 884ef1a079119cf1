"""Forms of the customer pages. They check the shape of the input; the services hold the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from clientbase import access
from clientbase.customers.models import ADDRESS_KEYS, ADDRESS_LABELS, Asset, Customer, Location
from clientbase.pages import ServiceForm
from clientbase.phones import format_phone, normalize_phone

ADDRESS_AUTOCOMPLETE = {
    "street": "address-line1",
    "street2": "address-line2",
    "city": "address-level2",
    "region": "address-level1",
    "postal_code": "postal-code",
    "country": "country-name",
}


class PhoneField(forms.CharField):
    """A phone number in any format; cleaned to E.164 with the number rules the models use.
    Shows a stored number readably (“+1 312-555-0142”)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 50)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, str) and value.startswith("+"):
            return format_phone(value)
        return value

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        try:
            return normalize_phone(text)
        except ValidationError as error:
            raise forms.ValidationError(error.messages, code="invalid_phone") from error


class AddressWidget(forms.MultiWidget):
    """One labelled input per address key, rendered inside the field's fieldset."""

    template_name = "widgets/address.html"

    def __init__(self, attrs: dict[str, Any] | None = None):
        super().__init__(
            {key: forms.TextInput(attrs={"autocomplete": ADDRESS_AUTOCOMPLETE[key]}) for key in ADDRESS_KEYS},
            attrs,
        )

    def decompress(self, value: Any) -> list[str]:
        value = value if isinstance(value, dict) else {}
        return [value.get(key, "") for key in ADDRESS_KEYS]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        for key, subwidget in zip(ADDRESS_KEYS, context["widget"]["subwidgets"], strict=True):
            subwidget["label"] = ADDRESS_LABELS[key]
            subwidget["key"] = key
        return context


class AddressField(forms.MultiValueField):
    """An address as the services take it: a dict of the known keys that were filled in."""

    widget = AddressWidget

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("required", False)
        super().__init__(
            fields=[forms.CharField(required=False, max_length=200) for _ in ADDRESS_KEYS],
            require_all_fields=False,
            **kwargs,
        )

    def compress(self, data_list: list[str]) -> dict[str, str]:
        return {key: value for key, value in zip(ADDRESS_KEYS, data_list or [], strict=False) if value}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any):
        super().__init__(format="%Y-%m-%d", **kwargs)


# Customers ----------------------------------------------------------------------------------------


class CustomerForm(ServiceForm):
    name = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autocomplete": "organization"}))
    legal_name = forms.CharField(max_length=200, required=False)
    tax_id = forms.CharField(label="Tax ID", max_length=50, required=False)
    status = forms.ChoiceField(choices=Customer.Status.choices, initial=Customer.Status.ACTIVE)
    email = forms.CharField(
        label="E-mail",
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "autocomplete": "email"}),
    )
    phone = PhoneField(help_text="Any format; numbers abroad with their country code (+44 …).")
    website = forms.CharField(
        max_length=200,
        required=False,
        help_text="e.g. example.com; https:// is added when left out.",
        widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    billing_address = AddressField()
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_for(cls, customer: Customer) -> dict[str, Any]:
        return {name: getattr(customer, name) for name in cls.base_fields}


# Locations, assets, parts --------------------------------------------------------------------------


class LocationForm(ServiceForm):
    name = forms.CharField(max_length=200)
    code = forms.CharField(max_length=50, required=False, help_text="A short code, unique for this customer.")
    address = AddressField()
    access_notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Keys, gate codes, parking, opening hours.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)

    @classmethod
    def initial_for(cls, location: Location) -> dict[str, Any]:
        return {name: getattr(location, name) for name in cls.base_fields}


class AssetForm(ServiceForm):
    location = forms.ModelChoiceField(queryset=Location.objects.none(), empty_label=None)
    name = forms.CharField(max_length=200)
    asset_tag = forms.CharField(max_length=100, required=False)
    serial_number = forms.CharField(max_length=100, required=False)
    manufacturer = forms.CharField(max_length=100, required=False)
    model = forms.CharField(max_length=100, required=False)
    installed_on = forms.DateField(required=False, widget=DateInput())
    warranty_until = forms.DateField(required=False, widget=DateInput())
    status = forms.ChoiceField(choices=Asset.Status.choices, initial=Asset.Status.IN_SERVICE)

    def __init__(self, *args: Any, user: Any, customer: Customer, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = access.restrict(  # type: ignore[attr-defined]
            user, Location.objects.filter(customer=customer), access.VIEW
        )
        self.fields["location"].help_text = "Any site of this customer."

    @classmethod
    def initial_for(cls, asset: Asset) -> dict[str, Any]:
        return {name: getattr(asset, name) for name in cls.base_fields}


class AssetPartForm(ServiceForm):
    asset = forms.ModelChoiceField(queryset=Asset.objects.none(), empty_label=None)
    name = forms.CharField(max_length=200)
    part_number = forms.CharField(max_length=100, required=False)
    serial_number = forms.CharField(max_length=100, required=False)
    installed_on = forms.DateField(required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any, location: Location, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = access.restrict(  # type: ignore[attr-defined]
            user, Asset.objects.filter(location=location).select_related("location"), access.VIEW
        )

    @classmethod
    def initial_for(cls, part: Any) -> dict[str, Any]:
        return {name: getattr(part, name) for name in cls.base_fields}
