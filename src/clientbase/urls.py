from typing import Any

from django.contrib import admin
from django.contrib.auth.views import LogoutView
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from clientbase import pages
from clientbase.api.auth import ObtainTokenView, TokenLogoutAllView, TokenLogoutView
from clientbase.audit.api import AuditEventViewSet
from clientbase.contacts.api import ContactViewSet
from clientbase.contracts.api import ContractViewSet
from clientbase.customers.api import AssetPartViewSet, AssetViewSet, CustomerViewSet, LocationViewSet
from clientbase.notifications.api import (
    ActivityViewSet,
    ContactTestEmailViewSet,
    MessageViewSet,
    NotificationPreviewView,
)
from clientbase.notifications.views import VerifyEmailView
from clientbase.portal.api import ContactPortalViewSet
from clientbase.quality.api import (
    ContactMergeView,
    MergeDetailView,
    MergeUndoView,
    QualitySummaryView,
    QualityView,
)
from clientbase.reports import api as reports_api
from clientbase.transfer import api as transfer_api
from clientbase.transfer.api import ContactCardViewSet
from clientbase.workorders.api import InvoiceViewSet, QuoteViewSet, WorkOrderViewSet


class Router(DefaultRouter):
    """The API's router. A prefix may hold several viewsets: the apps above contacts add their
    actions on a contact (`contacts/{id}/<action>/`) as viewsets of detail actions alone,
    registered under "contacts" after the contacts' own. The API root names each prefix once, by
    the viewset registered first for it (the one with the list)."""

    def get_api_root_view(self, api_urls: Any = None) -> Any:
        list_name = self.routes[0].name
        root: dict[str, str] = {}
        for prefix, _viewset, basename in self.registry:
            root.setdefault(prefix, list_name.format(basename=basename))
        return self.APIRootView.as_view(api_root_dict=root)


router = Router()
router.register("customers", CustomerViewSet, basename="customer")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("asset-parts", AssetPartViewSet, basename="assetpart")
router.register("contacts", ContactViewSet, basename="contact")
router.register("contacts", ContactTestEmailViewSet, basename="contact-test-email")
router.register("contacts", ContactPortalViewSet, basename="contact-portal")
router.register("contacts", ContactCardViewSet, basename="contact-card")
router.register("contracts", ContractViewSet, basename="contract")
router.register("work-orders", WorkOrderViewSet, basename="workorder")
router.register("quotes", QuoteViewSet, basename="quote")
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("messages", MessageViewSet, basename="message")
router.register("activities", ActivityViewSet, basename="activity")
router.register("audit-events", AuditEventViewSet, basename="auditevent")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/logout/", TokenLogoutView.as_view(), name="api-logout"),
    path("auth/logoutall/", TokenLogoutAllView.as_view(), name="api-logout-all"),
    path("notifications/preview/", NotificationPreviewView.as_view(), name="notification-preview"),
    path("quality/", QualityView.as_view(), name="quality"),
    path("quality/summary/", QualitySummaryView.as_view(), name="quality-summary"),
    # Before the router's contacts/{pk}/, which would take "merge" for an id.
    path("contacts/merge/", ContactMergeView.as_view(), name="contact-merge"),
    path("merges/<int:pk>/", MergeDetailView.as_view(), name="merge-detail"),
    path("merges/<int:pk>/undo/", MergeUndoView.as_view(), name="merge-undo"),
    *transfer_api.urlpatterns,  # imports/, exports/contacts/
    *reports_api.urlpatterns,  # reports/service/, reports/idle-assets/
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
    path("", include("clientbase.contracts.urls")),
    path("", include("clientbase.transfer.urls")),
    path("", include("clientbase.workorders.urls")),
    path("", include("clientbase.notifications.urls")),
    path("", include("clientbase.audit.urls")),
    path("", include("clientbase.quality.urls")),
    path("", include("clientbase.reports.urls")),
]

# Every 403 of the pages is recorded in the audit log before Django's own 403 page answers it.
handler403 = "clientbase.audit.views.permission_denied"
# A path no route takes: under /api/ a JSON 404 as the API's own, elsewhere Django's 404 page.
handler404 = "clientbase.api.errors.page_not_found"
