"""The staff groups' permissions on the outbox and the activity log: every group reads them;
Dispatcher and Accounts receivable also record calls and notes; Administrator may do everything."""

from django.db import migrations

from clientbase import groups

GRANTS = {
    groups.ADMINISTRATOR: None,
    groups.DISPATCHER: ["view_message", "view_activity", "add_activity"],
    groups.ACCOUNTS_RECEIVABLE: ["view_message", "view_activity", "add_activity"],
    groups.TECHNICIAN: ["view_message", "view_activity"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [groups.grant_operation("notifications", GRANTS)]
