"""One row per security event. Rows are written, read by administrators, and purged after the
retention period; never changed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """`type` is a dotted name from `clientbase.audit.events` (e.g. `auth.login_failed`); `user` the
    acting user (null when anonymous or deleted; `username` keeps the name that was given or held);
    `object` the record concerned as "app.model:id" (empty when none) with `object_repr` its name
    at the time; `detail` a small JSON object of facts (never a password or a secret link)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    type = models.CharField(max_length=50, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    object = models.CharField(max_length=100, blank=True, db_index=True)
    object_repr = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["type", "at"], name="audit_event_type_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.type} {self.username}".strip()
