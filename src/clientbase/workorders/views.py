"""The staff pages of work orders, quotes and invoices.

Work orders: the list, the wizard that opens one (customer, then location, then asset), a work
order with whom to call, its quotes and invoices and a button per step of its lifecycle, the form
of each step (which shows who will be notified before anything is written) and the edit form.
Quotes and invoices: the list, the form that creates a draft (customer, then one of its work
orders), and the page of one with its actions (send and record an approval; issue) and the messages
they wrote. Also the sections of the customer page (work orders, quotes, invoices), of the contact
page (the work orders and quotes of a contact, and buttons that start one for it), the service
history of the location and asset pages, and the work orders done under a contract on its page."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.contacts.models import Contact
from clientbase.contacts.views import phone_links
from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import covering_contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.errors import Conflict
from clientbase.notifications.events import (
    INVOICE_ISSUED,
    QUOTE_SENT,
    WORK_ORDER_COMPLETED,
    WORK_ORDER_CREATED,
    WORK_ORDER_UPDATED,
)
from clientbase.notifications.models import Message
from clientbase.notifications.routing import Routing, resolve_recipients, resolve_site_contact
from clientbase.pages import (
    ActionView,
    DetailPage,
    FormPage,
    ListPage,
    allowed_ids,
    flags,
    paginate,
    wants_partial,
)
from clientbase.text import counted
from clientbase.workorders import selectors, services
from clientbase.workorders.business_hours import business_hours
from clientbase.workorders.filters import InvoiceFilterSet, QuoteFilterSet, WorkOrderFilterSet
from clientbase.workorders.forms import (
    COVERAGE_WORDS,
    STEPS,
    DocumentForm,
    QuoteApprovalForm,
    WizardChoice,
    WorkOrderEditForm,
    WorkOrderForm,
    WorkOrderStepForm,
    technicians,
)
from clientbase.workorders.models import Document, Invoice, Quote, WorkOrder
from clientbase.writes import changes_of

# How many work orders a page of a service history shows (the customer, contact, location and asset
# pages).
HISTORY_PAGE_SIZE = 10
# How many quotes and invoices the customer page shows, and quotes the contact page.
DOCUMENT_SECTION_SIZE = 5


def work_order_url(work_order: WorkOrder | int) -> str:
    return reverse("workorders:work-order-detail", args=[getattr(work_order, "pk", work_order)])


def document_url(model: type[Document], page: str, *args: Any) -> str:
    """A page of quotes or of invoices (`model`): "list", "create", or "detail" with the id."""
    return reverse(f"workorders:{model._meta.model_name}-{page}", args=args)


def document_names(model: type[Document]) -> dict[str, Any]:
    """How the pages of quotes or of invoices (`model`) name them: `noun` ("quote"), and the link
    to their list, `list_url` with its label `list_label` ("Quotes")."""
    return {
        "noun": str(model._meta.verbose_name),
        "list_url": document_url(model, "list"),
        "list_label": str(model._meta.verbose_name_plural).capitalize(),
    }


def visible_by_param(user: Any, queryset: QuerySet, value: str) -> Any:
    """The object whose id `value` is (a list filter's parameter), if the user may see it; None
    for a value that is no id (`clientbase.api.filters.parse_id`)."""
    pk = parse_id(value)
    if pk is None:
        return None
    return access.restrict(user, queryset.filter(pk=pk), access.VIEW).first()


class CustomerWorkListView(ListPage):
    """A list of work orders, quotes or invoices, which `?customer=` narrows to one customer's: the
    page names that customer (`filter_customer`) if the user may see it."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        customer_id = self.request.GET.get("customer", "")
        context["filter_customer"] = visible_by_param(self.user, Customer.objects.all(), customer_id)
        return context


class WorkOrderListView(CustomerWorkListView):
    """Work orders, newest first (a day's visits, `scheduled_on`, by their start): searched by
    number or summary, filtered by status, technician, the days they were created and the day they
    are scheduled for (`WorkOrderFilterSet`, which the API shares)."""

    section = "work-orders"
    model = WorkOrder
    queryset = selectors.work_orders_for_pages(WorkOrder.objects.all())
    filterset_class = WorkOrderFilterSet
    template_name = "workorders/work_order_list.html"
    partial_template_name = "workorders/_partials/work_order_results.html"
    url_name = "workorders:work-order-list"
    search_placeholder = "Number or summary"
    add_url_name = "workorders:work-order-create"
    add_label = "New work order"

    def filter_queryset(self, queryset: QuerySet) -> tuple[QuerySet, Any]:
        queryset, filterset = super().filter_queryset(queryset)
        if filterset is not None and filterset.is_bound and filterset.form.cleaned_data.get("scheduled_on"):
            # A day's visits, as the dispatcher plans them: by the time they start.
            queryset = queryset.order_by("scheduled_start", "id")
        return queryset, filterset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["technician_choices"] = [(user.pk, services.technician_name(user)) for user in technicians()]
        return context


class WorkOrderCreateView(FormPage):
    """The wizard: choosing a customer offers its locations, choosing a location its assets (with
    htmx the form refreshes as soon as a choice changes; without, “Continue” does). The page shows
    who the site contact will be, which contract the work will be done under (to users who may view
    contracts) and who will be notified, before anything is written."""

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
            for name in ("summary", "description", "requested_by", "site_contact", "contract")
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
        site_contact = routing = contract = None
        if choice.customer is not None:
            location_id = choice.location.pk if choice.location else None
            site_contact = resolve_site_contact(customer_id=choice.customer.pk, location_id=location_id)
            if access.can(self.user, access.VIEW, Contact):
                routing = resolve_recipients(
                    event=WORK_ORDER_CREATED, customer_id=choice.customer.pk, location_id=location_id
                )
            if access.can(self.user, access.VIEW, Contract):
                contract = covering_contract(
                    customer=choice.customer, location=choice.location, asset=choice.asset
                )
        context.update(
            choice=choice,
            resolved_site_contact=site_contact,
            routing=routing,
            resolved_contract=contract,
            resolved_contract_how=COVERAGE_WORDS.get(getattr(contract, "coverage", ""), ""),
        )
        return context

    def perform(self, form: WorkOrderForm) -> WorkOrder:
        return services.create_work_order(acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: WorkOrder) -> str:
        return work_order_url(obj)


class WorkOrderDetailView(DetailPage):
    """A work order: where and what, the service contract it is done under (number, name, response
    time, a link; for users who may view contracts), whom to call (`who_to_call`), its visit, how
    it ended, its quotes and invoices, its history, and for users who may change it a button per
    step of its lifecycle that `WorkOrder.TRANSITIONS` allows from its status."""

    section = "work-orders"
    model = WorkOrder
    queryset = selectors.work_orders_for_pages(WorkOrder.objects.all()).select_related("contract")
    template_name = "workorders/work_order_detail.html"
    context_object_name = "work_order"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        work_order: WorkOrder = self.object
        user = self.user
        may_change = access.allowed(user, access.CHANGE, work_order)
        context.update(
            quotes=list(access.restrict(user, Quote.objects.filter(work_order=work_order), access.VIEW)),
            invoices=list(access.restrict(user, Invoice.objects.filter(work_order=work_order), access.VIEW)),
            can_view_quotes=access.can(user, access.VIEW, Quote),
            can_view_invoices=access.can(user, access.VIEW, Invoice),
            can_view_contacts=access.can(user, access.VIEW, Contact),
            can_view_location=access.can(user, access.VIEW, Location),
            can_view_contracts=access.can(user, access.VIEW, Contract),
            can_add_quote=access.can(user, access.ADD, Quote),
            can_add_invoice=access.can(user, access.ADD, Invoice),
            can_change=may_change and not work_order.is_closed,
            steps=steps_of(work_order) if may_change else [],
            who_to_call=who_to_call_for(user, work_order),
            history=selectors.work_order_history(work_order.pk),
        )
        return context


def steps_of(work_order: WorkOrder) -> list[dict[str, str]]:
    """The buttons of the steps `work_order` may take now: {"to", "label", "url"}."""
    return [
        {"to": to, "label": STEPS[to][0], "url": step_url(work_order, to)} for to in work_order.next_statuses
    ]


def step_url(work_order: WorkOrder, to: str) -> str:
    return f"{reverse('workorders:work-order-step', args=[work_order.pk])}?to={to}"


def who_to_call_for(user: Any, work_order: WorkOrder, at: Any = None) -> dict[str, Any]:
    """Whom `user` should call about `work_order` now (or at `at`): the callees of
    `selectors.who_to_call` with their phone numbers (`tel:` links), and the location's access
    notes when the user may see the location."""
    contacts = (
        access.restrict(user, Contact.objects.all(), access.VIEW)
        if access.can(user, access.VIEW, Contact)
        else None
    )
    found = selectors.who_to_call(
        work_order, contacts=contacts, at=at or timezone.now(), hours=business_hours()
    )
    callees = [
        {
            "contact": callee.contact,
            "name": callee.name,
            "roles": callee.roles,
            "phones": phone_links(callee.contact) if callee.contact is not None else [],
            "email": callee.contact.email if callee.contact is not None else "",
        }
        for callee in found.callees
    ]
    location = work_order.location
    access_notes = (
        location.access_notes if location is not None and access.can(user, access.VIEW, Location) else ""
    )
    return {
        "callees": callees,
        "after_hours": found.after_hours,
        "hours": found.hours,
        "access_notes": access_notes,
    }


class WorkOrderChangePage(FormPage):
    """What the edit page and the step pages share: the work order (`self.work_order`, fetched by
    `prepare` for a change), its write through `services.update_work_order` with the version the
    form was loaded at, the way back to its page, and how many messages the change queued."""

    section = "work-orders"
    edits = "work_order"
    work_order: WorkOrder

    def fetch_work_order(self) -> WorkOrder:
        return access.fetch(
            self.user,
            selectors.work_orders_for_pages(WorkOrder.objects.all()),
            self.kwargs["pk"],
            access.CHANGE,
        )

    def get_conflict_url(self) -> str:
        return work_order_url(self.kwargs["pk"])

    def perform(self, form: Any) -> WorkOrder:
        return services.update_work_order(
            work_order=self.work_order,
            acting_user=self.user,
            data=form.service_data(),
            expected_version=self.expected_version,
        )

    @staticmethod
    def queued(work_order: WorkOrder) -> str | None:
        """“2 messages queued” after a change the contacts were told of; None when none was."""
        routing = services.notified(work_order)
        return messages_queued(len(routing.recipients)) if routing is not None else None

    def success_url_for(self, obj: WorkOrder) -> str:
        return work_order_url(obj)


class WorkOrderUpdateView(WorkOrderChangePage):
    """Edit a work order that is not closed: where, what, who asked, the site contact, the service
    contract (its help names the one covering the work order's place today), the visit (while
    scheduled or in progress) and the technician. The form carries the version it was loaded at; a
    save over someone else's change is refused with what changed since. A save that moves the work
    order to a place another contract covers keeps its contract, and says so."""

    form_class = WorkOrderEditForm
    template_name = "workorders/work_order_edit.html"

    def prepare(self) -> None:
        self.work_order = self.fetch_work_order()
        if self.work_order.is_closed:
            raise Conflict(
                f"Work order {self.work_order.number} is {self.work_order.get_status_display().lower()}; "
                "a closed work order cannot be changed."
            )

    def chosen_place(self) -> tuple[int | None, int | None]:
        """The location and asset chosen on the form: those posted, or those of the query when the
        page refreshes its "Where" for a new choice (htmx; an asset not at the location chosen is
        none), else the work order's."""
        work_order = self.work_order
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        location_id = WorkOrderEditForm.chosen_location(params, work_order)
        if "location" not in params:
            return location_id, work_order.asset_id
        asset_id = parse_id(params.get("asset"))
        if asset_id is not None and (
            location_id is None or not Asset.objects.filter(pk=asset_id, location_id=location_id).exists()
        ):
            asset_id = None  # an asset of the location chosen before
        return location_id, asset_id

    def get_form_kwargs(self) -> dict[str, Any]:
        work_order = self.work_order
        location_id, asset_id = self.chosen_place()
        covering = None
        if access.can(self.user, access.VIEW, Contract):
            covering = covering_contract(
                customer=work_order.customer_id, location=location_id, asset=asset_id
            )
        return {
            **super().get_form_kwargs(),
            "user": self.user,
            "work_order": work_order,
            "covering": covering,
            "location_id": location_id,
        }

    def get_initial(self) -> dict[str, Any]:
        initial = WorkOrderEditForm.initial_for(self.work_order)
        if "location" in self.request.GET:
            # "Where" refreshed for another choice (the page's htmx request): the contract chosen
            # so far stays.
            initial["location"], initial["asset"] = self.chosen_place()
            if "contract" in self.request.GET:
                initial["contract"] = parse_id(self.request.GET["contract"])
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(work_order=self.work_order, **kwargs)

    def get_success_message(self, obj: Model) -> str:
        assert isinstance(obj, WorkOrder)
        queued = self.queued(obj)
        message = f"Work order {obj.number} saved{f'; {queued}' if queued else ''}."
        note = kept_contract_note(self.user, obj)
        return f"{message} {note}" if note else message


def kept_contract_note(user: Any, work_order: WorkOrder) -> str:
    """After a save that moved `work_order` (its location or asset changed, its contract did not):
    what to know when another contract covers the new place today, for users who may view
    contracts (“It stays under contract K-000001; K-000002 Lifts covers the new place: …”); "" when
    nothing is to be said."""
    changed = changes_of(work_order) or frozenset()
    if not changed & {"location", "asset"} or "contract" in changed:
        return ""
    if not access.can(user, access.VIEW, Contract):
        return ""
    covering = covering_contract(
        customer=work_order.customer_id, location=work_order.location_id, asset=work_order.asset_id
    )
    if getattr(covering, "pk", None) == work_order.contract_id:
        return ""
    kept = work_order.contract
    stays = f"It stays under contract {kept.number}" if kept is not None else "It stays without a contract"
    if covering is None:
        return f"{stays}; no contract in force covers the new place."
    return (
        f"{stays}; {covering.number} {covering.name} covers the new place: choose it on the edit "
        "page if the work falls under it."
    )


def messages_queued(count: int) -> str:
    """“2 messages queued”, “1 message queued”, “no message queued”."""
    return "no message queued" if count == 0 else f"{counted(count, 'message')} queued"


class WorkOrderStepView(WorkOrderChangePage):
    """One step of a work order's lifecycle (`?to=` the status it goes to): the form of what the
    step records and, before anything is written, who will be notified and why (the routing
    preview of `work_order.completed` or `work_order.updated`). A step `WorkOrder.TRANSITIONS`
    does not allow is refused before the form shows (409 with both statuses named); the version
    the form was loaded at refuses a step over someone else's change. After the step: “Work order
    W-000012 completed; 2 messages queued.”"""

    form_class = WorkOrderStepForm
    template_name = "workorders/work_order_step.html"

    def prepare(self) -> None:
        self.work_order = self.fetch_work_order()
        self.to = (self.request.POST.get("to") or self.request.GET.get("to") or "").strip()
        services.check_transition(self.work_order, self.to)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "work_order": self.work_order, "to": self.to}

    def get_initial(self) -> dict[str, Any]:
        return WorkOrderStepForm.initial_for(self.work_order)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        label, past = STEPS[self.to]
        work_order = self.work_order
        routing = None
        if access.can(self.user, access.VIEW, Contact):
            routing = resolve_recipients(
                event=WORK_ORDER_COMPLETED if self.to == WorkOrder.Status.COMPLETED else WORK_ORDER_UPDATED,
                customer_id=work_order.customer_id,
                location_id=work_order.location_id,
            )
        context.update(
            work_order=work_order,
            to=self.to,
            step_label=label,
            step_past=past,
            status_label=services.status_label(self.to),
            routing=routing,
            action_url=step_url(work_order, self.to),
        )
        return context

    def get_success_message(self, obj: Model) -> str:
        assert isinstance(obj, WorkOrder)
        queued = self.queued(obj) or messages_queued(0)
        return f"Work order {obj.number} {STEPS[self.to][1]}; {queued}."


