"""The sign-in backends: `PasswordBackend`, the shape of a sign-in by a login and a password, and
`StaffBackend`, Django's `ModelBackend` for staff users only.

Portal users sign in by their e-mail address through `clientbase.portal.backends.PortalBackend`;
their usernames (`portal.services.accounts.login_username`) are never a way in, so every sign-in of
a portal user is counted by the lockout under its address (`clientbase.lockout`), whatever path it
takes. Sessions made by this backend are restored by `ModelBackend.get_user` as before."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from django.http import HttpRequest


class PasswordBackend(BaseBackend):
    """A sign-in by a login and a password: `login_field` names the credential that carries the
    login ("username", "email"). Without both, it answers None (another backend may sign the user
    in); with both, the user `user_for` finds, or None."""

    login_field: ClassVar[str] = "username"

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **credentials: Any,
    ) -> Any | None:
        # `username` stands first, as in Django's ModelBackend, whatever the login is.
        login = username if self.login_field == "username" else credentials.get(self.login_field)
        if login is None or password is None:
            return None
        return self.user_for(request, login, password)

    def user_for(self, request: HttpRequest | None, login: str, password: str) -> Any | None:
        """The user whose login and password these are, or None (each backend names its own)."""
        raise ImproperlyConfigured(f"{type(self).__name__} names no user_for().")


class StaffBackend(PasswordBackend, ModelBackend):
    """Django's ModelBackend for staff users, which reads a user's permissions (its own and its
    groups') in one query, not two, once per user object (every API request has a new one)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        """ "app_label.codename" of every permission `user_obj` holds, itself or through a group
        (every permission for an active superuser); none for an inactive or anonymous user, or an
        object (object permissions are not Django's model backend's). Kept on the user object."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            names = permissions.values_list("content_type__app_label", "codename").distinct()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in names}
        return user_obj._perm_cache

    def user_for(self, request: HttpRequest | None, login: str, password: str) -> Any | None:
        user = ModelBackend.authenticate(self, request, username=login, password=password)
        if user is None or not (user.is_staff or user.is_superuser):
            return None
        return user
