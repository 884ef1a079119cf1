import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from clientbase.sqlite_rebuild import restore_triggers, set_triggers_aside


class Migration(migrations.Migration):
    """When and by whom a contact's details were last confirmed as current
    (`services.confirm_details`), on the contact and on its history records. Between the triggers
    set aside and restored (`clientbase.sqlite_rebuild`): SQLite rebuilds the table to drop the
    reference again when this migration is unapplied."""

    dependencies = [
        ("contacts", "0015_import_key_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        set_triggers_aside(),
        migrations.AddField(
            model_name="contact",
            name="details_confirmed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="contact",
            name="details_confirmed_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="details_confirmed_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="historicalcontact",
            name="details_confirmed_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        restore_triggers(),
    ]
