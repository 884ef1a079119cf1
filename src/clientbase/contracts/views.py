"""The staff pages of service contracts: the list (filtered by status, by what it covers, by when it
ends; the contracts ending within 60 days at `?ending=60`), a contract with what it covers and its
history, the form that writes one (the customer first, then its locations and assets), the edit
form, the deletion after a confirmation, and the section of the customer page listing its
contracts. Apps above this one add sections to the contract page (`register_contract_section`:
the work orders done under it)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from clientbase import access, history
from clientbase.api.filters import parse_id
from clientbase.contracts import selectors, services
from clientbase.contracts.filters import ContractFilterSet
from clientbase.contracts.forms import ContractForm, chosen_customer
from clientbase.contracts.models import Contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.pages import (
    DetailPage,
    FormPage,
    ListPage,
    PageSection,
    StaffPage,
    flags,
    register_section,
    sections_for,
    wants_partial,
)
from clientbase.writes import delete_refusal

# The horizon of the list of contracts to renew, in days, and the choices of the list's filter.
ENDING_SOON_DAYS = 60
ENDING_CHOICES = [(30, "30 days"), (60, "60 days"), (90, "90 days"), (180, "180 days")]
# How many contracts the customer page shows before linking to the list.
SECTION_SIZE = 10

# Sections other apps add to the contract page (the work orders done under it), before its history;
# whole panels, as the location page's. Their context is called with the contract.
CONTRACT_SECTIONS: list[PageSection] = []


def register_contract_section(section: PageSection) -> None:
    """Add a section (a whole panel) to every contract page, before its history (call it from an
    app's registrations)."""
    register_section(CONTRACT_SECTIONS, section)


def contract_url(contract: Contract | int) -> str:
    return reverse("contracts:contract-detail", args=[getattr(contract, "pk", contract)])


def visible(user: Any, queryset: QuerySet, value: Any) -> Any:
    """The object whose id `value` names, if the user may see it; None for anything else."""
    pk = parse_id(value)
    if pk is None:
        return None
    return access.restrict(user, queryset.filter(pk=pk), access.VIEW).first()


def coverage(contract: Contract) -> dict[str, Any]:
    """What a contract covers, as its pages show it: `locations` and `assets` (read from its
    prefetched links), and `everywhere` when it names neither (every site of its customer)."""
    locations = list(contract.locations.all())
    assets = list(contract.assets.all())
    return {"locations": locations, "assets": assets, "everywhere": not locations and not assets}


class ContractListView(ListPage):
    """Contracts, newest first: searched by number or name, filtered by status, by the customer and
    the location they cover (`?customer=`, `?location=`), and by how soon they end (`?ending=60`:
    those in force that end within 60 days, soonest first), with `ContractFilterSet`, which the API
    and the export share."""

    section = "contracts"
    model = Contract
    queryset = selectors.contracts_for_pages(Contract.objects.all())
    filterset_class = ContractFilterSet
    template_name = "contracts/contract_list.html"
    partial_template_name = "contracts/_partials/contract_results.html"
    url_name = "contracts:contract-list"
    search_placeholder = "Number or name"
    add_url_name = "contracts:contract-create"
    add_label = "New contract"

    def decorate(self, rows: list[Any]) -> None:
        for contract in rows:
            contract.coverage = coverage(contract)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        filterset = context["filterset"]
        # The horizon the list is filtered by, once the filter took it (a refused one names none).
        ending = (
            filterset.form.cleaned_data.get("ending")
            if filterset is not None and filterset.is_valid()
            else None
        )
        export_query = params.copy()
        for name in ("page", "cursor"):
            export_query.pop(name, None)
        context.update(
            filter_customer=visible(self.user, Customer.objects.all(), params.get("customer")),
            filter_location=visible(self.user, Location.objects.all(), params.get("location")),
            ending=ending,
            ending_choices=ENDING_CHOICES,
            ending_soon_days=ENDING_SOON_DAYS,
            export_query=export_query.urlencode(),
        )
        return context


class ContractDetailView(DetailPage):
    """A contract: its customer, dates and status, what it covers (the locations and assets named,
    or every site of the customer), its terms, our notes and its history; Edit and Delete for
    users who may."""

    section = "contracts"
    model = Contract
    queryset = selectors.contracts_for_pages(Contract.objects.all())
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contract: Contract = self.object
        context.update(
            can=flags(self.user, contract, [access.CHANGE, access.DELETE]),
            coverage=coverage(contract),
            can_view_locations=access.can(self.user, access.VIEW, Location),
            can_view_assets=access.can(self.user, access.VIEW, Asset),
            history=history.for_display(selectors.contract_history(contract.pk), Contract),
            extra_sections=sections_for(self.request, contract, CONTRACT_SECTIONS),
        )
        return context


class ContractCreateView(FormPage):
    """A new contract: choosing the customer offers its locations and assets (with htmx the form
    refreshes as soon as the customer changes; without, “Continue” does). `?customer=` pre-fills it,
    as the button on a customer's page does."""

    section = "contracts"
    form_class = ContractForm
    template_name = "contracts/contract_form.html"
    success_message = "Contract {obj.number} “{obj.name}” created."

    def prepare(self) -> None:
        access.require_model(self.user, access.ADD, Contract)
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        self.customer = chosen_customer(self.user, params)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.customer}

    def get_initial(self) -> dict[str, Any]:
        """The customer, and what was typed before the form refreshed for a new customer."""
        params = self.request.GET
        typed = {
            name: params[name]
            for name in ("name", "start_date", "end_date", "visits_per_year", "response_hours", "notes")
            if params.get(name)
        }
        return {**typed, "customer": self.customer}

    def get_template_names(self) -> list[str]:
        if self.request.method == "GET" and wants_partial(self.request):
            return ["contracts/_partials/contract_form_fields.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.customer,
            title="New contract",
            form_url=reverse("contracts:contract-create"),
            creating=True,
        )
        return context

    def perform(self, form: ContractForm) -> Contract:
        return services.create_contract(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: Contract) -> str:
        return contract_url(obj)


