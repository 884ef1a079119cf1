"""The staff page of the audit log."""

from django.urls import path

from clientbase.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.AuditEventListView.as_view(), name="list"),
]
