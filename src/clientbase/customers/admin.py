from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clientbase.customers.models import Asset, AssetPart, Customer, Location


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0
    fields = ["name", "code", "is_active"]
    show_change_link = True


class AssetPartInline(admin.TabularInline):
    model = AssetPart
    extra = 0


@admin.register(Customer)
class CustomerAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "status", "email", "phone"]
    list_filter = ["status"]
    search_fields = ["number", "name", "legal_name", "email"]
    readonly_fields = ["number", "created_at", "updated_at"]
    inlines = [LocationInline]


@admin.register(Location)
class LocationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "customer", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "code", "customer__name"]
    autocomplete_fields = ["customer"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "asset_tag", "serial_number", "manufacturer", "model", "location", "status"]
    list_filter = ["status", "manufacturer"]
    search_fields = ["name", "asset_tag", "serial_number", "model"]
    autocomplete_fields = ["location"]
    inlines = [AssetPartInline]


@admin.register(AssetPart)
class AssetPartAdmin(admin.ModelAdmin):
    list_display = ["name", "part_number", "serial_number", "asset"]
    search_fields = ["name", "part_number", "serial_number"]
    autocomplete_fields = ["asset"]
