"""`clientbase portal_link EMAIL`: print a fresh set-password link for a portal user.

For whoever runs the installation (shell access already holds the database): without a mail
server (`EMAIL_HOST` unset) invitation and reset mails wait in the outbox, where their links are
never stored. The link is single-use and expires like the mailed ones (PASSWORD_RESET_TIMEOUT)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.portal import links, tokens


class Command(BaseCommand):
    help = "Print a single-use set-password link for the portal user with this e-mail address."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip()
        contact = (
            Contact.objects.filter(email__iexact=email, portal_enabled=True, user__isnull=False)
            .select_related("user")
            .first()
        )
        if contact is None or contact.user is None or not contact.user.is_active:
            raise CommandError(f"No contact with portal access has the e-mail address {email!r}.")
        if not access.portal_access_is_current(contact):
            raise CommandError(
                f"The portal access of {email!r} is not current (inactive, or outside its support dates)."
            )
        self.stdout.write(links.absolute(tokens.set_password_path(contact.user)))
