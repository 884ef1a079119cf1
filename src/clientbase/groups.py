"""The staff groups of API.md "Staff roles" and the permissions each holds.

Data migrations call `grant()`; each app that adds models adds its permissions to the groups in a
migration of its own, so `migrate` always leaves the groups complete."""

from __future__ import annotations

ADMINISTRATOR = "Administrator"
DISPATCHER = "Dispatcher"
ACCOUNTS_RECEIVABLE = "Accounts receivable"
TECHNICIAN = "Technician"
GROUPS = (ADMINISTRATOR, DISPATCHER, ACCOUNTS_RECEIVABLE, TECHNICIAN)


def ensure_permissions(apps, app_labels: list[str]) -> None:
    """Create the permissions of `app_labels` now: Django makes them only after `migrate` ends."""
    from django.contrib.auth.management import create_permissions

    for label in app_labels:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def grant(apps, group_name: str, app_label: str, codenames: list[str] | None = None) -> None:
    """Give `group_name` the named permissions of `app_label`, or all of them when `codenames`
    is None."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=group_name)
    permissions = permission_model.objects.filter(content_type__app_label=app_label)
    if codenames is not None:
        permissions = permissions.filter(codename__in=codenames)
        found = set(permissions.values_list("codename", flat=True))
        missing = set(codenames) - found
        if missing:
            raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*permissions)


def revoke_all(apps, app_label: str) -> None:
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group in group_model.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permission_model.objects.filter(content_type__app_label=app_label))
