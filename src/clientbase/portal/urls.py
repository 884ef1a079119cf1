"""The portal, under /portal/: sign-in and the links of its mails, its pages, and the staff
actions on a contact's portal access. Anything else under /portal/ is the portal's 404."""

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path

from clientbase.portal.views import auth, contacts, profile, staff, work
from clientbase.portal.views.base import refusal

app_name = "portal"


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return refusal(request, 404, "There is no such page in the portal.")


urlpatterns = [
    path("", work.HomeView.as_view(), name="home"),
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("password-reset/", auth.PasswordResetRequestView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path("set-password/<uidb64>/<token>/", auth.SetPasswordView.as_view(), name="set-password"),
    path("contacts/", contacts.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", contacts.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/<int:pk>/", contacts.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/edit/", contacts.ContactUpdateView.as_view(), name="contact-update"),
    path("contacts/<int:pk>/delete/", contacts.ContactDeleteView.as_view(), name="contact-delete"),
    path("contacts/<int:pk>/vcard/", contacts.ContactVCardView.as_view(), name="contact-vcard"),
    path(
        "contacts/<int:pk>/invitation/", contacts.ContactInvitationView.as_view(), name="contact-invitation"
    ),
    path("work-orders/", work.WorkOrderListView.as_view(), name="work-order-list"),
    path("work-orders/new/", work.WorkOrderCreateView.as_view(), name="work-order-create"),
    path("work-orders/<int:pk>/", work.WorkOrderDetailView.as_view(), name="work-order-detail"),
    path("quotes/", work.QuoteListView.as_view(), name="quote-list"),
    path("quotes/<int:pk>/approve/", work.QuoteApproveView.as_view(), name="quote-approve"),
    path("billing/", work.InvoiceListView.as_view(), name="invoice-list"),
    path("billing/<int:pk>/", work.InvoiceDetailView.as_view(), name="invoice-detail"),
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