# Quotes and invoices ------------------------------------------------------------------------------


class DocumentListView(CustomerWorkListView):
    """Quotes or invoices, newest first: filtered by customer and status, searched by number."""

    def filter_queryset(self, queryset: QuerySet) -> tuple[QuerySet, Any]:
        queryset, filterset = super().filter_queryset(queryset)
        return selectors.search_by_number(queryset, self.request.GET.get("search", "")), filterset


class QuoteListView(DocumentListView):
    section = "quotes"
    model = Quote
    queryset = selectors.quotes_for_pages(Quote.objects.all())
    filterset_class = QuoteFilterSet
    template_name = "workorders/quote_list.html"
    partial_template_name = "workorders/_partials/quote_results.html"
    url_name = "workorders:quote-list"
    search_placeholder = "Quote number, e.g. Q-000042"
    add_url_name = "workorders:quote-create"
    add_label = "New quote"

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
    partial_template_name = "workorders/_partials/invoice_results.html"
    url_name = "workorders:invoice-list"
    search_placeholder = "Invoice number, e.g. I-000042"
    add_url_name = "workorders:invoice-create"
    add_label = "New invoice"


class DocumentCreateView(FormPage):
    """A draft quote or invoice: choosing the customer offers its work orders (with htmx the form
    refreshes as soon as the customer changes; without, “Continue” does). `?customer=` and
    `?work_order=` pre-fill it, as the buttons on a customer or work-order page do."""

    model: ClassVar[type[Document]]
    form_class = DocumentForm
    template_name = "workorders/document_form.html"

    def prepare(self) -> None:
        access.require_model(self.user, access.ADD, self.model)
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        self.customer = WizardChoice.from_params(self.user, params).customer

    def get_form_kwargs(self) -> dict[str, Any]:
        return {
            **super().get_form_kwargs(),
            "user": self.user,
            "customer": self.customer,
            "model": self.model,
        }

    def get_initial(self) -> dict[str, Any]:
        """The customer, and what was typed before the form refreshed for a new customer (or what
        the button that opened it filled in: `?work_order=`, a quote's `?contact=`)."""
        params = self.request.GET
        typed = {name: params[name] for name in ("work_order", "amount", "contact") if params.get(name)}
        return {**typed, "customer": self.customer}

    def get_template_names(self) -> list[str]:
        if self.request.method == "GET" and wants_partial(self.request):
            return ["workorders/_partials/document_form_fields.html"]
        return super().get_template_names()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        names = document_names(self.model)
        context.update(
            names,
            customer=self.customer,
            title=f"New {names['noun']}",
            create_url=document_url(self.model, "create"),
        )
        return context

    def perform(self, form: DocumentForm) -> Document:
        return services.create_document(self.model, acting_user=self.user, data=form.service_data())

    def success_url_for(self, obj: Document) -> str:
        return document_url(self.model, "detail", obj.pk)