class ContractUpdateView(FormPage):
    """Edit a contract: everything but its customer. The form carries the version it was loaded
    at; a save over someone else's change is refused with what changed since."""

    section = "contracts"
    edits = "contract"
    form_class = ContractForm
    template_name = "contracts/contract_form.html"
    success_message = "Contract {obj.number} saved."

    def prepare(self) -> None:
        self.contract = access.fetch(
            self.user, Contract.objects.select_related("customer"), self.kwargs["pk"], access.CHANGE
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "user": self.user,
            "customer": self.contract.customer,
            "contract": self.contract,
        }

    def get_initial(self) -> dict[str, Any]:
        return ContractForm.initial_for(self.contract)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            contract=self.contract,
            customer=self.contract.customer,
            title=f"Edit {self.contract.number}",
            form_url=reverse("contracts:contract-update", args=[self.contract.pk]),
            creating=False,
        )
        return context

    def get_conflict_url(self) -> str:
        return contract_url(self.kwargs["pk"])

    def perform(self, form: ContractForm) -> Contract:
        return services.update_contract(
            contract=self.contract,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    def success_url_for(self, obj: Contract) -> str:
        return contract_url(obj)


class ContractDeleteView(StaffPage):
    """Delete a contract after a confirmation that says what goes (its coverage) and what stays
    (its history, the customer's sites and equipment)."""

    section = "contracts"
    model = Contract
    template_name = "contracts/contract_confirm_delete.html"

    def get_contract(self) -> Contract:
        return access.fetch(
            self.user,
            selectors.contracts_for_pages(Contract.objects.all()),
            self.kwargs["pk"],
            access.DELETE,
        )

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.contract = self.get_contract()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            contract=self.contract, coverage=coverage(self.contract), refusal=delete_refusal(self.contract)
        )
        return context

    def get_conflict_url(self) -> str:
        return contract_url(self.kwargs["pk"])

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        contract = self.get_contract()
        number, name, customer_id = contract.number, contract.name, contract.customer_id
        version = parse_id(request.POST.get("version"))
        services.delete_contract(contract=contract, acting_user=self.user, expected_version=version)
        messages.success(request, f"Contract {number} “{name}” deleted. Its history keeps it.")
        if access.can(self.user, access.VIEW, Customer):
            return HttpResponseRedirect(reverse("customers:customer-detail", args=[customer_id]))
        return HttpResponseRedirect(reverse("contracts:contract-list"))


# The section of the customer page --------------------------------------------------------------------


def customer_contracts_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The contracts of a customer for its page, the latest start first (the first SECTION_SIZE,
    with a link to all of them), each with what it covers; whether the user may add one. None when
    the user may not see contracts. Three queries whatever their number."""
    user = request.user
    if not access.can(user, access.VIEW, Contract):
        return None
    contracts = selectors.contracts_for_pages(Contract.objects.filter(customer=customer)).order_by(
        "-start_date", "-id"
    )
    rows = list(access.restrict(user, contracts, access.VIEW)[: SECTION_SIZE + 1])
    for contract in rows:
        contract.coverage = coverage(contract)  # type: ignore[attr-defined]
    return {
        "contracts": rows[:SECTION_SIZE],
        "more": len(rows) > SECTION_SIZE,
        "can_add": access.can(user, access.ADD, Contract),
    }
