"""The staff groups' permissions on work orders, quotes and invoices: Dispatcher maintains work
orders, Accounts receivable quotes and invoices (and reads the work orders they refer to),
Administrator everything, Technician reads all three."""

from django.db import migrations

from clientbase import groups

ACTIONS = ("add", "change", "delete", "view")

GRANTS = {
    groups.ADMINISTRATOR: None,
    groups.DISPATCHER: groups.codenames(ACTIONS, ["workorder"]),
    groups.ACCOUNTS_RECEIVABLE: [*groups.codenames(ACTIONS, ["quote", "invoice"]), "view_workorder"],
    groups.TECHNICIAN: groups.codenames(["view"], ["workorder", "quote", "invoice"]),
}


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0002_consistency_triggers"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [groups.grant_operation("workorders", GRANTS)]
