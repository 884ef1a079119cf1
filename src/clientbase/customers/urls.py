"""The staff pages of customers, locations, assets and asset parts."""

from django.urls import path

from clientbase.customers import views

app_name = "customers"

urlpatterns = [
    path("customers/", views.CustomerListView.as_view(), name="customer-list"),
    path("customers/new/", views.CustomerCreateView.as_view(), name="customer-create"),
    path("customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer-detail"),
    path("customers/<int:pk>/edit/", views.CustomerUpdateView.as_view(), name="customer-update"),
    path("customers/<int:pk>/locations/new/", views.LocationCreateView.as_view(), name="location-create"),
    path("locations/", views.LocationListView.as_view(), name="location-list"),
    path("locations/<int:pk>/", views.LocationDetailView.as_view(), name="location-detail"),
    path("locations/<int:pk>/edit/", views.LocationUpdateView.as_view(), name="location-update"),
    path("locations/<int:pk>/assets/new/", views.AssetCreateView.as_view(), name="asset-create"),
    path("assets/<int:pk>/", views.AssetDetailView.as_view(), name="asset-detail"),
    path("assets/<int:pk>/edit/", views.AssetUpdateView.as_view(), name="asset-update"),
    path("assets/<int:pk>/parts/new/", views.AssetPartCreateView.as_view(), name="part-create"),
    path("asset-parts/<int:pk>/edit/", views.AssetPartUpdateView.as_view(), name="part-update"),
]
