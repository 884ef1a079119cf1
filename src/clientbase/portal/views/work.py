"""Home, work orders, quotes, billing and reports: what the customer follows of its work with us.
Lists start from `access.restrict`, single objects come from `access.fetch` (another customer's
read as not found); drafts of quotes and invoices are ours and never shown."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, Forbidden, ValidationFailed
from clientbase.pages import paginate
from clientbase.portal.forms import CAPABILITY_LABELS, WorkOrderRequestForm
from clientbase.portal.selectors import location_summaries
from clientbase.portal.views.base import CAPABILITY_REFUSALS, PortalAction, PortalMixin, PortalPage
from clientbase.workorders import services as work_services
from clientbase.workorders.models import Invoice, Quote, WorkOrder

PAGE_SIZE = 25


class HomeView(PortalPage):
    """What this portal user may do."""

    template_name = "portal/home.html"
    section = "home"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        contact = self.contact
        granted = set(contact.portal_permissions or [])
        context.update(
            permission_labels=[
                CAPABILITY_LABELS[p] for p in ("admin", *sorted(granted - {"admin"})) if p in granted
            ],
            may_contacts=access.can(user, access.VIEW, Contact),
            may_add_work_order=access.can(user, access.ADD, WorkOrder),
            may_work_orders=access.can(user, access.VIEW, WorkOrder),
            may_quotes=access.can(user, access.VIEW, Quote),
            awaiting_quotes=access.restrict(
                user, Quote.objects.filter(status=Quote.Status.SENT), access.VIEW
            ).count(),
        )
        return context


# Work orders ------------------------------------------------------------------------------------


class WorkOrdersSection:
    section = "work-orders"


class WorkOrderListView(WorkOrdersSection, PortalPage):
    template_name = "portal/work_orders/list.html"

    def check_access(self) -> None:
        self.require_model(access.VIEW, WorkOrder)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        status = self.request.GET.get("status", "")
        rows = access.restrict(user, WorkOrder.objects.select_related("location", "asset"), access.VIEW)
        if status in WorkOrder.Status.values:
            rows = rows.filter(status=status)
        context.update(
            page=paginate(self.request, rows, PAGE_SIZE),
            status=status,
            status_choices=WorkOrder.Status.choices,
            can_add=access.can(user, access.ADD, WorkOrder),
        )
        return context


class WorkOrderDetailView(WorkOrdersSection, PortalPage):
    template_name = "portal/work_orders/detail.html"

    def check_access(self) -> None:
        self.require_model(access.VIEW, WorkOrder)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        work_order = access.fetch(
            self.request.user,
            WorkOrder.objects.select_related("location", "asset"),
            self.kwargs["pk"],
        )
        context["work_order"] = work_order
        return context


class WorkOrderCreateView(WorkOrdersSection, PortalMixin, FormView):
    """Raise a request: site, equipment there, what is wrong (`workorders.services.create_work_order`,
    the portal user as the requester)."""

    template_name = "portal/work_orders/form.html"
    form_class = WorkOrderRequestForm

    def check_access(self) -> None:
        self.require_model(access.ADD, WorkOrder)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "customer_id": self.contact.customer_id,
        }

    def form_valid(self, form: WorkOrderRequestForm) -> HttpResponse:
        try:
            work_order = work_services.create_work_order(
                acting_user=self.request.user, data=form.service_data(self.contact.customer)
            )
        except ValidationFailed as error:
            for key, texts in error.errors.items():
                for text in texts:
                    form.add_error(key if key in form.fields else None, text)
            return self.form_invalid(form)
        except (Forbidden, Conflict) as error:
            form.add_error(None, error.message)
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(self.request, f"Work order {work_order.number} was opened. We will be in touch.")
        return HttpResponseRedirect(reverse("portal:work-order-detail", args=[work_order.pk]))


# Quotes -----------------------------------------------------------------------------------------


class QuotesSection:
    section = "quotes"


def customer_quotes(user: Any) -> Any:
    return access.restrict(user, Quote.objects.exclude(status=Quote.Status.DRAFT), access.VIEW)


class QuoteListView(QuotesSection, PortalPage):
    """The customer's quotes; a sent one can be approved here by an approver within its limit."""

    template_name = "portal/quotes/list.html"

    def check_access(self) -> None:
        self.require_model(access.VIEW, Quote)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        quotes = customer_quotes(self.request.user).select_related("work_order__location")
        limit = self.contact.approval_limit
        awaiting: list[Quote] = []
        decided: list[Quote] = []
        for quote in quotes:
            quote.within_limit = limit is None or quote.amount <= limit
            (awaiting if quote.status == Quote.Status.SENT else decided).append(quote)
        context.update(awaiting=awaiting, decided=decided[:50], limit=limit)
        return context


class QuoteApproveView(QuotesSection, PortalAction):
    def check_access(self) -> None:
        self.require_model(access.VIEW, Quote)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = access.fetch(request.user, customer_quotes(request.user), pk)
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
    refusal_message: ClassVar[str] = CAPABILITY_REFUSALS["billing"]


def customer_invoices(user: Any) -> Any:
    return access.restrict(user, Invoice.objects.exclude(status=Invoice.Status.DRAFT), access.VIEW)


class InvoiceListView(BillingSection, PortalPage):
    template_name = "portal/billing/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        invoices = customer_invoices(self.request.user)
        status = self.request.GET.get("status", "")
        if status in (Invoice.Status.ISSUED, Invoice.Status.PAID):
            invoices = invoices.filter(status=status)
        unpaid = customer_invoices(self.request.user).filter(status=Invoice.Status.ISSUED)
        context.update(
            page=paginate(self.request, invoices.select_related("work_order__location"), PAGE_SIZE),
            status=status,
            unpaid_count=unpaid.count(),
            unpaid_total=sum((invoice.amount for invoice in unpaid), Decimal("0.00")),
        )
        return context


class InvoiceDetailView(BillingSection, PortalPage):
    template_name = "portal/billing/detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["invoice"] = access.fetch(
            self.request.user,
            customer_invoices(self.request.user).select_related("work_order__location"),
            self.kwargs["pk"],
        )
        return context


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
    refusal_message = CAPABILITY_REFUSALS["reports"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        assert self.contact.customer_id is not None, "a portal user always has a customer"
        summaries = location_summaries(self.request.user, self.contact.customer_id)
        scale = max((row.work_orders for row in summaries), default=0)
        context.update(
            rows=[{"summary": row, "segments": chart_segments(row.bar(scale))} for row in summaries],
            totals={
                "open": sum(row.open_work_orders for row in summaries),
                "completed": sum(row.completed_work_orders for row in summaries),
                "cancelled": sum(row.cancelled_work_orders for row in summaries),
                "invoices": sum(row.invoices for row in summaries),
                "invoiced": sum((row.invoiced for row in summaries), Decimal("0.00")),
                "unpaid": sum((row.unpaid for row in summaries), Decimal("0.00")),
            },
            scale=scale,
        )
        return context
