"""The audit log is read by administrators only."""

from django.db import migrations

from clientbase import groups


def grant_permissions(apps, schema_editor):
    groups.ensure_permissions(apps, ["audit"])
    groups.grant(apps, groups.ADMINISTRATOR, "audit", ["view_auditevent"])


def revoke_permissions(apps, schema_editor):
    groups.revoke_all(apps, "audit")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("notifications", "0002_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
