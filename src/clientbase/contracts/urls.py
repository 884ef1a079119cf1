"""The staff pages of service contracts."""

from django.urls import path

from clientbase.contracts import views

app_name = "contracts"

urlpatterns = [
    path("contracts/", views.ContractListView.as_view(), name="contract-list"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract-create"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path("contracts/<int:pk>/edit/", views.ContractUpdateView.as_view(), name="contract-update"),
    path("contracts/<int:pk>/delete/", views.ContractDeleteView.as_view(), name="contract-delete"),
]
