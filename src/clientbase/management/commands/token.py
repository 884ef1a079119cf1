"""`clientbase token USERNAME`: print an API token for that user, creating it if needed."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the API token of USERNAME, creating one if the user has none."

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
        token, _ = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)