class QuoteCreateView(DocumentCreateView):
    section = "quotes"
    model = Quote
    success_message = "Quote {obj.number} created as a draft; send it when it is ready."


class InvoiceCreateView(DocumentCreateView):
    section = "invoices"
    model = Invoice
    success_message = "Invoice {obj.number} created as a draft; issue it when it is ready."


class DocumentDetailView(DetailPage):
    """A quote or invoice with its customer and work order, the actions the user may take in its
    state, who those would notify, and the messages they wrote. The page is
    `workorders/<model>_detail.html` (extending `workorders/document_detail.html`), where the
    document is `document` and also `quote` or `invoice`."""

    model: ClassVar[type[Document]]
    event: ClassVar[str]

    def get_template_names(self) -> list[str]:
        return [f"workorders/{self.model._meta.model_name}_detail.html"]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        document: Quote | Invoice = self.object
        user = self.user
        written = list(selectors.messages_of_document(document))
        linkable = allowed_ids(user, Message.objects.filter(pk__in=[m.pk for m in written]), access.VIEW)
        for message in written:
            message.linkable = message.pk in linkable  # type: ignore[attr-defined]
        may = flags(user, document, [access.CHANGE])
        drafting = may[access.CHANGE] and document.is_draft
        context[str(self.model._meta.model_name)] = document
        context.update(
            document_names(self.model),
            document=document,
            done=self.model.AFTER_DRAFT,
            can=may,
            can_view_contacts=access.can(user, access.VIEW, Contact),
            can_view_work_orders=access.can(user, access.VIEW, WorkOrder),
            document_messages=written,
            routing=self.routing_preview(document) if drafting else None,
        )
        return context

    def routing_preview(self, document: Document) -> Routing | None:
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
    event = INVOICE_ISSUED


