"""Approval authority (the approver role, the approval limit) is set by Administrators and
Accounts receivable only."""

from django.db import migrations

from clientbase import groups

PERMISSIONS = ["set_approval_authority"]
GRANTS = {groups.ADMINISTRATOR: PERMISSIONS, groups.ACCOUNTS_RECEIVABLE: PERMISSIONS}


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_versions_external_id_per_customer")]

    operations = [groups.grant_operation("contacts", GRANTS, revoke_on_reverse=PERMISSIONS)]
