"""The staff pages of the outbox, the contact page's test e-mail action and activity form, and the
compose pages of the e-mail staff write to a contact (from its page or its customer's)."""

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
    path("contacts/<int:pk>/send-email/", views.ContactSendEmailView.as_view(), name="contact-send-email"),
    path("customers/<int:pk>/send-email/", views.CustomerSendEmailView.as_view(), name="customer-send-email"),
    path(
        "contacts/<int:pk>/activities/new/",
        views.ContactRecordActivityView.as_view(),
        name="contact-record-activity",
    ),
]
