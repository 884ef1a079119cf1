"""The staff page of the service reports and its download."""

from django.urls import path

from clientbase.reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.ReportsPage.as_view(), name="service"),
    path("reports/service/download/", views.ServiceReportDownload.as_view(), name="service-download"),
]
