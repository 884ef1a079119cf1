"""The base of every signed-in portal page.

`PortalPage` lets in only a portal user whose access is current (the middleware has already signed
out any other); anonymous visitors go to the portal's sign-in, staff get a refusal (they use the
staff pages). A page names what it needs as an action on a model (`needs`), asked of `access`,
the question the REST API asks too; without it the answer is 403 with the reason. Service errors
are answered here for the whole portal, in the portal's own look: NotFound 404 (which is also what
another customer's objects answer), Forbidden 403, Conflict a message back on the page, nothing
changed. The lists of the portal are `PortalListPage`s, its forms `PortalFormView`s."""

from __future__ import annotations

import abc
from typing import Any, ClassVar, TypeVar

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View

from clientbase import access
from clientbase.audit.events import record_refusal
from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed
from clientbase.pages import ServiceForm, paginate, safe_next
from clientbase.portal.services.accounts import is_portal_admin
from clientbase.workorders.models import Invoice, Quote, WorkOrder

M = TypeVar("M", bound=Model)


def refusal(
    request: HttpRequest, status: int, message: str, context: dict[str, Any] | None = None
) -> HttpResponse:
    """The portal's 403 or 404 page (with the menu when `context` has it); a 403 is recorded in
    the audit log as every refusal of the pages and the API is."""
    if status == 403:
        record_refusal(request, message, surface="portal")
    title = {403: "Not allowed", 404: "Not found"}.get(status, "Not possible")
    values = {**(context or {}), "status": status, "title": title, "message": message}
    return render(request, "portal/refused.html", values, status=status)


def is_staff(user: Any) -> bool:
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def navigation(user: Any, contact: Contact) -> list[dict[str, str]]:
    """The sections this portal user may open, in the order of the menu (asked of `access`, as
    the pages themselves ask)."""
    items = [("home", "Home", "portal:home")]
    if access.can(user, access.VIEW, Contact):
        items.append(("contacts", "Contacts", "portal:contact-list"))
    if access.can(user, access.VIEW, WorkOrder):
        items.append(("work-orders", "Work orders", "portal:work-order-list"))
    if access.can(user, access.VIEW, Quote):
        items.append(("quotes", "Quotes", "portal:quote-list"))
    if access.can(user, access.VIEW, Invoice):
        items.append(("billing", "Billing", "portal:invoice-list"))
    if access.can(user, access.VIEW, Contract):
        items.append(("contracts", "Contracts", "portal:contract-list"))
    if access.can(user, access.REPORT, WorkOrder):
        items.append(("reports", "Reports", "portal:reports"))
    items.append(("profile", "My profile", "portal:profile"))
    return [{"key": key, "label": label, "url": reverse(name)} for key, label, name in items]


