"""An e-mail address appears once among the contacts of one customer, and once among the contacts
without a customer, ignoring case: partial unique indexes on LOWER(email) (SQLite and PostgreSQL
alike). Addresses that were stored twice were moved to the notes by migration 0009."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0009_move_repeated_emails"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                models.F("customer"),
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(models.Q(("email", ""), _negated=True), ("customer__isnull", False)),
                name="contacts_contact_unique_email_per_customer",
                violation_error_message="Another contact of this customer already has this e-mail address.",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(models.Q(("email", ""), _negated=True), ("customer__isnull", True)),
                name="contacts_contact_unique_email_unaffiliated",
                violation_error_message="Another contact without a customer already has this e-mail address.",
            ),
        ),
    ]
