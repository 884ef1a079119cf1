"""API authentication by token: `Authorization: Token <key>`, the key stored only as a digest.

Tokens are django-rest-knox's: the database keeps a SHA-512 digest of each key and its first
characters for the look-up, never the key itself, so a copy of the database signs nobody in. A key
is shown once, when it is made (`POST /api/v1/auth/token/`, `clientbase token USERNAME`), and
never expires unless `CLIENTBASE_TOKEN_TTL` (seconds) is set. `create_token` and
`delete_tokens` are the one way code makes and ends them. A new password ends every token of its
user, whatever sets it (the password forms, a reset link, the admin, `clientbase changepassword`):
`end_tokens_on_new_password`, connected in `ClientbaseConfig.ready()`.

A request with a token costs one query: the token by its digest (the primary key), with its user
(a portal user's gates read its contact besides). A token past its expiry is deleted when it is
used, and refused; the user's other expired tokens are deleted when it gets a new one
(`create_token`), not on every request."""

from __future__ import annotations

import binascii
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import get_token_model
from knox.settings import knox_settings
from knox.signals import token_expired
from rest_framework import exceptions

from clientbase.audit import events

INVALID_TOKEN = "Invalid token."  # noqa: S105 (knox's refusal, not a secret)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's token authentication, in one query (`find_token`); a key that is not text is a 401,
    not a 500. A portal user's token works only while its portal access is current (as its
    sessions do: the support end date passing, access switched off, an inactive contact):
    otherwise a 401 with the reason."""

    def authenticate_credentials(self, token: bytes) -> tuple[Any, Any]:
        try:
            key = token.decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN) from error
        auth_token = find_token(key)
        if auth_token is None:
            raise exceptions.AuthenticationFailed(INVALID_TOKEN)
        if knox_settings.AUTO_REFRESH and auth_token.expiry:
            self.renew_token(auth_token)
        user, auth_token = self.validate_user(auth_token)
        from clientbase.api.auth import portal_refusal  # it makes tokens with this module

        refusal = portal_refusal(user)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        return user, auth_token


def find_token(key: str) -> Any:
    """The stored token of `key` (text as sent after `Token `), with its user, in one query by its
    SHA-512 digest (the primary key); None when there is none. A token past its expiry is deleted
    (knox's `token_expired` signal is sent) and is None."""
    try:
        digest = hash_token(key)
    except (TypeError, ValueError, binascii.Error):
        return None
    found = list(get_token_model().objects.select_related("user").filter(digest=digest))
    if not found:
        return None
    auth_token = found[0]
    if auth_token.expiry is not None and auth_token.expiry < timezone.now():
        username = auth_token.user.get_username()
        auth_token.delete()
        token_expired.send(sender=TokenAuthentication, username=username, source="auth_token")
        return None
    return auth_token


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "clientbase.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token"',
        }


def create_token(user: Any, *, request: Any = None, via: str = "api") -> str:
    """A new API token of `user`; answers the key, which is not stored and cannot be shown again.
    Its lifetime is `CLIENTBASE_TOKEN_TTL` (none: it lasts until deleted); the user's tokens past
    their expiry are deleted first. Recorded in the audit log with the client's address of
    `request` (none from the command line) and `via`."""

    tokens = get_token_model().objects
    tokens.filter(user=user, expiry__lt=timezone.now()).delete()
    _, key = tokens.create(user=user, expiry=knox_settings.TOKEN_TTL)
    events.record(events.TOKEN_CREATED, user=user, ip=events.request_ip(request), detail={"via": via})
    return str(key)


def delete_tokens(user: Any) -> int:
    """End every API token of `user` now (its next request with one of them is a 401); answers how
    many there were. For a login that is closed, moved or must sign in again."""
    deleted, _ = get_token_model().objects.filter(user=user).delete()
    return int(deleted)


def remember_password(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user model: note the stored password hash (one query, only when the user
    has one), for `end_tokens_on_new_password`."""
    if instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and "password" not in update_fields:
        return
    instance._stored_password = (
        type(instance)._base_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    )


def end_tokens_on_new_password(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """post_save of the user model: a password that changed ends the user's API tokens, so that a
    new password (after a leak, a reset) locks out whoever held one. Its sessions are Django's
    business: they end unless the change was made in one of them (`update_session_auth_hash`)."""
    stored = getattr(instance, "_stored_password", None)
    if created or stored is None:
        return
    del instance._stored_password
    if stored != instance.password:
        delete_tokens(instance)