def messages_written(count: int) -> str:
    return "no message was written" if count == 0 else f"{count} message{'s' if count != 1 else ''} written"


class DocumentActionView(ActionView):
    """An action on a quote or invoice the user may change (404 for one it may not see, 403 for one
    it may not change); a refusal goes back to its page with the reason."""

    model: ClassVar[type[Document]]

    def fetch(self, pk: int) -> Any:
        return access.fetch(self.user, self.model.objects.all(), pk, access.CHANGE)

    def get_conflict_url(self) -> str:
        return document_url(self.model, "detail", self.kwargs["pk"])


class DraftActionView(DocumentActionView):
    """The action that takes a draft further (`perform`: sending a quote, issuing an invoice): back
    to its page with `success_message`, formatted with the document (`obj`) and the messages the
    action wrote (`written`)."""

    success_message: ClassVar[str]

    def perform(self, document: Any) -> Quote | Invoice:
        """Take `document` further through its service (each action names its own)."""
        raise ImproperlyConfigured(f"{type(self).__name__} names no perform().")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        document = self.perform(self.fetch(pk))
        written = messages_written(selectors.messages_of_document(document).count())
        messages.success(request, self.success_message.format(obj=document, written=written))
        return HttpResponseRedirect(document_url(self.model, "detail", document.pk))


