"""The staff sign-in backend: Django's `ModelBackend` for staff users only.

Portal users sign in by their e-mail address through `clientbase.portal.backends.PortalBackend`;
their usernames (`portal.services.accounts.login_username`) are never a way in, so every sign-in of
a portal user is counted by the lockout under its address (`clientbase.lockout`), whatever path it
takes. Sessions made by this backend are restored by `ModelBackend.get_user` as before."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class StaffBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any | None:
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None or not (user.is_staff or user.is_superuser):
            return None
        return user
