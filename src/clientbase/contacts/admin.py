from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clientbase.contacts.models import Contact, ContactLocation


class ContactLocationInline(admin.TabularInline):
    model = ContactLocation
    extra = 0
    autocomplete_fields = ["location"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["last_name", "first_name", "customer", "email", "phone", "is_primary", "status"]
    list_filter = ["status", "is_primary", "role_site", "role_billing", "role_approver", "role_emergency"]
    search_fields = ["last_name", "first_name", "email", "phone_digits", "customer__name"]
    autocomplete_fields = ["customer", "reports_to", "user"]
    readonly_fields = ["email_status", "last_verified_at", "created_at", "updated_at"]
    inlines = [ContactLocationInline]


@admin.register(ContactLocation)
class ContactLocationAdmin(admin.ModelAdmin):
    list_display = ["contact", "location"]
    autocomplete_fields = ["contact", "location"]