class QuoteSendView(DraftActionView):
    """Send a draft quote to the approvers whose limit covers it (`services.send_quote`); refused,
    with nothing changed, when none does."""

    model = Quote
    success_message = "Quote {obj.number} sent to the approvers: {written}."

    def perform(self, document: Quote) -> Quote:
        return services.send_quote(quote=document, acting_user=self.user)


class QuoteApproveView(DocumentActionView):
    """Record that a contact approved a sent quote (`services.approve_quote`, which refuses a
    contact without the authority, with the reason, and changes nothing)."""

    model = Quote

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        quote = self.fetch(pk)
        form = QuoteApprovalForm(request.POST, user=self.user, quote=quote)
        if not form.is_valid():
            messages.error(request, " ".join(str(error) for error in form.errors.get("contact", [])))
            return HttpResponseRedirect(document_url(Quote, "detail", quote.pk))
        quote = services.approve_quote(
            quote=quote, contact=form.cleaned_data["contact"], acting_user=self.user
        )
        messages.success(request, f"Quote {quote.number} approved by {quote.approved_by_name}.")
        return HttpResponseRedirect(document_url(Quote, "detail", quote.pk))


class InvoiceIssueView(DraftActionView):
    """Issue a draft invoice (`services.issue_invoice`); its billing contacts are notified."""

    model = Invoice
    success_message = "Invoice {obj.number} issued: {written}."

    def perform(self, document: Invoice) -> Invoice:
        return services.issue_invoice(invoice=document, acting_user=self.user)


