"""The user a management command acts as (`--user USERNAME`), for the commands of every app
(import, export, personal_data, erase): what it may do and what the audit log names it for are
that user's."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError


def acting_user(username: str | None) -> Any:
    """The named active user; without a name, the first active superuser. CommandError when there
    is no such user, it is inactive, or (without a name) there is no active superuser."""
    users = get_user_model()._default_manager
    if username:
        user = users.filter(**{users.model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if not user.is_active:
            raise CommandError(f"User {username!r} is inactive.")
        return user
    user = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        raise CommandError("There is no active superuser to act as; name a user with --user.")
    return user
