from django.db import migrations, models

import clientbase.text
from clientbase.migration_checks import fill_columns, sqlite_trigram_table
from clientbase.sqlite_rebuild import restore_triggers, set_triggers_aside
from clientbase.text import fold


class Migration(migrations.Migration):
    """Contacts gain their folded names in both orders (`folded_last_first`, `folded_first_last`),
    which a search reads by prefix from ordinary indexes; on SQLite the search document and phone
    digits get an FTS5 trigram table kept by triggers (PostgreSQL has trigram indexes, 0012)."""

    dependencies = [
        ("contacts", "0012_search_document"),
    ]

    operations = [
        set_triggers_aside(),
        migrations.AddField(
            model_name="contact",
            name="folded_first_last",
            field=clientbase.text.FoldedKeyField(blank=True, db_default="", default="", editable=False),
        ),
        migrations.AddField(
            model_name="contact",
            name="folded_last_first",
            field=clientbase.text.FoldedKeyField(blank=True, db_default="", default="", editable=False),
        ),
        restore_triggers(),
        fill_columns(
            "contacts",
            "Contact",
            {
                "folded_last_first": lambda row: fold(f"{row.last_name} {row.first_name}"),
                "folded_first_last": lambda row: fold(f"{row.first_name} {row.last_name}"),
            },
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["folded_last_first", "id"], name="contacts_folded_last_first_idx"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["folded_first_last", "id"], name="contacts_folded_first_last_idx"),
        ),
        sqlite_trigram_table("contacts_contact", ("search_document", "phone_digits")),
    ]