# Sections of the customer, contact, location and asset pages -------------------------------------------


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


def service_history_section(request: HttpRequest, work_orders: QuerySet[WorkOrder]) -> dict[str, Any] | None:
    """A page (`?page=`, HISTORY_PAGE_SIZE rows) of the service history `work_orders`, newest first
    (`selectors.service_history`), as the user may see it, with whether the user may open a work
    order; None when the user may not see work orders. One query for the rows, whatever their
    number."""
    user = request.user
    if not access.can(user, access.VIEW, WorkOrder):
        return None
    rows = selectors.service_history(access.restrict(user, work_orders, access.VIEW))
    return {
        "page": paginate(request, rows, HISTORY_PAGE_SIZE),
        "can_add": access.can(user, access.ADD, WorkOrder),
    }


def customer_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The work orders of a customer for its page: its service history; None when the user may not
    see work orders."""
    return service_history_section(request, WorkOrder.objects.filter(customer=customer))


def location_history_section(request: HttpRequest, location: Location) -> dict[str, Any] | None:
    """The service history of a location for its page; None when the user may not see work orders."""
    section = service_history_section(request, WorkOrder.objects.filter(location=location))
    if section is not None:
        section["new_url"] = (
            f"{reverse('workorders:work-order-create')}?customer={location.customer_id}&location={location.pk}"
        )
    return section


def asset_history_section(request: HttpRequest, asset: Asset) -> dict[str, Any] | None:
    """The service history of an asset for its page; None when the user may not see work orders."""
    section = service_history_section(request, WorkOrder.objects.filter(asset=asset))
    if section is not None:
        location = asset.location
        section["new_url"] = (
            f"{reverse('workorders:work-order-create')}?customer={location.customer_id}"
            f"&location={location.pk}&asset={asset.pk}"
        )
    return section


def contract_work_orders_section(request: HttpRequest, contract: Contract) -> dict[str, Any] | None:
    """The work orders done under a contract, for its page: a page of them, newest first, as a
    service history (`service_history_section`), with the link to all of them in the work-order
    list (`list_url`); None when the user may not see work orders."""
    section = service_history_section(request, WorkOrder.objects.filter(contract=contract))
    if section is not None:
        section["list_url"] = f"{reverse('workorders:work-order-list')}?contract={contract.pk}"
    return section


def customer_quotes_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The newest quotes of a customer for its page; None when the user may not see quotes."""
    quotes = selectors.quotes_for_pages(Quote.objects.filter(customer=customer))
    return _newest(request, Quote, quotes, DOCUMENT_SECTION_SIZE, "quotes")


