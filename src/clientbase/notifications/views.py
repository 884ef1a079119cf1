"""The page behind the link of a test e-mail (for the recipient, no login), the staff pages of
the outbox, and the e-mail staff write from a contact's or a customer's page. Opening the link
shows a confirmation button (so a mail scanner fetching the link confirms nothing); pressing it
verifies the address."""

from __future__ import annotations

import re
from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.errors import Forbidden, ServiceError, ValidationFailed
from clientbase.notifications import delivery, heartbeat, secret_links, services
from clientbase.notifications.events import LABELS
from clientbase.notifications.filters import MessageFilterSet
from clientbase.notifications.forms import CustomerEmailForm, EmailForm
from clientbase.notifications.mail import render_bodies
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.policies import READ_BODY
from clientbase.pages import ActionView, DetailPage, FormPage, ListPage, safe_next

TEMPLATE = "notifications/verify_email.html"


class VerifyEmailView(View):
    """GET: the address and a button; POST: `services.verify_email`. Needs no login: the signed,
    single-use token is the proof."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            contact = services.verification_contact(token)
        except ServiceError as error:
            return render(request, TEMPLATE, {"state": "error", "error": error.message}, status=400)
        return render(request, TEMPLATE, {"state": "confirm", "email": contact.email})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        try:
            contact = services.verify_email(token=token)
        except ServiceError as error:
            return render(request, TEMPLATE, {"state": "error", "error": error.message}, status=400)
        return render(request, TEMPLATE, {"state": "verified", "email": contact.email})


# Staff pages ---------------------------------------------------------------------------------------


class OutboxView(ListPage):
    """Every message, newest first, with its delivery state. Without EMAIL_HOST this is where mail
    stays, readable, instead of being sent. Above it, the mail workers of every host
    (`heartbeat.workers`): live ones, and those gone within the last day."""

    section = "outbox"
    model = Message
    filterset_class = MessageFilterSet
    template_name = "notifications/outbox.html"
    partial_template_name = "notifications/_partials/outbox_results.html"
    url_name = "notifications:outbox"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        found = heartbeat.workers()
        return super().get_context_data(
            sending_enabled=delivery.sending_enabled(),
            events=list(LABELS.items()),
            workers=found,
            live_workers=[worker for worker in found if worker.live],
            **kwargs,
        )


# A web address in the text of a mail: http or https, up to a space or a character that cannot be
# part of one written in text (quotes, angle brackets).
_WEB_ADDRESS = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
# What often follows an address in a sentence without being part of it.
_TRAILING = ".,;:!?"
_CLOSING = {")": "(", "]": "[", "}": "{"}


def _address_end(address: str) -> str:
    """`address` without the punctuation that ends the sentence around it: a trailing full stop,
    comma, ...; a closing bracket that the address did not open ("(see https://x.example/a)")."""
    while address:
        last = address[-1]
        if last in _TRAILING or (last in _CLOSING and address.count(_CLOSING[last]) < address.count(last)):
            address = address[:-1]
        else:
            break
    return address


def linked_text(value: str) -> str:
    """The plain text of a mail as HTML for a page: everything escaped, each web address a link
    (`rel="noopener noreferrer"`: the page opened learns nothing of the outbox, not even its
    address). A secret link is never one: it shows as its placeholder
    (`secret_links.mask_text`; the text shown is masked already, this holds even for text that
    was not). Built by `format_html` alone, which escapes every part it is given."""
    parts: list[str] = []
    position = 0
    for match in _WEB_ADDRESS.finditer(value):
        address = _address_end(match.group(0))
        if not address.partition("://")[2]:
            continue
        start = match.start()
        parts.append(format_html("{}", value[position:start]))
        masked = secret_links.mask_text(address)
        if masked != address:
            parts.append(format_html("{}", masked))
        else:
            parts.append(format_html('<a href="{}" rel="noopener noreferrer">{}</a>', address, address))
        position = start + len(address)
    parts.append(format_html("{}", value[position:]))
    return format_html_join("", "{}", ((part,) for part in parts))


class MessageDetailView(DetailPage):
    """One message: its envelope and delivery for everyone who may view messages; the mail as its
    recipient reads it (plain text, and the HTML part in a sandboxed frame) for administrators
    only (`policies.READ_BODY`), with every secret link masked."""

    section = "outbox"
    model = Message
    queryset = Message.objects.select_related("customer", "contact")
    template_name = "notifications/message_detail.html"
    context_object_name = "message"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        may_read_body = access.can(self.user, READ_BODY, Message)
        text = ""
        if may_read_body:
            try:
                text, _ = render_bodies(self.object)
            except Exception as error:  # the worker fails such a message; the page says why
                context["render_error"] = f"{type(error).__name__}: {error}"
        context.update(
            may_read_body=may_read_body,
            text=text,
            text_html=linked_text(text),
            sending_enabled=delivery.sending_enabled(),
            can_view_contacts=access.can(self.user, access.VIEW, Contact),
        )
        return context


# The policy of the HTML part of a mail shown in the message page's frame: the mail's own inline
# styles and data: images apply, nothing else loads, nothing runs (`sandbox`), no form or link
# target is honoured, and only this site's pages may frame it.
MAIL_FRAME_POLICY = {
    "default-src": [NONE],
    "style-src": [UNSAFE_INLINE],
    "img-src": ["data:"],
    "base-uri": [NONE],
    "form-action": [NONE],
    "frame-ancestors": [SELF],
    "sandbox": True,
}


@method_decorator([xframe_options_sameorigin, csp(MAIL_FRAME_POLICY)], name="dispatch")
class MessageHtmlView(DetailPage):
    """The HTML part of a message, secret links masked, as its own document for the sandboxed frame
    of the message page (a frame's `srcdoc` would inherit the page's policy, which refuses the
    inline styles of mail). Administrators only; others get a 403 and nothing of the body."""

    model = Message
    queryset = Message.objects.select_related("customer", "contact")

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        message = self.get_object()
        if not access.can(self.user, READ_BODY, Message):
            raise Forbidden("Only administrators read the body of a message.")
        try:
            _, html = render_bodies(message)
        except Exception:  # the message page says why
            return HttpResponse("This message cannot be rendered.", content_type="text/plain; charset=utf-8")
        response = HttpResponse(html, content_type="text/html; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response


class ContactSendTestEmailView(ActionView):
    """The contact page's “Send test e-mail”: queue it, then back to the contact with a message."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        message = services.send_test_email(
            contact=contact, acting_user=request.user, base_url=request.build_absolute_uri("/")
        )
        waiting = (
            "" if delivery.sending_enabled() else " No mail is sent here (no EMAIL_HOST): see the outbox."
        )
        messages.success(request, f"Test e-mail to {message.to} queued.{waiting}")
        return HttpResponseRedirect(self.get_conflict_url())

    def get_conflict_url(self) -> str:
        return safe_next(self.request, reverse("contacts:contact-detail", args=[self.kwargs["pk"]]))


