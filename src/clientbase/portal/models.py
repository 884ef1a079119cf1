"""The sessions of portal users, so that revoking access ends them at once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class PortalSession(models.Model):
    """One signed-in session of a portal user (Django's database session, by its key).

    Written when a portal user signs in (and when the session key changes with a password change);
    revoking the user's access deletes these sessions from `django_session`, which signs the user
    out on its very next request, whatever surface (pages or API) it uses."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        default_permissions = ()  # bookkeeping, never edited by anyone
        indexes = [models.Index(fields=["user", "created_at"], name="portal_session_user_idx")]

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
