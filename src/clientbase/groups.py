"""The staff groups of API.md "Staff roles" and the permissions each holds.

Data migrations call `grant_operation()` (or `grant()`); each app that adds models adds its
permissions to the groups in a migration of its own, so `migrate` always leaves the groups complete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.db.migrations import RunPython

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


def codenames(actions: Iterable[str], models: Iterable[str]) -> list[str]:
    """The permission codenames `<action>_<model>` for every action and model, actions outermost:
    `codenames(["add", "view"], ["quote"])` is `["add_quote", "view_quote"]`."""
    models = list(models)
    return [f"{action}_{model}" for action in actions for model in models]


def grant_to_groups(apps, app_label: str, grants: Mapping[str, Sequence[str] | None]) -> None:
    """Create the permissions of `app_label`, then give each group of `grants` (group name ->
    codenames, in order) those permissions of the app, or all of them for None. Raises
    RuntimeError naming any codename the app does not have."""
    ensure_permissions(apps, [app_label])
    for group_name, group_codenames in grants.items():
        grant(apps, group_name, app_label, None if group_codenames is None else list(group_codenames))


def revoke_from_groups(apps, app_label: str, revoked: Sequence[str]) -> None:
    """Take the permissions `revoked` (codenames) of `app_label` from every staff group."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = permission_model.objects.filter(content_type__app_label=app_label, codename__in=revoked)
    for group in group_model.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


def grant_operation(
    app_label: str,
    grants: Mapping[str, Sequence[str] | None],
    revoke_on_reverse: Sequence[str] | None = None,
) -> RunPython:
    """The operation of a data migration that grants permissions of `app_label` to the staff
    groups: `grant_to_groups(apps, app_label, grants)` on migrate; on reverse, `revoke_from_groups`
    of the codenames `revoke_on_reverse`, or `revoke_all` of the app's permissions when None."""
    from django.db.migrations import RunPython

    return RunPython(
        partial(_grant_step, app_label=app_label, grants=grants),
        partial(_revoke_step, app_label=app_label, revoked=revoke_on_reverse),
    )


def _grant_step(apps, schema_editor, *, app_label: str, grants: Mapping[str, Sequence[str] | None]) -> None:
    grant_to_groups(apps, app_label, grants)


def _revoke_step(apps, schema_editor, *, app_label: str, revoked: Sequence[str] | None) -> None:
    if revoked is None:
        revoke_all(apps, app_label)
    else:
        revoke_from_groups(apps, app_label, revoked)
