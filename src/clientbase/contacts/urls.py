"""The staff pages of contacts, and the start page (the search)."""

from django.urls import path

from clientbase.contacts import privacy_views, views

app_name = "contacts"

urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("contacts/", views.ContactListView.as_view(), name="contact-list"),
    path("contacts/new/", views.ContactCreateView.as_view(), name="contact-create"),
    path("contacts/duplicates/", views.ContactDuplicatesHintView.as_view(), name="contact-duplicates"),
    path("contacts/<int:pk>/", views.ContactDetailView.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/edit/", views.ContactUpdateView.as_view(), name="contact-update"),
    path(
        "contacts/<int:pk>/make-primary/", views.ContactMakePrimaryView.as_view(), name="contact-make-primary"
    ),
    path(
        "contacts/<int:pk>/confirm-details/",
        views.ContactConfirmDetailsView.as_view(),
        name="contact-confirm-details",
    ),
    path("contacts/<int:pk>/duplicate/", views.ContactDuplicateView.as_view(), name="contact-duplicate"),
    path("contacts/<int:pk>/delete/", views.ContactDeleteView.as_view(), name="contact-delete"),
    path("contacts/<int:pk>/move/", views.ContactMoveView.as_view(), name="contact-move"),
    path(
        "contacts/<int:pk>/personal-data/",
        privacy_views.PersonalDataView.as_view(),
        name="contact-personal-data",
    ),
    path("contacts/<int:pk>/erase/", privacy_views.EraseView.as_view(), name="contact-erase"),
]
