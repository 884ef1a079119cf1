import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    """Indexes for an import's matching keys, which it reads for a chunk of rows at once: the
    e-mail address ignoring case (`LOWER(email) IN (...)`) and the external id, of any customer."""

    dependencies = [
        ("contacts", "0014_fold_strokes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                django.db.models.functions.text.Lower("email"), name="contacts_contact_email_key_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["external_id"], name="contacts_contact_external_idx"),
        ),
    ]
