"""`clientbase erase CONTACT_ID [--yes] [--user USERNAME]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase import access
from clientbase.acting import acting_user
from clientbase.contacts import privacy
from clientbase.contacts.models import Contact
from clientbase.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Erase a contact's personal data: anonymise its record and every history row of it, the "
        "messages addressed to it, its activities and the names stored on work orders and quotes, "
        "and end its portal access. Asks first unless --yes. Runs as --user, by default as the "
        "first active superuser; recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact_id", type=int, help="The contact's id.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--user", help="The username it runs as (default: the first active superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            contact = access.fetch(user, Contact.objects.all(), options["contact_id"])
            if not options["yes"]:
                answer = input(f"Erase the personal data of contact {contact.pk} ({contact})? [y/N] ")
                if answer.strip().lower() not in {"y", "yes"}:
                    raise CommandError("Nothing erased.")
            contact = privacy.erase(user, contact)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Contact {contact.pk} erased.")
