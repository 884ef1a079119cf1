"""Optimistic concurrency: every record that people edit carries a `version` that each save
increments. The API answers it as an `ETag` and refuses a write whose `If-Match` names an older one
(412); staff forms carry it and refuse a stale save."""

from __future__ import annotations

from typing import Any

from django.db import models


class Versioned(models.Model):
    """Abstract base: `version` starts at 1 and goes up by one with every save of the row."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Goes up by one with every change; answered as the ETag."
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)
