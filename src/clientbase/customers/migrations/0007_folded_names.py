from django.db import migrations, models

import clientbase.text
from clientbase.migration_checks import fill_columns, sqlite_trigram_table
from clientbase.sqlite_rebuild import restore_triggers, set_triggers_aside
from clientbase.text import fold


class Migration(migrations.Migration):
    """Customers and locations gain `folded_name`, which a search reads by prefix from an ordinary
    index; on SQLite their search documents (and customers' phones) get FTS5 trigram tables kept by
    triggers (PostgreSQL has trigram indexes, 0006)."""

    dependencies = [
        ("customers", "0006_search_documents"),
    ]

    operations = [
        set_triggers_aside(),
        migrations.AddField(
            model_name="customer",
            name="folded_name",
            field=clientbase.text.FoldedKeyField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="location",
            name="folded_name",
            field=clientbase.text.FoldedKeyField(blank=True, db_default="", default="", editable=False),
        ),
        restore_triggers(),
        fill_columns("customers", "Customer", {"folded_name": lambda row: fold(row.name)}),
        fill_columns("customers", "Location", {"folded_name": lambda row: fold(row.name)}),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["folded_name", "id"], name="customers_customer_folded_idx"),
        ),
        migrations.AddIndex(
            model_name="location",
            index=models.Index(fields=["folded_name", "id"], name="customers_location_folded_idx"),
        ),
        sqlite_trigram_table("customers_customer", ("search_document", "phone")),
        sqlite_trigram_table("customers_location", ("search_document",)),
    ]
