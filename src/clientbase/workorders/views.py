"""The staff pages of work orders: the list, the wizard that opens one (customer, then location,
then asset), and a work order with its quotes and invoices. Also the work-orders section of the
customer page."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.notifications.events import WORK_ORDER_CREATED
from clientbase.notifications.routing import resolve_recipients, resolve_site_contact
from clientbase.pages import DetailPage, FormPage, ListPage, wants_partial
from clientbase.workorders import selectors, services
from clientbase.workorders.filters import WorkOrderFilterSet
from clientbase.workorders.forms import WizardChoice, WorkOrderForm
from clientbase.workorders.models import Invoice, Quote, WorkOrder

# How many work orders the customer page shows before linking to the list.
CUSTOMER_SECTION_SIZE = 10


def work_order_url(work_order: WorkOrder | int) -> str:
    return reverse("workorders:work-order-detail", args=[getattr(work_order, "pk", work_order)])


class WorkOrderListView(ListPage):
    section = "work-orders"
    model = WorkOrder
    queryset = selectors.work_orders_for_pages(WorkOrder.objects.all())
    filterset_class = WorkOrderFilterSet
    template_name = "workorders/work_order_list.html"
    partial_template_name = "workorders/_partials/work_order_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        customer_id = params.get("customer", "")
        filter_customer = None
        if customer_id.isdigit():
            filter_customer = access.restrict(
                self.user, Customer.objects.filter(pk=int(customer_id)), access.VIEW
            ).first()
        context.update(
            statuses=WorkOrder.Status.choices,
            status=params.get("status", ""),
            search=params.get("search", ""),
            filter_customer=filter_customer,
            can_add=self.can(access.ADD, WorkOrder),
        )
        return context


class WorkOrderCreateView(FormPage):
    """The wizard: choosing a customer offers its locations, choosing a location its assets (with
    htmx the form refreshes as soon as a choice changes; without, “Continue” does). The page shows
    who the site contact will be and who will be notified, before anything is written."""

    section = "work-orders"
    form_class = WorkOrderForm
    template_name = "workorders/work_order_form.html"
    success_message = "Work order {obj.number} opened."

    def prepare(self) -> None:
        access.require_model(self.user, access.ADD, WorkOrder)
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        self.choice = WizardChoice.from_params(self.user, params)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "choice": self.choice}

    def get_initial(self) -> dict[str, Any]:
        """The choices so far, and what was typed before the form refreshed for a new choice."""
        choice = self.choice
        typed = {
            name: self.request.GET[name]
            for name in ("summary", "description", "requested_by", "site_contact")
            if self.request.GET.get(name)
        }
        return {**typed, "customer": choice.customer, "location": choice.location, "asset": choice.asset}

    def get_template_names(self) -> list[str]:
        if self.request.method == "GET" and wants_partial(self.request):
            return ["workorders/_partials/work_order_wizard.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        choice = self.choice
        site_contact = routing = None
        if choice.customer is not None:
            location_id = choice.location.pk if choice.location else None
            site_contact = resolve_site_contact(customer_id=choice.customer.pk, location_id=location_id)
            if access.can(self.user, access.VIEW, Contact):
                routing = resolve_recipients(
                    event=WORK_ORDER_CREATED, customer_id=choice.customer.pk, location_id=location_id
                )
        context.update(choice=choice, resolved_site_contact=site_contact, routing=routing)
        return context

    def perform(self, form: WorkOrderForm) -> WorkOrder:
        return services.create_work_order(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: WorkOrder) -> str:
        return work_order_url(obj)


class WorkOrderDetailView(DetailPage):
    section = "work-orders"
    model = WorkOrder
    queryset = selectors.work_orders_for_pages(WorkOrder.objects.all())
    template_name = "workorders/work_order_detail.html"
    context_object_name = "work_order"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        work_order: WorkOrder = self.object
        user = self.user
        context.update(
            quotes=list(access.restrict(user, Quote.objects.filter(work_order=work_order), access.VIEW)),
            invoices=list(access.restrict(user, Invoice.objects.filter(work_order=work_order), access.VIEW)),
            can_view_quotes=access.can(user, access.VIEW, Quote),
            can_view_invoices=access.can(user, access.VIEW, Invoice),
            can_view_contacts=access.can(user, access.VIEW, Contact),
        )
        return context


def customer_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The work orders of a customer, newest first, for its page; None when the user may not see
    work orders."""
    user = request.user
    if not access.can(user, access.VIEW, WorkOrder):
        return None
    work_orders: QuerySet[WorkOrder] = access.restrict(
        user, selectors.work_orders_for_pages(WorkOrder.objects.filter(customer=customer)), access.VIEW
    )
    rows = list(work_orders[: CUSTOMER_SECTION_SIZE + 1])
    return {
        "work_orders": rows[:CUSTOMER_SECTION_SIZE],
        "more": len(rows) > CUSTOMER_SECTION_SIZE,
        "can_add": access.can(user, access.ADD, WorkOrder),
    }
