from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clientbase.workorders.models import Invoice, Quote, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = ["id", "summary", "customer", "location", "status", "site_contact_name", "created_at"]
    list_filter = ["status"]
    search_fields = ["summary", "customer__name", "requested_by_name", "site_contact_name"]
    autocomplete_fields = ["customer", "location", "requested_by", "site_contact"]
    raw_id_fields = ["asset"]
    readonly_fields = ["requested_by_name", "site_contact_name", "completed_at", "created_at", "updated_at"]


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["id", "customer", "work_order", "amount", "status", "approved_by_name"]
    list_filter = ["status"]
    search_fields = ["customer__name", "approved_by_name"]
    autocomplete_fields = ["customer", "approved_by"]
    raw_id_fields = ["work_order"]
    readonly_fields = ["approved_by_name", "approved_at", "sent_at", "created_at", "updated_at"]


@admin.register(Invoice)
class InvoiceAdmin(SimpleHistoryAdmin):
    list_display = ["id", "customer", "work_order", "amount", "status", "issued_at"]
    list_filter = ["status"]
    search_fields = ["customer__name"]
    autocomplete_fields = ["customer"]
    raw_id_fields = ["work_order"]
    readonly_fields = ["issued_at", "created_at", "updated_at"]
