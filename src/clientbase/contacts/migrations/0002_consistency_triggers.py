"""The consistency triggers of clientbase.contacts.triggers."""

from django.db import migrations

from clientbase.contacts.triggers import create_triggers


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial"), ("customers", "0001_initial")]

    operations = [create_triggers()]
