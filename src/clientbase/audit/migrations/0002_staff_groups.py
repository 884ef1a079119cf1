"""The audit log is read by administrators only."""

from django.db import migrations

from clientbase import groups

GRANTS = {groups.ADMINISTRATOR: ["view_auditevent"]}


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("notifications", "0002_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [groups.grant_operation("audit", GRANTS)]
