from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clientbase.workorders.models import Invoice, Quote, WorkOrder


@admin.register(WorkOrder)
class WorkOrderAdmin(SimpleHistoryAdmin):
    list_display = [
        "id",
        "summary",
        "customer",
        "location",
        "status",
        "scheduled_start",
        "technician_name",
        "site_contact_name",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["summary", "customer__name", "requested_by_name", "site_contact_name", "technician_name"]
    autocomplete_fields = ["customer", "location", "requested_by", "site_contact"]
    raw_id_fields = ["asset", "technician", "contract"]
    readonly_fields = [
        "requested_by_name",
        "site_contact_name",
        "technician_name",
        "completed_at",
        "created_at",
        "updated_at",
    ]


class DocumentAdmin(SimpleHistoryAdmin):
    """Quotes or invoices: listed with their customer, work order, amount and status, found by the
    customer's name; the times of creation and of the last change are read-only."""

    list_display = ["id", "customer", "work_order", "amount", "status"]
    list_filter = ["status"]
    search_fields = ["customer__name"]
    autocomplete_fields = ["customer"]
    raw_id_fields = ["work_order"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Quote)
class QuoteAdmin(DocumentAdmin):
    list_display = [*DocumentAdmin.list_display, "contact_name", "approved_by_name"]
    search_fields = [*DocumentAdmin.search_fields, "contact_name", "approved_by_name"]
    autocomplete_fields = [*DocumentAdmin.autocomplete_fields, "contact", "approved_by"]
    readonly_fields = [
        "contact_name",
        "approved_by_name",
        "approved_at",
        "sent_at",
        *DocumentAdmin.readonly_fields,
    ]


@admin.register(Invoice)
class InvoiceAdmin(DocumentAdmin):
    list_display = [*DocumentAdmin.list_display, "issued_at"]
    readonly_fields = ["issued_at", *DocumentAdmin.readonly_fields]
