"""Message bodies are for administrators: the permission `notifications.view_message_body`,
granted to the Administrator group. Other groups keep reading the envelope of messages only."""

from django.db import migrations

from clientbase import groups


def grant(apps, schema_editor):
    groups.ensure_permissions(apps, ["notifications"])
    groups.grant(apps, groups.ADMINISTRATOR, "notifications", ["view_message_body"])


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permission = permission_model.objects.filter(
        content_type__app_label="notifications", codename="view_message_body"
    )
    for group in group_model.objects.filter(name__in=groups.GROUPS):
        group.permissions.remove(*permission)


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
        migrations.RunPython(grant, revoke),
    ]
