from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks


def shared_secret_key(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    """clientbase.W001: REDIS_URL says several servers share this installation, but SECRET_KEY was
    generated into this machine's var/: sessions and signed links made here fail on the others."""
    if getattr(settings, "REDIS_URL", "") and not getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", True):
        return [
            checks.Warning(
                "REDIS_URL is set, so several servers may share this installation, but SECRET_KEY was "
                "generated into this machine's var/secret_key.",
                hint="Set one SECRET_KEY in the environment of every server and worker (docs/deploy.md).",
                id="clientbase.W001",
            )
        ]
    return []


class ClientbaseConfig(AppConfig):
    """The project package itself: management commands, shared API plumbing, templates."""

    name = "clientbase"
    verbose_name = "clientbase"

    def ready(self) -> None:
        checks.register(shared_secret_key, checks.Tags.security, deploy=False)
        from django.contrib import admin
        from django.contrib.auth import get_user_model
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_save, pre_save

        from clientbase.admin_site import lock_down
        from clientbase.api.authentication import end_tokens_on_new_password, remember_password
        from clientbase.pages import AdminLoginForm
        from clientbase.private_files import protect_sqlite_files

        # /admin/login/ signs in under the one lockout policy, like every other sign-in.
        admin.site.login_form = AdminLoginForm
        # Superusers only, and view-only for the records that services change.
        lock_down(admin.site)
        # The SQLite database and its WAL/SHM files: 0600.
        connection_created.connect(protect_sqlite_files, dispatch_uid="clientbase.private_files")
        # A new password ends the user's API tokens.
        user_model = get_user_model()
        pre_save.connect(remember_password, sender=user_model, dispatch_uid="clientbase.tokens.remember")
        post_save.connect(end_tokens_on_new_password, sender=user_model, dispatch_uid="clientbase.tokens.end")
