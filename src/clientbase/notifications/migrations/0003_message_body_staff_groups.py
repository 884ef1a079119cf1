"""Message bodies are for administrators: the permission `notifications.view_message_body`,
granted to the Administrator group. Other groups keep reading the envelope of messages only."""

from django.db import migrations

from clientbase import groups

PERMISSIONS = ["view_message_body"]
GRANTS = {groups.ADMINISTRATOR: PERMISSIONS}


class Migration(migrations.Migration):
    dependencies = [("notifications", "0002_staff_groups")]

    operations = [
        migrations.AlterModelOptions(
            name="message",
            options={
                "ordering": ["-created_at", "-id"],
                "permissions": [
                    ("view_message_body", "Can read the body of messages (secret links stay masked)"),
                ],
            },
        ),
        groups.grant_operation("notifications", GRANTS, revoke_on_reverse=PERMISSIONS),
    ]
