"""The staff groups' permissions on work orders, quotes and invoices: Dispatcher maintains work
orders, Accounts receivable quotes and invoices (and reads the work orders they refer to),
Administrator everything, Technician reads all three."""

from django.db import migrations

from clientbase import groups

ACTIONS = ("add", "change", "delete", "view")


def _codenames(actions, models):
    return [f"{action}_{model}" for action in actions for model in models]


def grant_permissions(apps, schema_editor):
    groups.ensure_permissions(apps, ["workorders"])
    groups.grant(apps, groups.ADMINISTRATOR, "workorders")
    groups.grant(apps, groups.DISPATCHER, "workorders", _codenames(ACTIONS, ["workorder"]))
    groups.grant(
        apps,
        groups.ACCOUNTS_RECEIVABLE,
        "workorders",
        [*_codenames(ACTIONS, ["quote", "invoice"]), "view_workorder"],
    )
    groups.grant(apps, groups.TECHNICIAN, "workorders", _codenames(["view"], ["workorder", "quote", "invoice"]))


def revoke_permissions(apps, schema_editor):
    groups.revoke_all(apps, "workorders")


class Migration(migrations.Migration):
    dependencies = [
        ("workorders", "0002_consistency_triggers"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_permissions, revoke_permissions)]
