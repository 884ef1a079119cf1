"""`clientbase personal_data CONTACT_ID [-o FILE] [--user USERNAME]`."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase import access
from clientbase.acting import acting_user
from clientbase.contacts import privacy
from clientbase.contacts.models import Contact
from clientbase.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Write everything held about a contact as JSON (the record, its history, messages, "
        "activities, work orders, the portal login). Runs as --user, by default as the first "
        "active superuser; recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("contact_id", type=int, help="The contact's id.")
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")
        parser.add_argument("--user", help="The username it runs as (default: the first active superuser).")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        try:
            contact = access.fetch(user, Contact.objects.all(), options["contact_id"])
            data = privacy.personal_data(user, contact)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        text = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as target:
                target.write(text)
        else:
            self.stdout.write(text, ending="")
