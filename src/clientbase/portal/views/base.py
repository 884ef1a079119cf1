"""The base of every signed-in portal page.

`PortalPage` lets in only a portal user whose access is current (the middleware has already signed
out any other); anonymous visitors go to the portal's sign-in, staff get a refusal (they use the
staff pages). A page names what it needs as an action on a model (`needs`), asked of `access`,
the question the REST API asks too; without it the answer is 403 with the reason. Service errors
are answered here for the whole portal, in the portal's own look: NotFound 404 (which is also what
another customer's objects answer), Forbidden 403, Conflict a message back on the page, nothing
changed."""

from __future__ import annotations

from typing import Any, ClassVar

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.generic import TemplateView, View

from clientbase import access
from clientbase.audit.events import record_refusal
from clientbase.contacts.models import Contact
from clientbase.errors import Conflict, Forbidden, NotFound, ServiceError
from clientbase.pages import safe_next
from clientbase.portal.services.accounts import is_portal_admin
from clientbase.workorders.models import Invoice, Quote, WorkOrder

CAPABILITY_REFUSALS = {
    "admin": "This needs the portal admin permission.",
    "billing": "Billing needs the “Access billing” permission; a portal admin of yours grants it.",
    "reports": "Reports need the “Access reports” permission; a portal admin of yours grants it.",
    "create_work_order": "Requesting service needs the “Create work orders” permission.",
    "edit_contacts": "The contacts pages need the “Edit contacts” permission.",
}


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
    if access.can(user, access.REPORT, WorkOrder):
        items.append(("reports", "Reports", "portal:reports"))
    items.append(("profile", "My profile", "portal:profile"))
    return [{"key": key, "label": label, "url": reverse(name)} for key, label, name in items]


class PortalMixin:
    """Signed-in portal users only; service errors answered in the portal's look."""

    request: HttpRequest
    # What the page needs, asked of `access`: (action, "app_label.Model"); None: every portal user.
    # `refusal_message` is what a user without it reads.
    needs: ClassVar[tuple[str, str] | None] = None
    refusal_message: ClassVar[str] = "You may not open this page."
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
            {"admin"} if is_portal_admin(contact) else set()
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
        if self.needs is not None:
            action, label = self.needs
            if not access.can(self.request.user, action, apps.get_model(label)):
                raise Forbidden(self.refusal_message)

    def require_model(self, action: str, model: type[Model]) -> None:
        access.require_model(self.request.user, action, model)

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
    pass


class PortalAction(PortalMixin, View):
    """A POST that runs one service and goes back to a page with a message."""

    http_method_names = ["post"]
