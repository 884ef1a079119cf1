"""The staff page of data quality."""

from django.urls import path

from clientbase.quality import views

app_name = "quality"

urlpatterns = [
    path("quality/", views.QualityPage.as_view(), name="dashboard"),
]
