from django.contrib import admin

from clientbase.notifications.models import Activity, Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: messages change only through the worker."""

    list_display = [
        "created_at",
        "event",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
    ]
    list_filter = ["status", "event"]
    search_fields = ["to", "subject", "recipient_name", "message_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "summary", "contact_name", "customer", "user"]
    list_filter = ["kind"]
    search_fields = ["summary", "contact_name", "customer__name"]
    raw_id_fields = ["customer", "contact", "message", "user"]
