"""The consistency triggers of clientbase.contracts.triggers: a contract covers locations and assets
of its own customer only."""

from django.db import migrations

from clientbase.contracts.triggers import create_triggers


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial"), ("customers", "0008_fold_strokes")]

    operations = [create_triggers()]