class PortalMixin:
    """Signed-in portal users only; service errors answered in the portal's look."""

    request: HttpRequest
    kwargs: dict[str, Any]
    # What the page needs, asked of `access`: (action, "app_label.Model"); None: every portal user.
    # `refusal_message` is what a user without it reads; empty: the refusal of `access` ("You may
    # not view contacts.").
    needs: ClassVar[tuple[str, str] | None] = None
    refusal_message: ClassVar[str] = ""
    # The section of the menu.
    section: ClassVar[str] = ""
    contact: Contact
    capabilities: set[str]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if is_staff(user):
            return refusal(
                request, 403, "The customer portal is for customer contacts. Staff use the staff pages."
            )
        contact = access.portal_contact(user)
        if contact is None or not access.portal_access_is_current(contact):
            logout(request)
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        self.contact = contact
        # What the user holds: the capabilities `access` derives, and `admin` itself.
        self.capabilities = access.portal_capabilities(contact) | (
            {access.ADMIN_CAPABILITY} if is_portal_admin(contact) else set()
        )
        try:
            self.check_access()
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        except NotFound as error:
            return refusal(request, 404, error.message, self.portal_context())
        except Forbidden as error:
            return refusal(request, 403, error.message, self.portal_context())
        except (Conflict, ServiceError) as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(self.get_conflict_url())

    def check_access(self) -> None:
        """Forbidden unless the user may open this page at all."""
        if self.needs is None:
            return
        action, label = self.needs
        model = apps.get_model(label)
        if not self.refusal_message:
            access.require_model(self.request.user, action, model)
        elif not access.can(self.request.user, action, model):
            raise Forbidden(self.refusal_message)

    def fetch(self, queryset: QuerySet[M], action: str = access.VIEW) -> M:
        """The object of the URL's `pk` among `queryset`, as `access.fetch` answers it (NotFound
        when missing or another customer's, Forbidden without `action`)."""
        return access.fetch(self.request.user, queryset, self.kwargs["pk"], action)

    def get_conflict_url(self) -> str:
        return safe_next(self.request, self.request.get_full_path())

    def portal_context(self) -> dict[str, Any]:
        """What every portal page shows: who is signed in, the menu, and what the user may open
        (`may`, asked of `access`)."""
        user = self.request.user
        return {
            "me": self.contact,
            "capabilities": self.capabilities,
            "may": {
                "billing": access.can(user, access.VIEW, Invoice),
                "contracts": access.can(user, access.VIEW, Contract),
                "reports": access.can(user, access.REPORT, WorkOrder),
                "edit_contacts": access.can(user, access.CHANGE, Contact),
            },
            "is_portal_admin": is_portal_admin(self.contact),
            "nav": navigation(self.request.user, self.contact),
            "section": self.section,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context.update(self.portal_context())
        return context


class PortalPage(PortalMixin, TemplateView):
    """A page: what every portal page shows, and what this one shows (`page_context`)."""

    def page_context(self) -> dict[str, Any]:
        """What this page shows besides the portal's own context."""
        return {}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(self.page_context())
        return context


class PortalListPage(PortalPage):
    """A list of `rows()`, a page of `page_size` at a time, shown with "portal/list.html". With
    `status_choices` ((value, label) pairs), `?status=` keeps the rows of one of those statuses
    (another value keeps them all)."""

    page_size: ClassVar[int] = 25
    status_choices: ClassVar[list[tuple[str, str]]] = []

    def rows(self) -> QuerySet[Any]:
        """The rows the list shows, in order (each list page names its own)."""
        raise ImproperlyConfigured(f"{type(self).__name__} names no rows().")

    def page_context(self) -> dict[str, Any]:
        rows = self.rows()
        status = self.request.GET.get("status", "")
        if status in dict(self.status_choices):
            rows = rows.filter(status=status)
        return {
            "page": paginate(self.request, rows, self.page_size),
            "status": status,
            "status_choices": self.status_choices,
        }


class PortalFormView(PortalMixin, FormView, metaclass=abc.ABCMeta):
    """A form whose valid input a service writes (`perform`). A refusal of the service shows the
    form again with what was typed kept (`refused`); once written, the user goes to
    `success_url_for` of what was written, told `success_message`."""

    @abc.abstractmethod
    def perform(self, form: Any) -> Model:
        """Write the form's input through the service; answer what was written."""

    @abc.abstractmethod
    def success_message(self, obj: Any) -> str:
        """What the user is told once `obj` was written."""

    @abc.abstractmethod
    def success_url_for(self, obj: Any) -> str:
        """Where the user goes once `obj` was written."""

    def refused(self, form: ServiceForm, error: ServiceError) -> HttpResponse:
        """The form again: a ValidationFailed's messages next to their fields, a Forbidden (403)
        or Conflict (409) above the form."""
        if isinstance(error, ValidationFailed):
            form.add_service_errors(error)
            return self.form_invalid(form)
        form.add_error(None, error.message)
        status = 403 if isinstance(error, Forbidden) else 409
        return self.render_to_response(self.get_context_data(form=form), status=status)

    def form_valid(self, form: ServiceForm) -> HttpResponse:
        try:
            obj = self.perform(form)
        except (ValidationFailed, Forbidden, Conflict) as error:
            return self.refused(form, error)
        messages.success(self.request, self.success_message(obj))
        return HttpResponseRedirect(self.success_url_for(obj))


class PortalAction(PortalMixin, View):
    """A POST that runs one service and goes back to a page with a message."""

    http_method_names = ["post"]