# How many activities the customer page shows.
CUSTOMER_SECTION_SIZE = 20


def may_send_email(user: Any) -> bool:
    """Whether `user` may write e-mail to contacts at all (`services.require_may_send_email`)."""
    try:
        services.require_may_send_email(user)
    except Forbidden:
        return False
    return True


def customer_activity_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The activity log of a customer for its page (newest first), and, for those who may write
    e-mail, the way to the page that writes to one of its contacts (`CustomerSendEmailView`: the
    list of its contacts is read there, not on every customer page); None when the user may see
    neither."""
    user = request.user
    can_view_activity = access.can(user, access.VIEW, Activity)
    may_write = may_send_email(user)
    if not (can_view_activity or may_write):
        return None
    rows: list[Activity] = []
    if can_view_activity:
        activities = access.restrict(
            user, Activity.objects.filter(customer=customer).select_related("user", "message"), access.VIEW
        )
        rows = list(activities[: CUSTOMER_SECTION_SIZE + 1])
    return {
        "customer": customer,
        "can_view_activity": can_view_activity,
        "activities": rows[:CUSTOMER_SECTION_SIZE],
        "more": len(rows) > CUSTOMER_SECTION_SIZE,
        "can_view_contacts": access.can(user, access.VIEW, Contact),
        "can_view_messages": access.can(user, access.VIEW, Message),
        "may_write_email": may_write,
    }


def contact_activity_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """The contact page's e-mail status, its “Send test e-mail” and “Send e-mail” actions (or why
    no e-mail may be written to it now: `services.email_refusal`), how many messages to it wait in
    the outbox (for who may view messages), and the contact's activity (newest first); None when
    the user may see none of it."""
    user = request.user
    may_send = bool(contact.email) and access.allowed(user, access.CHANGE, contact)
    can_view_activity = access.can(user, access.VIEW, Activity)
    may_write = may_send_email(user)
    if not (may_send or can_view_activity or may_write or access.can(user, access.ADD, Activity)):
        return None
    rows: list[Activity] = []
    if can_view_activity:
        activities = access.restrict(
            user, Activity.objects.filter(contact=contact).select_related("user", "message"), access.VIEW
        )
        rows = list(activities[: CUSTOMER_SECTION_SIZE + 1])
    refusal = services.email_refusal(contact) if may_write else None
    can_view_messages = access.can(user, access.VIEW, Message)
    # Mail the outbox holds for the contact until it is sent (when sent, it is in the activity).
    waiting = (
        access.restrict(
            user, Message.objects.filter(contact=contact, status=Message.Status.PENDING), access.VIEW
        ).count()
        if can_view_messages
        else 0
    )
    return {
        "contact": contact,
        "waiting": waiting,
        "may_send_test_email": may_send,
        "email_refusal": refusal,
        "sending_enabled": delivery.sending_enabled(),
        "email_form": (
            EmailForm(initial={"to": contact.email}, auto_id=f"email-{contact.pk}-%s")
            if may_write and refusal is None
            else None
        ),
        "can_view_activity": can_view_activity,
        "can_view_messages": can_view_messages,
        "may_record": access.can(user, access.ADD, Activity) and access.allowed(user, access.VIEW, contact),
        "activities": rows[:CUSTOMER_SECTION_SIZE],
        "more": len(rows) > CUSTOMER_SECTION_SIZE,
    }


def queued_message(activity: Activity) -> str:
    """What a page says once an e-mail is queued, and where it waits when no mail is sent here."""
    waiting = "" if delivery.sending_enabled() else " No mail is sent here (no EMAIL_HOST): see the outbox."
    return f"E-mail to {activity.contact_name} queued.{waiting}"


class ContactSendEmailView(FormPage):
    """Write an e-mail to one contact (`services.send_email`): the compose page, which the contact
    page's “Send e-mail” form posts to as well; then back to the contact's activity, saying so.
    Where the contact may not be written to now (inactive, no address, a bounced address) the page
    says why instead of showing the form. A refusal keeps what was typed; a form whose address
    changed since it was opened (its hidden `to`) is refused and shown again with the current one,
    so that sending again goes there."""

    section = "contacts"
    form_class = EmailForm
    template_name = "notifications/contact_send_email.html"

    def prepare(self) -> None:
        self.contact = access.fetch(self.user, Contact.objects.select_related("customer"), self.kwargs["pk"])
        services.require_may_send_email(self.user)

    def get_initial(self) -> dict[str, Any]:
        return {"to": self.contact.email}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            contact=self.contact,
            refusal=services.email_refusal(self.contact),
            sending_enabled=delivery.sending_enabled(),
            **kwargs,
        )

    def perform(self, form: EmailForm) -> Activity:
        return services.send_email(acting_user=self.user, contact=self.contact, **form.service_data())

    def get_success_message(self, obj: Any) -> str:
        return queued_message(obj)

    def success_url_for(self, obj: Activity) -> str:
        return reverse("contacts:contact-detail", args=[self.contact.pk]) + "#activity"


class CustomerSendEmailView(FormPage):
    """Write an e-mail to a contact chosen among a customer's (`CustomerEmailForm`,
    `services.send_email`): the compose page the customer page's “Send e-mail to a contact” opens;
    then back to the customer's activity, saying so. A refusal keeps what was typed."""

    section = "customers"
    form_class = CustomerEmailForm
    template_name = "notifications/customer_send_email.html"

    def prepare(self) -> None:
        self.customer = access.fetch(self.user, Customer.objects.all(), self.kwargs["pk"])
        services.require_may_send_email(self.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "user": self.user, "customer": self.customer}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            customer=self.customer, sending_enabled=delivery.sending_enabled(), **kwargs
        )

    def perform(self, form: CustomerEmailForm) -> Activity:
        data = form.service_data()
        contact = data.pop("contact")
        return services.send_email(acting_user=self.user, contact=contact, **data)

    def get_success_message(self, obj: Any) -> str:
        return queued_message(obj)

    def success_url_for(self, obj: Activity) -> str:
        return reverse("customers:customer-detail", args=[self.customer.pk]) + "#activity"


class ContactRecordActivityView(ActionView):
    """The contact page's “Record a call or note”: through `services.record_activity`, then back
    to the contact; refused input is said in a message and nothing is stored."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        data = {
            "contact": contact,
            "kind": request.POST.get("kind", ""),
            "summary": request.POST.get("summary", ""),
            "body": request.POST.get("body", ""),
        }
        try:
            activity = services.record_activity(acting_user=request.user, data=data)
        except ValidationFailed as error:
            for field, field_messages in error.errors.items():
                for text in field_messages:
                    messages.error(request, f"{field.replace('_', ' ').capitalize()}: {text}")
        else:
            messages.success(request, f"{activity.get_kind_display()} recorded.")
        return HttpResponseRedirect(self.get_conflict_url())

    def get_conflict_url(self) -> str:
        return reverse("contacts:contact-detail", args=[self.kwargs["pk"]]) + "#activity"
