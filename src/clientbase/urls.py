from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clientbase import pages
from clientbase.api.auth import ObtainTokenView
from clientbase.audit.api import AuditEventViewSet
from clientbase.contacts.api import ContactViewSet
from clientbase.customers.api import AssetPartViewSet, AssetViewSet, CustomerViewSet, LocationViewSet
from clientbase.notifications.api import ActivityViewSet, MessageViewSet, NotificationPreviewView
from clientbase.notifications.views import VerifyEmailView
from clientbase.transfer import api as transfer_api
from clientbase.workorders.api import InvoiceViewSet, QuoteViewSet, WorkOrderViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("asset-parts", AssetPartViewSet, basename="assetpart")
router.register("contacts", ContactViewSet, basename="contact")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("messages", MessageViewSet, basename="message")
router.register("activities", ActivityViewSet, basename="activity")
router.register("audit-events", AuditEventViewSet, basename="auditevent")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("notifications/preview/", NotificationPreviewView.as_view(), name="notification-preview"),
    *transfer_api.urlpatterns,  # imports/, exports/contacts/
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI with its start-up script served apart (`?script`): no inline script, as the
    # Content Security Policy demands.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
    path("mail/verify/<str:token>/", VerifyEmailView.as_view(), name="verify-email"),
    # The customer portal, with the set-password link of its invitation and reset mails.
    path("portal/", include("clientbase.portal.urls")),
    # Staff pages: sign-in, password change, and the pages of the apps.
    path("accounts/login/", pages.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("accounts/password/", pages.StaffPasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", pages.StaffPasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("clientbase.customers.urls")),
    path("", include("clientbase.contacts.urls")),
    path("", include("clientbase.transfer.urls")),
    path("", include("clientbase.workorders.urls")),
    path("", include("clientbase.notifications.urls")),
    path("", include("clientbase.audit.urls")),
]

# Every 403 of the pages is recorded in the audit log before Django's own 403 page answers it.
handler403 = "clientbase.audit.views.permission_denied"
