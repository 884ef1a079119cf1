"""The page behind the link of a test e-mail (for the recipient, no login), and the staff pages of
the outbox. Opening the link shows a confirmation button (so a mail scanner fetching the link
confirms nothing); pressing it verifies the address."""

from __future__ import annotations

from typing import Any

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.decorators import csp
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.errors import Forbidden, ServiceError, ValidationFailed
from clientbase.notifications import delivery, services
from clientbase.notifications.events import LABELS
from clientbase.notifications.filters import MessageFilterSet
from clientbase.notifications.mail import render_bodies
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.policies import READ_BODY
from clientbase.pages import ActionView, DetailPage, ListPage, safe_next

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
    stays, readable, instead of being sent."""

    section = "outbox"
    model = Message
    filterset_class = MessageFilterSet
    template_name = "notifications/outbox.html"
    partial_template_name = "notifications/_partials/outbox_results.html"
    url_name = "notifications:outbox"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            sending_enabled=delivery.sending_enabled(), events=list(LABELS.items()), **kwargs
        )


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


def customer_activity_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The activity log of a customer for its page (newest first); None when the user may not see
    it."""
    user = request.user
    if not access.can(user, access.VIEW, Activity):
        return None
    activities = access.restrict(
        user, Activity.objects.filter(customer=customer).select_related("user"), access.VIEW
    )
    rows = list(activities[: CUSTOMER_SECTION_SIZE + 1])
    return {
        "activities": rows[:CUSTOMER_SECTION_SIZE],
        "more": len(rows) > CUSTOMER_SECTION_SIZE,
        "can_view_contacts": access.can(user, access.VIEW, Contact),
    }


def contact_activity_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """The contact page's e-mail status, its “Send test e-mail” action, and the contact's activity
    (newest first); None when the user may see neither."""
    user = request.user
    may_send = bool(contact.email) and access.allowed(user, access.CHANGE, contact)
    can_view_activity = access.can(user, access.VIEW, Activity)
    if not (may_send or can_view_activity or access.can(user, access.ADD, Activity)):
        return None
    rows: list[Activity] = []
    if can_view_activity:
        activities = access.restrict(
            user, Activity.objects.filter(contact=contact).select_related("user"), access.VIEW
        )
        rows = list(activities[: CUSTOMER_SECTION_SIZE + 1])
    return {
        "contact": contact,
        "may_send_test_email": may_send,
        "can_view_activity": can_view_activity,
        "may_record": access.can(user, access.ADD, Activity) and access.allowed(user, access.VIEW, contact),
        "activities": rows[:CUSTOMER_SECTION_SIZE],
        "more": len(rows) > CUSTOMER_SECTION_SIZE,
    }


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
