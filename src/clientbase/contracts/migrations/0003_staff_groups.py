"""The staff groups' permissions on service contracts (API.md "Staff roles"): Administrator
everything; Dispatcher (who plans the visits a contract promises) and Accounts receivable (who bills
it) maintain contracts; Technician reads them (what a visit is covered by)."""

from django.db import migrations

from clientbase import groups

ACTIONS = ("add", "change", "delete", "view")

GRANTS = {
    groups.ADMINISTRATOR: None,
    groups.DISPATCHER: groups.codenames(ACTIONS, ["contract"]),
    groups.ACCOUNTS_RECEIVABLE: groups.codenames(ACTIONS, ["contract"]),
    groups.TECHNICIAN: ["view_contract"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("contracts", "0002_consistency_triggers"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [groups.grant_operation("contracts", GRANTS)]
