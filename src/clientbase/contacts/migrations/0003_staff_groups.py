"""The staff groups, with their permissions on customers and contacts."""

from django.db import migrations

from clientbase import groups

CUSTOMER_MODELS = ("customer", "location", "asset", "assetpart")


def _codenames(actions, models):
    return [f"{action}_{model}" for action in actions for model in models]


def create_groups(apps, schema_editor):
    groups.ensure_permissions(apps, ["customers", "contacts"])
    groups.grant(apps, groups.ADMINISTRATOR, "customers")
    groups.grant(apps, groups.ADMINISTRATOR, "contacts")
    groups.grant(apps, groups.DISPATCHER, "customers")
    groups.grant(apps, groups.DISPATCHER, "contacts")
    groups.grant(apps, groups.ACCOUNTS_RECEIVABLE, "contacts")
    groups.grant(apps, groups.ACCOUNTS_RECEIVABLE, "customers", _codenames(["view"], CUSTOMER_MODELS))
    groups.grant(apps, groups.TECHNICIAN, "customers", _codenames(["view"], CUSTOMER_MODELS))
    groups.grant(
        apps, groups.TECHNICIAN, "contacts", ["view_contact", "view_contactlocation", "change_contact_notes"]
    )


def remove_groups(apps, schema_editor):
    groups.revoke_all(apps, "customers")
    groups.revoke_all(apps, "contacts")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_consistency_triggers"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
