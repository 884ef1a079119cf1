"""Reads of import runs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientbase import access
from clientbase.transfer.models import ImportRun


def import_runs_for(user: Any) -> QuerySet[ImportRun]:
    """The runs `user` may see: every run with `transfer.view_importrun`, else its own."""
    runs = ImportRun.objects.select_related("user", "reverted_by")
    if access.can(user, access.VIEW, ImportRun):
        return runs
    if not getattr(user, "is_authenticated", False):
        return runs.none()
    return runs.filter(user=user)


def may_revert(user: Any, run: ImportRun) -> bool:
    """Its own imports, or anyone's with `transfer.change_importrun`; the services still check
    every object the revert touches."""
    return run.user_id == getattr(user, "pk", None) or access.can(user, access.CHANGE, ImportRun)
