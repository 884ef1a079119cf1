"""The portal, under /portal/: sign-in and the links of its mails, its pages, and the staff
actions on a contact's portal access. Anything else under /portal/ is the portal's 404."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path, re_path

from clientbase.portal.views import auth, contacts, contracts, profile, staff, work
from clientbase.portal.views.base import refusal

app_name = "portal"

# Where the pages of one kind of object live below its prefix.
OBJECT_PAGES = {
    "list": "",
    "create": "new/",
    "detail": "<int:pk>/",
    "update": "<int:pk>/edit/",
    "delete": "<int:pk>/delete/",
}


def object_routes(
    prefix: str, name: str, actions: dict[str, Any] | None = None, **pages: Any
) -> list[URLPattern]:
    """The routes of one kind of object under `prefix`: its `pages` (views by the keys of
    `OBJECT_PAGES`) and its `actions` on one object ("<pk>/<action>/"), each named
    "<name>-<page or action>"."""
    routes = [(OBJECT_PAGES[page], page, view) for page, view in pages.items()]
    routes += [(f"<int:pk>/{action}/", action, view) for action, view in (actions or {}).items()]
    return [path(prefix + route, view.as_view(), name=f"{name}-{key}") for route, key, view in routes]


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return refusal(request, 404, "There is no such page in the portal.")


urlpatterns = [
    path("", work.HomeView.as_view(), name="home"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetRequestView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path("set-password/<uidb64>/<token>/", auth.SetPasswordView.as_view(), name="set-password"),
    *object_routes(
        "contacts/",
        "contact",
        list=contacts.ContactListView,
        create=contacts.ContactCreateView,
        detail=contacts.ContactDetailView,
        update=contacts.ContactUpdateView,
        delete=contacts.ContactDeleteView,
        actions={"vcard": contacts.ContactVCardView, "invitation": contacts.ContactInvitationView},
    ),
    *object_routes(
        "work-orders/",
        "work-order",
        list=work.WorkOrderListView,
        create=work.WorkOrderCreateView,
        detail=work.WorkOrderDetailView,
    ),
    *object_routes("quotes/", "quote", list=work.QuoteListView, actions={"approve": work.QuoteApproveView}),
    *object_routes("billing/", "invoice", list=work.InvoiceListView, detail=work.InvoiceDetailView),
    *object_routes(
        "contracts/", "contract", list=contracts.ContractListView, detail=contracts.ContractDetailView
    ),
    path("reports/", work.ReportsView.as_view(), name="reports"),
    path("profile/", profile.ProfileView.as_view(), name="profile"),
    path("profile/password/", profile.PortalPasswordChangeView.as_view(), name="password-change"),
    path("profile/email/", profile.LoginEmailView.as_view(), name="login-email"),
    path(
        "staff/contacts/<int:pk>/invitation/",
        staff.StaffResendInvitationView.as_view(),
        name="staff-resend-invitation",
    ),
    path("staff/contacts/<int:pk>/revoke/", staff.StaffRevokePortalView.as_view(), name="staff-revoke"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
