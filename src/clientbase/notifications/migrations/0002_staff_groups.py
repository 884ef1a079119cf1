"""The staff groups' permissions on the outbox and the activity log: every group reads them;
Dispatcher and Accounts receivable also record calls and notes; Administrator may do everything."""

from django.db import migrations

from clientbase import groups


def grant_permissions(apps, schema_editor):
    groups.ensure_permissions(apps, ["notifications"])
    groups.grant(apps, groups.ADMINISTRATOR, "notifications")
    for group in (groups.DISPATCHER, groups.ACCOUNTS_RECEIVABLE):
        groups.grant(apps, group, "notifications", ["view_message", "view_activity", "add_activity"])
    groups.grant(apps, groups.TECHNICIAN, "notifications", ["view_message", "view_activity"])


def revoke_permissions(apps, schema_editor):
    groups.revoke_all(apps, "notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
