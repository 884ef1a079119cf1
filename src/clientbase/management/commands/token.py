"""`clientbase token USERNAME`: make a new API token for that user and print it.

Tokens are stored hashed (`clientbase.api.authentication`), so an existing one cannot be shown
again: each run makes and prints a new one; the user's other tokens keep working."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase.api.authentication import create_token


class Command(BaseCommand):
    help = "Make a new API token for USERNAME and print it (tokens are stored hashed, shown once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        user_model = get_user_model()
        try:
            user = user_model._default_manager.get_by_natural_key(options["username"])
        except user_model.DoesNotExist as error:
            raise CommandError(f"No user named {options['username']!r}.") from error
        if not user.is_active:
            raise CommandError(f"User {options['username']!r} is inactive.")
        self.stdout.write(create_token(user, via="command line"))
