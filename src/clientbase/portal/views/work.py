"""Home, work orders, quotes, billing and reports: what the customer follows of its work with us.
Lists start from `access.restrict`, single objects come from `access.fetch` (another customer's
read as not found); drafts of quotes and invoices are ours and never shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.portal.forms import WorkOrderRequestForm
from clientbase.portal.selectors import location_summaries
from clientbase.portal.views.base import PortalAction, PortalFormView, PortalListPage, PortalPage
from clientbase.vocabulary import PortalCapability
from clientbase.workorders import services as work_services
from clientbase.workorders.models import Invoice, Quote, WorkOrder


class HomeView(PortalPage):
    """What this portal user may do."""

    template_name = "portal/home.html"
    section = "home"

    def page_context(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "permission_labels": PortalCapability.labels_of(self.contact.portal_permissions or []),
            "may_contacts": access.can(user, access.VIEW, Contact),
            "may_add_work_order": access.can(user, access.ADD, WorkOrder),
            "may_work_orders": access.can(user, access.VIEW, WorkOrder),
            "may_quotes": access.can(user, access.VIEW, Quote),
            "awaiting_quotes": access.restrict(
                user, Quote.objects.filter(status=Quote.Status.SENT), access.VIEW
            ).count(),
        }


# Work orders ------------------------------------------------------------------------------------


class WorkOrdersSection:
    section = "work-orders"
    needs: ClassVar[tuple[str, str] | None] = (access.VIEW, "workorders.WorkOrder")


class WorkOrderListView(WorkOrdersSection, PortalListPage):
    template_name = "portal/work_orders/list.html"
    status_choices = WorkOrder.Status.choices

    def rows(self) -> QuerySet[WorkOrder]:
        return access.restrict(
            self.request.user, WorkOrder.objects.select_related("location", "asset"), access.VIEW
        )

    def page_context(self) -> dict[str, Any]:
        return {**super().page_context(), "can_add": access.can(self.request.user, access.ADD, WorkOrder)}


class WorkOrderDetailView(WorkOrdersSection, PortalPage):
    """A work order of the customer; the service contract it is done under only for portal users
    who may see contracts (`billing`, `admin`), else not at all."""

    template_name = "portal/work_orders/detail.html"

    def page_context(self) -> dict[str, Any]:
        shows_contract = access.can(self.request.user, access.VIEW, Contract)
        related = ("location", "asset", "contract") if shows_contract else ("location", "asset")
        return {
            "work_order": self.fetch(WorkOrder.objects.select_related(*related)),
            "shows_contract": shows_contract,
        }


class WorkOrderCreateView(WorkOrdersSection, PortalFormView):
    """Raise a request: site, equipment there, what is wrong (`workorders.services.create_work_order`,
    the portal user as the requester)."""

    template_name = "portal/work_orders/form.html"
    form_class = WorkOrderRequestForm
    needs = (access.ADD, "workorders.WorkOrder")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.request.user, "customer": self.contact.customer}

    def perform(self, form: WorkOrderRequestForm) -> WorkOrder:
        return work_services.create_work_order(acting_user=self.request.user, data=form.service_data())

    def success_message(self, obj: WorkOrder) -> str:
        return f"Work order {obj.number} was opened. We will be in touch."

    def success_url_for(self, obj: WorkOrder) -> str:
        return reverse("portal:work-order-detail", args=[obj.pk])


# Quotes -----------------------------------------------------------------------------------------


class QuotesSection:
    section = "quotes"
    needs: ClassVar[tuple[str, str] | None] = (access.VIEW, "workorders.Quote")


def customer_quotes(user: Any) -> Any:
    return access.restrict(user, Quote.objects.exclude(status=Quote.Status.DRAFT), access.VIEW)


class QuoteListView(QuotesSection, PortalPage):
    """The customer's quotes; a sent one can be approved here by an approver within its limit."""

    template_name = "portal/quotes/list.html"

    def page_context(self) -> dict[str, Any]:
        quotes = customer_quotes(self.request.user).select_related("work_order__location")
        limit = self.contact.approval_limit
        awaiting: list[Quote] = []
        decided: list[Quote] = []
        for quote in quotes:
            quote.within_limit = limit is None or quote.amount <= limit
            (awaiting if quote.status == Quote.Status.SENT else decided).append(quote)
        return {"awaiting": awaiting, "decided": decided[:50], "limit": limit}


