"""The staff groups' permissions on import runs: everyone who maintains contacts or customers may
see past imports (and revert them, as far as the services let them change what they touched)."""

from django.db import migrations

from clientbase import groups


def grant_permissions(apps, schema_editor):
    groups.ensure_permissions(apps, ["transfer"])
    groups.grant(apps, groups.ADMINISTRATOR, "transfer")
    groups.grant(apps, groups.DISPATCHER, "transfer", ["view_importrun"])
    groups.grant(apps, groups.ACCOUNTS_RECEIVABLE, "transfer", ["view_importrun"])


def revoke_permissions(apps, schema_editor):
    groups.revoke_all(apps, "transfer")


class Migration(migrations.Migration):
    dependencies = [
        ("transfer", "0001_initial"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
