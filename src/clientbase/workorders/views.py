"""The staff pages of work orders, quotes and invoices.

Work orders: the list, the wizard that opens one (customer, then location, then asset), and a work
order with its quotes and invoices. Quotes and invoices: the list, the form that creates a draft
(customer, then one of its work orders), and the page of one with its actions (send and record an
approval; issue) and the messages they wrote. Also the sections of the customer page (work orders,
quotes, invoices) and of the contact page (the work orders and quotes of a contact)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.notifications.events import INVOICE_ISSUED, QUOTE_SENT, WORK_ORDER_CREATED
from clientbase.notifications.models import Message
from clientbase.notifications.routing import Routing, resolve_recipients, resolve_site_contact
from clientbase.pages import (
    ActionView,
    DetailPage,
    FormPage,
    ListPage,
    allowed_ids,
    flags,
    wants_partial,
)
from clientbase.workorders import selectors, services
from clientbase.workorders.filters import InvoiceFilterSet, QuoteFilterSet, WorkOrderFilterSet
from clientbase.workorders.forms import DocumentForm, QuoteApprovalForm, WizardChoice, WorkOrderForm
from clientbase.workorders.models import Invoice, Quote, WorkOrder

# How many work orders the customer page shows before linking to the list.
CUSTOMER_SECTION_SIZE = 10
# How many quotes and invoices the customer page shows, and work orders and quotes the contact page.
DOCUMENT_SECTION_SIZE = 5


def work_order_url(work_order: WorkOrder | int) -> str:
    return reverse("workorders:work-order-detail", args=[getattr(work_order, "pk", work_order)])


def quote_url(quote: Quote | int) -> str:
    return reverse("workorders:quote-detail", args=[getattr(quote, "pk", quote)])


def invoice_url(invoice: Invoice | int) -> str:
    return reverse("workorders:invoice-detail", args=[getattr(invoice, "pk", invoice)])


def visible_by_param(user: Any, queryset: QuerySet, value: str) -> Any:
    """The object whose id `value` is (a list filter's parameter), if the user may see it; None
    for a value that is no id (`clientbase.api.filters.parse_id`)."""
    pk = parse_id(value)
    if pk is None:
        return None
    return access.restrict(user, queryset.filter(pk=pk), access.VIEW).first()


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
        context.update(
            statuses=WorkOrder.Status.choices,
            status=params.get("status", ""),
            search=params.get("search", ""),
            filter_customer=visible_by_param(self.user, Customer.objects.all(), params.get("customer", "")),
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
            can_add_quote=access.can(user, access.ADD, Quote),
            can_add_invoice=access.can(user, access.ADD, Invoice),
        )
        return context


# Quotes and invoices ------------------------------------------------------------------------------


class DocumentListView(ListPage):
    """Quotes or invoices, newest first: filtered by customer and status, searched by number."""

    def filter_queryset(self, queryset: QuerySet) -> tuple[QuerySet, Any]:
        queryset, filterset = super().filter_queryset(queryset)
        return selectors.search_by_number(queryset, self.request.GET.get("search", "")), filterset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        model: Any = self.model
        context.update(
            statuses=model.Status.choices,
            status=params.get("status", ""),
            search=params.get("search", ""),
            filter_customer=visible_by_param(self.user, Customer.objects.all(), params.get("customer", "")),
            can_add=self.can(access.ADD, model),
        )
        return context


class QuoteListView(DocumentListView):
    section = "quotes"
    model = Quote
    queryset = selectors.quotes_for_pages(Quote.objects.all())
    filterset_class = QuoteFilterSet
    template_name = "workorders/quote_list.html"
    partial_template_name = "workorders/_partials/quote_results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_approver"] = visible_by_param(
            self.user, Contact.objects.all(), self.request.GET.get("approved_by", "")
        )
        return context


class InvoiceListView(DocumentListView):
    section = "invoices"
    model = Invoice
    queryset = selectors.invoices_for_pages(Invoice.objects.all())
    filterset_class = InvoiceFilterSet
    template_name = "workorders/invoice_list.html"
    partial_template_name = "workorders/_partials/invoice_results.html"


class DocumentCreateView(FormPage):
    """A draft quote or invoice: choosing the customer offers its work orders (with htmx the form
    refreshes as soon as the customer changes; without, “Continue” does). `?customer=` and
    `?work_order=` pre-fill it, as the buttons on a customer or work-order page do."""

    model: ClassVar[type[Quote] | type[Invoice]]
    noun: ClassVar[str]
    list_url_name: ClassVar[str]
    create_url_name: ClassVar[str]
    form_class = DocumentForm
    template_name = "workorders/document_form.html"

    def prepare(self) -> None:
        access.require_model(self.user, access.ADD, self.model)
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        self.customer = WizardChoice.from_params(self.user, params).customer

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.customer}

    def get_initial(self) -> dict[str, Any]:
        """The customer, and what was typed before the form refreshed for a new customer."""
        params = self.request.GET
        typed = {name: params[name] for name in ("work_order", "amount") if params.get(name)}
        return {**typed, "customer": self.customer}

    def get_template_names(self) -> list[str]:
        if self.request.method == "GET" and wants_partial(self.request):
            return ["workorders/_partials/document_form_fields.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            customer=self.customer,
            noun=self.noun,
            title=f"New {self.noun}",
            list_url=reverse(self.list_url_name),
            create_url=reverse(self.create_url_name),
            list_label=str(self.model._meta.verbose_name_plural).capitalize(),
        )
        return context

    def success_url_for(self, obj: Quote | Invoice) -> str:
        return reverse(f"workorders:{self.noun}-detail", args=[obj.pk])


class QuoteCreateView(DocumentCreateView):
    section = "quotes"
    model = Quote
    noun = "quote"
    list_url_name = "workorders:quote-list"
    create_url_name = "workorders:quote-create"
    success_message = "Quote {obj.number} created as a draft; send it when it is ready."

    def perform(self, form: DocumentForm) -> Quote:
        return services.create_quote(acting_user=self.user, data=form.service_data())


class InvoiceCreateView(DocumentCreateView):
    section = "invoices"
    model = Invoice
    noun = "invoice"
    list_url_name = "workorders:invoice-list"
    create_url_name = "workorders:invoice-create"
    success_message = "Invoice {obj.number} created as a draft; issue it when it is ready."

    def perform(self, form: DocumentForm) -> Invoice:
        return services.create_invoice(acting_user=self.user, data=form.service_data())


class DocumentDetailView(DetailPage):
    """A quote or invoice with its customer and work order, the actions the user may take in its
    state, who those would notify, and the messages they wrote."""

    event: ClassVar[str]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document: Quote | Invoice = self.object
        user = self.user
        written = list(selectors.messages_of_document(document))
        linkable = allowed_ids(user, Message.objects.filter(pk__in=[m.pk for m in written]), access.VIEW)
        for message in written:
            message.linkable = message.pk in linkable  # type: ignore[attr-defined]
        may = flags(user, document, [access.CHANGE])
        drafting = may[access.CHANGE] and document.status == "draft"
        context.update(
            can=may,
            can_view_contacts=access.can(user, access.VIEW, Contact),
            can_view_work_orders=access.can(user, access.VIEW, WorkOrder),
            document_messages=written,
            routing=self.routing_preview(document) if drafting else None,
        )
        return context

    def routing_preview(self, document: Quote | Invoice) -> Routing | None:
        """Who the action on this draft would notify (only for users who may see contacts)."""
        if not access.can(self.user, access.VIEW, Contact):
            return None
        work_order = document.work_order
        return resolve_recipients(
            event=self.event,
            customer_id=document.customer_id,
            location_id=work_order.location_id if work_order is not None else None,
            amount=document.amount if self.event == QUOTE_SENT else None,
        )


class QuoteDetailView(DocumentDetailView):
    section = "quotes"
    model = Quote
    queryset = selectors.quotes_for_pages(Quote.objects.all())
    template_name = "workorders/quote_detail.html"
    context_object_name = "quote"
    event = QUOTE_SENT

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        quote: Quote = self.object
        if context["can"][access.CHANGE] and quote.status == Quote.Status.SENT:
            context["approval_form"] = QuoteApprovalForm(user=self.user, quote=quote)
        return context


class InvoiceDetailView(DocumentDetailView):
    section = "invoices"
    model = Invoice
    queryset = selectors.invoices_for_pages(Invoice.objects.all())
    template_name = "workorders/invoice_detail.html"
    context_object_name = "invoice"
    event = INVOICE_ISSUED


def messages_written(count: int) -> str:
    return "no message was written" if count == 0 else f"{count} message{'s' if count != 1 else ''} written"


class QuoteSendView(ActionView):
    """Send a draft quote to the approvers whose limit covers it (`services.send_quote`)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = access.fetch(self.user, Quote.objects.all(), pk, access.CHANGE)
        quote = services.send_quote(quote=quote, acting_user=self.user)
        count = selectors.messages_of_document(quote).count()
        messages.success(request, f"Quote {quote.number} sent to the approvers: {messages_written(count)}.")
        return HttpResponseRedirect(quote_url(quote))

    def get_conflict_url(self) -> str:
        return quote_url(self.kwargs["pk"])


class QuoteApproveView(ActionView):
    """Record that a contact approved a sent quote (`services.approve_quote`, which refuses a
    contact without the authority, with the reason, and changes nothing)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = access.fetch(self.user, Quote.objects.all(), pk, access.CHANGE)
        form = QuoteApprovalForm(request.POST, user=self.user, quote=quote)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for error in form.errors.get("contact", [])))
            return HttpResponseRedirect(quote_url(quote))
        quote = services.approve_quote(
            quote=quote, contact=form.cleaned_data["contact"], acting_user=self.user
        )
        messages.success(request, f"Quote {quote.number} approved by {quote.approved_by_name}.")
        return HttpResponseRedirect(quote_url(quote))

    def get_conflict_url(self) -> str:
        return quote_url(self.kwargs["pk"])


class InvoiceIssueView(ActionView):
    """Issue a draft invoice (`services.issue_invoice`); its billing contacts are notified."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        invoice = access.fetch(self.user, Invoice.objects.all(), pk, access.CHANGE)
        invoice = services.issue_invoice(invoice=invoice, acting_user=self.user)
        count = selectors.messages_of_document(invoice).count()
        messages.success(request, f"Invoice {invoice.number} issued: {messages_written(count)}.")
        return HttpResponseRedirect(invoice_url(invoice))

    def get_conflict_url(self) -> str:
        return invoice_url(self.kwargs["pk"])


# Sections of the customer and contact pages --------------------------------------------------------


def _newest(
    request: HttpRequest, model: type[Model], queryset: QuerySet, size: int, key: str
) -> dict[str, Any] | None:
    """The first `size` rows of `queryset` the user may see, under `key`, with whether there are
    more and whether the user may add one; None when the user may not see `model` at all."""
    user = request.user
    if not access.can(user, access.VIEW, model):
        return None
    rows = list(access.restrict(user, queryset, access.VIEW)[: size + 1])
    return {key: rows[:size], "more": len(rows) > size, "can_add": access.can(user, access.ADD, model)}


def customer_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The work orders of a customer, newest first, for its page; None when the user may not see
    work orders."""
    work_orders = selectors.work_orders_for_pages(WorkOrder.objects.filter(customer=customer))
    return _newest(request, WorkOrder, work_orders, CUSTOMER_SECTION_SIZE, "work_orders")


def customer_quotes_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The newest quotes of a customer for its page; None when the user may not see quotes."""
    quotes = selectors.quotes_for_pages(Quote.objects.filter(customer=customer))
    return _newest(request, Quote, quotes, DOCUMENT_SECTION_SIZE, "quotes")


def customer_invoices_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The newest invoices of a customer for its page; None when the user may not see invoices."""
    invoices = selectors.invoices_for_pages(Invoice.objects.filter(customer=customer))
    return _newest(request, Invoice, invoices, DOCUMENT_SECTION_SIZE, "invoices")


def contact_work_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """A contact's history of work: the work orders it requested or is the site contact for, and
    the quotes it approved, newest first. None for a contact of no customer (it can have neither)
    and for users who may see neither work orders nor quotes."""
    user = request.user
    can_view_work_orders = access.can(user, access.VIEW, WorkOrder)
    can_view_quotes = access.can(user, access.VIEW, Quote)
    if contact.customer_id is None or not (can_view_work_orders or can_view_quotes):
        return None
    work_orders: list[WorkOrder] = []
    quotes: list[Quote] = []
    if can_view_work_orders:
        visible = access.restrict(user, WorkOrder.objects.all(), access.VIEW)
        work_orders = list(selectors.work_orders_of_contact(visible, contact)[: DOCUMENT_SECTION_SIZE + 1])
    if can_view_quotes:
        approved = access.restrict(user, Quote.objects.filter(approved_by=contact), access.VIEW)
        quotes = list(selectors.quotes_for_pages(approved)[: DOCUMENT_SECTION_SIZE + 1])
    return {
        "contact": contact,
        "can_view_work_orders": can_view_work_orders,
        "can_view_quotes": can_view_quotes,
        "work_orders": work_orders[:DOCUMENT_SECTION_SIZE],
        "more_work_orders": len(work_orders) > DOCUMENT_SECTION_SIZE,
        "quotes": quotes[:DOCUMENT_SECTION_SIZE],
        "more_quotes": len(quotes) > DOCUMENT_SECTION_SIZE,
    }
