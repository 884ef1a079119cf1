"""The staff groups' permissions on import runs: everyone who maintains contacts or customers may
see past imports (and revert them, as far as the services let them change what they touched)."""

from django.db import migrations

from clientbase import groups

GRANTS = {
    groups.ADMINISTRATOR: None,
    groups.DISPATCHER: ["view_importrun"],
    groups.ACCOUNTS_RECEIVABLE: ["view_importrun"],
}


class Migration(migrations.Migration):
    dependencies = [
        ("transfer", "0001_initial"),
        ("contacts", "0003_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [groups.grant_operation("transfer", GRANTS)]
