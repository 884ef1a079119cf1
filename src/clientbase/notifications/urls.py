"""The staff pages of the outbox, and the contact page's test e-mail action."""

from django.urls import path

from clientbase.notifications import views

app_name = "notifications"

urlpatterns = [
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path("outbox/<int:pk>/", views.MessageDetailView.as_view(), name="message-detail"),
    path("outbox/<int:pk>/html/", views.MessageHtmlView.as_view(), name="message-html"),
    path(
        "contacts/<int:pk>/send-test-email/",
        views.ContactSendTestEmailView.as_view(),
        name="contact-send-test-email",
    ),
    path(
        "contacts/<int:pk>/activities/new/",
        views.ContactRecordActivityView.as_view(),
        name="contact-record-activity",
    ),
]
