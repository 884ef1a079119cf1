"""The Django admin: superusers only, and read-only for clientbase's own records.

Every change to customers, contacts, work orders and the outbox goes through the services, which
hold the rules (field-level authority, the move between customers, the triggers' refusals as
409s); the admin would write past them. So the admin shows these records and changes only what
has no service: users, groups and their permissions."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import AdminSite
from django.http import HttpRequest

# The apps whose records only services change.
SERVICE_APPS = frozenset({"customers", "contacts", "workorders", "notifications", "transfer", "portal"})


def _never(*args: Any, **kwargs: Any) -> bool:
    return False


def superusers_only(request: HttpRequest) -> bool:
    return bool(request.user.is_active and request.user.is_superuser)


def lock_down(site: AdminSite) -> None:
    """Let only superusers in, and make the models of SERVICE_APPS (and their inlines) view-only."""
    site.has_permission = superusers_only  # type: ignore[method-assign]
    for model, model_admin in site._registry.items():
        if model._meta.app_label not in SERVICE_APPS:
            continue
        for name in ("has_add_permission", "has_change_permission", "has_delete_permission"):
            setattr(model_admin, name, _never)
            for inline in model_admin.inlines:
                setattr(inline, name, staticmethod(_never))