def customer_invoices_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The newest invoices of a customer for its page; None when the user may not see invoices."""
    invoices = selectors.invoices_for_pages(Invoice.objects.filter(customer=customer))
    return _newest(request, Invoice, invoices, DOCUMENT_SECTION_SIZE, "invoices")


def contact_work_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """A contact's history of work: the work orders it requested or is the site contact for (its
    service history, paginated), and the quotes addressed to it or that it approved, newest first;
    for an active contact, the buttons that open a work order it requests (at its site when it has
    one) and write a quote addressed to it, for users who may. None for a contact of no customer
    (it can have neither) and for users who may see neither work orders nor quotes."""
    user = request.user
    can_view_work_orders = access.can(user, access.VIEW, WorkOrder)
    can_view_quotes = access.can(user, access.VIEW, Quote)
    if contact.customer_id is None or not (can_view_work_orders or can_view_quotes):
        return None
    history = None
    if can_view_work_orders:
        history = service_history_section(
            request, WorkOrder.objects.filter(Q(requested_by=contact) | Q(site_contact=contact))
        )
    quotes: list[Quote] = []
    if can_view_quotes:
        visible = access.restrict(user, Quote.objects.all(), access.VIEW)
        quotes = list(selectors.quotes_of_contact(visible, contact)[: DOCUMENT_SECTION_SIZE + 1])
    active = contact.status == Contact.Status.ACTIVE
    prefill = f"?customer={contact.customer_id}"
    new_work_order_url = new_quote_url = ""
    if active and access.can(user, access.ADD, WorkOrder):
        new_work_order_url = f"{reverse('workorders:work-order-create')}{prefill}&requested_by={contact.pk}"
        # A contact of one site asks about that site.
        sites = list(contact.locations.filter(is_active=True).values_list("pk", flat=True)[:2])
        if len(sites) == 1:
            new_work_order_url += f"&location={sites[0]}"
    if active and access.can(user, access.ADD, Quote):
        new_quote_url = f"{document_url(Quote, 'create')}{prefill}&contact={contact.pk}"
    return {
        "contact": contact,
        "can_view_work_orders": can_view_work_orders,
        "can_view_quotes": can_view_quotes,
        "history": history,
        "quotes": quotes[:DOCUMENT_SECTION_SIZE],
        "more_quotes": len(quotes) > DOCUMENT_SECTION_SIZE,
        "new_work_order_url": new_work_order_url,
        "new_quote_url": new_quote_url,
    }
