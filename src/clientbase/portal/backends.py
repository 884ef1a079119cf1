"""Portal sign-in: e-mail address and password of a contact with portal access.

Only `authenticate(request, email=..., password=...)` (the portal's login form) reaches this
backend; staff sign in with their username through `clientbase.backends.StaffBackend`, which this backend
leaves alone. Staff users are never portal users. Whether the contact may sign in *today* (portal
on, active, within its support dates) is decided after the password was found right, by the
login form, so that the refusal can say why without telling a guesser anything. One address may
hold logins at several customers (a facilities firm's engineer serving two of them): the password
picks the login."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from clientbase.backends import PasswordBackend
from clientbase.portal.services.passwords import portal_logins_for


class PortalBackend(PasswordBackend):
    login_field = "email"

    def user_for(self, request: HttpRequest | None, login: str, password: str) -> Any | None:
        found = portal_logins_for(login)
        if not found:
            # Spend the time a password check takes, so timing does not tell which addresses exist.
            get_user_model()().set_password(password)
            return None
        # One address may sign in at several customers: the login whose password this is (the
        # most recently used, should several share it).
        for user, _ in found:
            if user.check_password(password):
                return user
        return None

    def get_user(self, user_id: Any) -> Any | None:
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        if user is None or not user.is_active or user.is_staff or user.is_superuser:
            return None
        return user
