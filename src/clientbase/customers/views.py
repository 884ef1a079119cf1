"""The staff pages of customers, locations, assets and asset parts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from clientbase import access, history
from clientbase.customers import selectors, services
from clientbase.customers.filters import CustomerFilterSet, LocationFilterSet
from clientbase.customers.forms import AssetForm, AssetPartForm, CustomerForm, LocationForm
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.pages import (
    DetailPage,
    FormPage,
    ListPage,
    PageSection,
    flags,
    register_section,
    sections_for,
)
from clientbase.phones import format_phone

# How many locations a customer page shows before linking to the full list.
SECTION_SIZE = 50


# Sections other apps add to the customer page: after Locations (work orders, quotes, invoices),
# each in a panel the page frames with its title; or before Locations (contacts), each a whole
# panel: its template renders `<section id="{key}" class="panel">` with its own header and
# actions, and its `details_template_name` may add rows to the customer's details.
CustomerSection = PageSection
CUSTOMER_SECTIONS: list[PageSection] = []
CUSTOMER_SECTIONS_BEFORE_LOCATIONS: list[PageSection] = []

# Sections other apps add to the location page (contacts), before its assets; whole panels, as the
# customer page's before Locations. Their context is called with the location.
LOCATION_SECTIONS: list[PageSection] = []

# Sections other apps add to the asset page (its service history), after its parts; whole panels,
# as the location page's. Their context is called with the asset.
ASSET_SECTIONS: list[PageSection] = []

# Columns other apps add to the customer list (the primary contact), after Status: `title` heads
# the column, `template_name` is the `<td>` of one row (with `customer` and `section`), and
# `context(request, customers)` is called once with the rows of the page (it adds to them what
# its cells show, in a constant number of queries); None leaves the column out.
CUSTOMER_COLUMNS: list[PageSection] = []


def register_customer_section(section: PageSection, *, before_locations: bool = False) -> None:
    """Add a section to every customer page (call it from an AppConfig.ready()): after the
    locations, or, with `before_locations`, before them as a whole panel."""
    register_section(CUSTOMER_SECTIONS_BEFORE_LOCATIONS if before_locations else CUSTOMER_SECTIONS, section)


def register_location_section(section: PageSection) -> None:
    """Add a section (a whole panel) to every location page, before its assets (call it from an
    AppConfig.ready())."""
    register_section(LOCATION_SECTIONS, section)


def register_asset_section(section: PageSection) -> None:
    """Add a section (a whole panel) to every asset page, after its parts (call it from an
    AppConfig.ready())."""
    register_section(ASSET_SECTIONS, section)


def register_customer_column(column: PageSection) -> None:
    """Add a column to the customer list (call it from an AppConfig.ready())."""
    register_section(CUSTOMER_COLUMNS, column)


def customer_url(customer: Customer | int) -> str:
    return reverse("customers:customer-detail", args=[getattr(customer, "pk", customer)])


def location_url(location: Location | int) -> str:
    return reverse("customers:location-detail", args=[getattr(location, "pk", location)])


def asset_url(asset: Asset | int) -> str:
    return reverse("customers:asset-detail", args=[getattr(asset, "pk", asset)])


# Customers ----------------------------------------------------------------------------------------


class CustomerListView(ListPage):
    section = "customers"
    model = Customer
    filterset_class = CustomerFilterSet
    partial_template_name = "customers/_partials/customer_results.html"
    url_name = "customers:customer-list"
    search_placeholder = "Name, legal name, number, e-mail, phone"
    add_url_name = "customers:customer-create"
    add_label = "Add customer"

    def decorate(self, rows: list[Any]) -> None:
        for customer in rows:
            customer.phone_text = format_phone(customer.phone)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["extra_columns"] = sections_for(self.request, context["page"].rows, CUSTOMER_COLUMNS)
        return context


class CustomerDetailView(DetailPage):
    """A customer with its locations (with their assets and parts) and its history. Other apps add
    their sections (contacts, work orders, ...) with `register_customer_section()`."""

    section = "customers"

    model = Customer
    queryset = Customer.objects.all()
    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        customer: Customer = self.object
        locations = list(
            selectors.locations_with_equipment(
                access.restrict(user, Location.objects.filter(customer=customer), access.VIEW)
            )[: SECTION_SIZE + 1]
        )
        context.update(
            can=flags(user, customer, [access.CHANGE]),
            can_add_location=self.can(access.ADD, Location),
            locations=locations[:SECTION_SIZE],
            more_locations=len(locations) > SECTION_SIZE,
            history=history.for_display(selectors.customer_history(customer.pk), Customer),
            phone_text=format_phone(customer.phone),
            sections_before_locations=sections_for(
                self.request, customer, CUSTOMER_SECTIONS_BEFORE_LOCATIONS
            ),
            extra_sections=sections_for(self.request, customer, CUSTOMER_SECTIONS),
        )
        return context


class CustomerCreateView(FormPage):
    section = "customers"
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    success_message = "Customer “{obj.name}” created."

    def prepare(self) -> None:
        access.require_model(self.user, access.ADD, Customer)

    def perform(self, form: CustomerForm) -> Customer:
        return services.create_customer(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: Customer) -> str:
        return customer_url(obj)


class CustomerUpdateView(FormPage):
    section = "customers"
    edits = "customer"
    form_class = CustomerForm
    template_name = "customers/customer_form.html"
    success_message = "Customer “{obj.name}” saved."

    def prepare(self) -> None:
        self.customer = access.fetch(
            self.user,
            Customer.objects.all(),
            self.kwargs["pk"],
            access.CHANGE,
        )

    def get_initial(self) -> dict[str, Any]:
        return CustomerForm.initial_for(self.customer)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.customer, **kwargs)

    def perform(self, form: CustomerForm) -> Customer:
        return services.update_customer(
            customer=self.customer,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_url_for(self, obj: Customer) -> str:
        return customer_url(obj)


# Locations ----------------------------------------------------------------------------------------

# The choices of the location list's filter `is_active`.
ACTIVE_CHOICES = [("true", "Active only"), ("false", "Inactive only")]


class LocationListView(ListPage):
    section = "locations"
    model = Location
    queryset = Location.objects.select_related("customer")
    filterset_class = LocationFilterSet
    template_name = "customers/location_list.html"
    partial_template_name = "customers/_partials/location_results.html"
    url_name = "customers:location-list"
    search_placeholder = "Name, code, street or city"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer = None
        if context["filterset"] is not None and context["filterset"].is_valid():
            customer_id = context["filterset"].form.cleaned_data.get("customer")
            if customer_id:
                customer = (
                    access.restrict(self.user, Customer.objects.all(), access.VIEW)
                    .filter(pk=customer_id)
                    .first()
                )
        context.update(filter_customer=customer, active_choices=ACTIVE_CHOICES)
        return context


class LocationDetailView(DetailPage):
    """A location with its address, its access notes and its assets with their parts. Other apps
    add their sections (contacts) with `register_location_section()`."""

    section = "locations"

    model = Location
    queryset = Location.objects.select_related("customer")
    template_name = "customers/location_detail.html"
    context_object_name = "location"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        location: Location = self.object
        assets = list(
            access.restrict(user, Asset.objects.filter(location=location), access.VIEW).prefetch_related(
                "parts"
            )
        )
        context.update(
            can=flags(user, location, [access.CHANGE]),
            can_add_asset=self.can(access.ADD, Asset),
            assets=assets,
            extra_sections=sections_for(self.request, location, LOCATION_SECTIONS),
        )
        return context


class LocationCreateView(FormPage):
    """A new location of the customer in the URL."""

    section = "locations"

    form_class = LocationForm
    template_name = "customers/location_form.html"
    success_message = "Location “{obj.name}” created."

    def prepare(self) -> None:
        self.customer = access.fetch(self.user, Customer.objects.all(), self.kwargs["pk"])
        access.require_model(self.user, access.ADD, Location)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.customer, **kwargs)

    def perform(self, form: LocationForm) -> Location:
        data = {**form.service_data(), "customer": self.customer}
        return services.create_location(acting_user=self.user, data=data)

    def success_url_for(self, obj: Location) -> str:
        return location_url(obj)


class LocationUpdateView(FormPage):
    section = "locations"
    edits = "location"
    form_class = LocationForm
    template_name = "customers/location_form.html"
    success_message = "Location “{obj.name}” saved."

    def prepare(self) -> None:
        self.location = access.fetch(
            self.user,
            Location.objects.select_related("customer"),
            self.kwargs["pk"],
            access.CHANGE,
        )
        self.customer = self.location.customer

    def get_initial(self) -> dict[str, Any]:
        return LocationForm.initial_for(self.location)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(customer=self.customer, location=self.location, **kwargs)

    def perform(self, form: LocationForm) -> Location:
        return services.update_location(
            location=self.location,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_url_for(self, obj: Location) -> str:
        return location_url(obj)


# Assets and parts ---------------------------------------------------------------------------------


class AssetDetailView(DetailPage):
    """An asset with its details and parts. Other apps add their sections (its service history)
    with `register_asset_section()`."""

    section = "locations"
    model = Asset
    queryset = Asset.objects.select_related("location__customer")
    template_name = "customers/asset_detail.html"
    context_object_name = "asset"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.user
        parts = list(access.restrict(user, AssetPart.objects.filter(asset=self.object), access.VIEW))
        context.update(
            can=flags(user, self.object, [access.CHANGE]),
            can_add_part=self.can(access.ADD, AssetPart),
            can_change_parts=self.can(access.CHANGE, AssetPart),
            parts=parts,
            extra_sections=sections_for(self.request, self.object, ASSET_SECTIONS),
        )
        return context


class AssetCreateView(FormPage):
    """A new asset at the location in the URL."""

    section = "locations"

    form_class = AssetForm
    template_name = "customers/asset_form.html"
    success_message = "Asset “{obj.name}” created."

    def prepare(self) -> None:
        self.location = access.fetch(
            self.user,
            Location.objects.select_related("customer"),
            self.kwargs["pk"],
        )
        access.require_model(self.user, access.ADD, Asset)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.location.customer}

    def get_initial(self) -> dict[str, Any]:
        return {"location": self.location.pk}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(location=self.location, customer=self.location.customer, **kwargs)

    def perform(self, form: AssetForm) -> Asset:
        return services.create_asset(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: Asset) -> str:
        return asset_url(obj)


class AssetUpdateView(FormPage):
    section = "locations"
    edits = "asset"
    form_class = AssetForm
    template_name = "customers/asset_form.html"
    success_message = "Asset “{obj.name}” saved."

    def prepare(self) -> None:
        self.asset = access.fetch(
            self.user,
            Asset.objects.select_related("location__customer"),
            self.kwargs["pk"],
            access.CHANGE,
        )
        self.location = self.asset.location

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.location.customer}

    def get_initial(self) -> dict[str, Any]:
        return {**AssetForm.initial_for(self.asset), "location": self.asset.location_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            asset=self.asset, location=self.location, customer=self.location.customer, **kwargs
        )

    def perform(self, form: AssetForm) -> Asset:
        return services.update_asset(
            asset=self.asset,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_url_for(self, obj: Asset) -> str:
        return asset_url(obj)


class AssetPartCreateView(FormPage):
    """A new part of the asset in the URL."""

    section = "locations"

    form_class = AssetPartForm
    template_name = "customers/assetpart_form.html"
    success_message = "Part “{obj.name}” added."

    def prepare(self) -> None:
        self.asset = access.fetch(
            self.user,
            Asset.objects.select_related("location__customer"),
            self.kwargs["pk"],
        )
        access.require_model(self.user, access.ADD, AssetPart)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "location": self.asset.location}

    def get_initial(self) -> dict[str, Any]:
        return {"asset": self.asset.pk}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(asset=self.asset, **kwargs)

    def perform(self, form: AssetPartForm) -> AssetPart:
        return services.create_asset_part(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: AssetPart) -> str:
        return asset_url(obj.asset_id)


class AssetPartUpdateView(FormPage):
    section = "locations"
    edits = "part"
    form_class = AssetPartForm
    template_name = "customers/assetpart_form.html"
    success_message = "Part “{obj.name}” saved."

    def prepare(self) -> None:
        self.part = access.fetch(
            self.user,
            AssetPart.objects.select_related("asset__location__customer"),
            self.kwargs["pk"],
            access.CHANGE,
        )
        self.asset = self.part.asset

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "location": self.asset.location}

    def get_initial(self) -> dict[str, Any]:
        return {**AssetPartForm.initial_for(self.part), "asset": self.part.asset_id}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(asset=self.asset, part=self.part, **kwargs)

    def perform(self, form: AssetPartForm) -> AssetPart:
        return services.update_asset_part(
            part=self.part,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_url_for(self, obj: AssetPart) -> str:
        return asset_url(obj.asset_id)