class QuoteApproveView(QuotesSection, PortalAction):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = self.fetch(customer_quotes(request.user))
        work_services.approve_quote(quote=quote, contact=self.contact, acting_user=request.user)
        messages.success(request, f"Quote {quote.number} is approved. Thank you; we will schedule the work.")
        return HttpResponseRedirect(reverse("portal:quote-list"))

    def get_conflict_url(self) -> str:
        return reverse("portal:quote-list")


# Billing ----------------------------------------------------------------------------------------


class BillingSection:
    section = "billing"
    # The question of the invoices endpoint too: `reports` alone does not see invoices.
    needs: ClassVar[tuple[str, str] | None] = (access.VIEW, "workorders.Invoice")
    refusal_message: ClassVar[str] = PortalCapability.BILLING.refusal


def customer_invoices(user: Any) -> Any:
    return access.restrict(user, Invoice.objects.exclude(status=Invoice.Status.DRAFT), access.VIEW)


class InvoiceListView(BillingSection, PortalListPage):
    template_name = "portal/billing/list.html"
    # An issued invoice is open to the customer.
    status_choices = [(Invoice.Status.ISSUED, "Open"), (Invoice.Status.PAID, Invoice.Status.PAID.label)]

    def rows(self) -> QuerySet[Invoice]:
        return customer_invoices(self.request.user).select_related("work_order__location")

    def page_context(self) -> dict[str, Any]:
        unpaid = customer_invoices(self.request.user).filter(status=Invoice.Status.ISSUED)
        return {
            **super().page_context(),
            "unpaid_count": unpaid.count(),
            "unpaid_total": sum((invoice.amount for invoice in unpaid), Decimal("0.00")),
        }


class InvoiceDetailView(BillingSection, PortalPage):
    template_name = "portal/billing/detail.html"

    def page_context(self) -> dict[str, Any]:
        return {
            "invoice": self.fetch(customer_invoices(self.request.user).select_related("work_order__location"))
        }


# Reports ----------------------------------------------------------------------------------------


def chart_segments(bar: dict[str, float]) -> list[dict[str, Any]]:
    """The segments of one bar of the chart, in order, each with its start `x` and its `width` in
    percent of the widest bar (an SVG drawn on the server: no style attribute, no script)."""
    segments: list[dict[str, Any]] = []
    start = 0.0
    for kind in ("open", "completed", "cancelled"):
        if bar[kind]:
            segments.append({"kind": kind, "x": round(start, 1), "width": bar[kind]})
            start += bar[kind]
    return segments


class ReportsView(PortalPage):
    """Work orders and invoices per location, with a bar chart drawn on the server as SVG."""

    template_name = "portal/reports.html"
    section = "reports"
    needs = (access.REPORT, "workorders.WorkOrder")
    refusal_message = PortalCapability.REPORTS.refusal

    def page_context(self) -> dict[str, Any]:
        assert self.contact.customer_id is not None, "a portal user always has a customer"
        summaries = location_summaries(self.request.user, self.contact.customer_id)
        scale = max((row.work_orders for row in summaries), default=0)
        return {
            "rows": [{"summary": row, "segments": chart_segments(row.bar(scale))} for row in summaries],
            "totals": {
                "open": sum(row.open_work_orders for row in summaries),
                "completed": sum(row.completed_work_orders for row in summaries),
                "cancelled": sum(row.cancelled_work_orders for row in summaries),
                "invoices": sum(row.invoices for row in summaries),
                "invoiced": sum((row.invoiced for row in summaries), Decimal("0.00")),
                "unpaid": sum((row.unpaid for row in summaries), Decimal("0.00")),
            },
            "scale": scale,
        }
