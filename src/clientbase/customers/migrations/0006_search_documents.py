from django.db import migrations, models

from clientbase.migration_checks import fill_search_documents, trigram_index
from clientbase.sqlite_rebuild import restore_triggers, set_triggers_aside


def customer_values(customer):
    return [customer.name, customer.legal_name, customer.email]


def location_values(location):
    address = location.address if isinstance(location.address, dict) else {}
    return [location.name, location.code, str(address.get("street") or ""), str(address.get("city") or "")]


class Migration(migrations.Migration):
    """Customers and locations gain `search_document`: the folded text a search matches (as
    `CUSTOMER_SEARCHED` and `LOCATION_SEARCHED` named them when this was written)."""

    dependencies = [
        ("customers", "0005_long_text_limits"),
    ]

    operations = [
        set_triggers_aside(),
        migrations.AddField(
            model_name="customer",
            name="search_document",
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        migrations.AddField(
            model_name="location",
            name="search_document",
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        restore_triggers(),
        fill_search_documents("customers", "Customer", customer_values),
        fill_search_documents("customers", "Location", location_values),
        trigram_index("customers_customer", "search_document"),
        trigram_index("customers_location", "search_document"),
    ]
