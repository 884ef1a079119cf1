"""API tokens are stored hashed (django-rest-knox). The table of DRF's plain-text tokens, left by
earlier versions, is dropped so that no usable key stays in the database file."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", migrations.RunSQL.noop)]
