"""Approval authority (the approver role, the approval limit) is set by Administrators and
Accounts receivable only."""

from django.db import migrations

from clientbase import groups


def grant(apps, schema_editor):
    groups.ensure_permissions(apps, ["contacts"])
    for group in (groups.ADMINISTRATOR, groups.ACCOUNTS_RECEIVABLE):
        groups.grant(apps, group, "contacts", ["set_approval_authority"])


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permission = permission_model.objects.filter(
        content_type__app_label="contacts", codename="set_approval_authority"
    )
    for group in group_model.objects.filter(name__in=groups.GROUPS):
        group.permissions.remove(*permission)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_versions_external_id_per_customer")]

    operations = [migrations.RunPython(grant, revoke)]
