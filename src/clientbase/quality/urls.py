"""The staff pages of data quality: the dashboard, and merging duplicate contacts."""

from django.urls import path

from clientbase.quality import views

app_name = "quality"

urlpatterns = [
    path("quality/", views.QualityPage.as_view(), name="dashboard"),
    path("contacts/merge/", views.MergeContactsPage.as_view(), name="merge"),
    path("merges/<int:pk>/", views.MergeDetailPage.as_view(), name="merge-detail"),
    path("merges/<int:pk>/undo/", views.MergeUndoView.as_view(), name="merge-undo"),
]
