"""The portal's Contracts page: the service contracts of the portal user's customer, for portal
users with `billing` (and portal admins), as `access` says for the `contracts/` endpoint too. What
each covers, from when to when, its visits and response time; never our notes. Another customer's
contract reads as not found."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet

from clientbase import access
from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import contracts_for_pages
from clientbase.portal.views.base import PortalListPage, PortalPage
from clientbase.vocabulary import PortalCapability


class ContractsSection:
    section = "contracts"
    needs: ClassVar[tuple[str, str] | None] = (access.VIEW, "contracts.Contract")
    refusal_message: ClassVar[str] = (
        f"Contracts need the “{PortalCapability.BILLING.label}” permission; a portal admin of yours "
        "grants it."
    )


def customer_contracts(user: Any) -> QuerySet[Contract]:
    """The contracts of the user's customer, with what each covers."""
    return access.restrict(user, contracts_for_pages(Contract.objects.all()), access.VIEW)


def covered(contract: Contract) -> dict[str, Any]:
    locations = list(contract.locations.all())
    assets = list(contract.assets.all())
    return {"locations": locations, "assets": assets, "everywhere": not locations and not assets}


class ContractListView(ContractsSection, PortalListPage):
    """The customer's contracts, newest first, filtered by status."""

    template_name = "portal/contracts/list.html"
    status_choices = Contract.Status.choices

    def rows(self) -> QuerySet[Contract]:
        return customer_contracts(self.request.user)

    def page_context(self) -> dict[str, Any]:
        context = super().page_context()
        for contract in context["page"].rows:
            contract.coverage = covered(contract)
        return context


class ContractDetailView(ContractsSection, PortalPage):
    template_name = "portal/contracts/detail.html"

    def page_context(self) -> dict[str, Any]:
        contract = self.fetch(customer_contracts(self.request.user))
        return {"contract": contract, "coverage": covered(contract)}
