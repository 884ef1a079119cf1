"""The links of invitation and password-reset mails: `/portal/set-password/<uid>/<token>/`.

Django's `PasswordResetTokenGenerator` semantics with a salt of our own: a token is bound to the
user's password hash, last sign-in and e-mail address, so it stops working once the password is
set, the user signs in, the login e-mail changes, or access is revoked (which makes the password
unusable); and it expires after `PASSWORD_RESET_TIMEOUT` seconds. Nothing about a password is ever
in a mail, only this link.

The link is made when the worker sends the mail, never when it is queued (the outbox holds a marker
with `state_fingerprint`, see `clientbase.portal.mail`): a link made then works only if the account
is still as it was when the mail was queued, just as a link made at queue time would."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode


class PortalTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "clientbase.portal.tokens.PortalTokenGenerator"


token_generator = PortalTokenGenerator()
STATE_SALT = "clientbase.portal.tokens.state"


def state_fingerprint(user: Any) -> str:
    """A keyed digest of what a link's validity depends on (password hash, last sign-in, e-mail):
    equal while a link made now would stay valid, different once the password is set, the user
    signs in, the e-mail changes or access is revoked. Not a token and no way to make one (another
    salt), so it may be stored where staff read it."""
    return salted_hmac(STATE_SALT, token_generator._make_hash_value(user, 0), algorithm="sha256").hexdigest()


def valid_days() -> int:
    """How long a link stays valid, in whole days (at least one), for the mail's wording."""
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def set_password_path(user: Any) -> str:
    """The path of a fresh single-use link that lets `user` choose a password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("portal:set-password", args=[uidb64, token_generator.make_token(user)])


def user_from_uidb64(uidb64: str) -> Any | None:
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    return get_user_model()._default_manager.filter(pk=pk).first()
