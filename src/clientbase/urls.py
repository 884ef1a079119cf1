from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from clientbase.api.auth import ObtainTokenView
from clientbase.contacts.api import ContactViewSet
from clientbase.customers.api import AssetPartViewSet, AssetViewSet, CustomerViewSet, LocationViewSet

router = DefaultRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("locations", LocationViewSet, basename="location")
router.register("assets", AssetViewSet, basename="asset")
router.register("asset-parts", AssetPartViewSet, basename="assetpart")
router.register("contacts", ContactViewSet, basename="contact")

api_v1: list[URLPattern | URLResolver] = [
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
