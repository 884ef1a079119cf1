import json

from django.contrib import admin

from clientbase import access
from clientbase.notifications import secret_links
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.policies import READ_BODY


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """The outbox, read-only: messages change only through the worker. The stored `context` is
    never shown as it is: administrators (`policies.READ_BODY`) see it with every
    secret link masked, other staff not at all."""

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
    exclude = ["context"]
    readonly_fields = ["masked_context"]

    @admin.display(description="What the mail shows (secret links masked)")
    def masked_context(self, obj: Message) -> str:
        return json.dumps(secret_links.mask(obj.context), indent=2, ensure_ascii=False, sort_keys=True)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not access.can(request.user, READ_BODY, Message):
            fields = [name for name in fields if name != "masked_context"]
        return fields

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
