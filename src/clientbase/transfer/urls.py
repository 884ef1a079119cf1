"""The staff pages of imports and exports."""

from django.urls import path

from clientbase.transfer import views

app_name = "transfer"

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import-list"),
    path("imports/new/", views.ImportUploadView.as_view(), name="import-upload"),
    path("imports/help/", views.ImportHelpView.as_view(), name="import-help"),
    path("imports/preview/<str:token>/", views.ImportPreviewView.as_view(), name="import-preview"),
    path("imports/preview/<str:token>/columns/", views.ImportColumnsView.as_view(), name="import-columns"),
    path("imports/templates/<str:kind>.csv", views.ImportTemplateDownload.as_view(), name="import-template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/revert/", views.ImportRevertView.as_view(), name="import-revert"),
    path("exports/contacts/", views.ContactExportDownload.as_view(), name="export-contacts"),
    path("exports/contracts/", views.ContractExportDownload.as_view(), name="export-contracts"),
]
