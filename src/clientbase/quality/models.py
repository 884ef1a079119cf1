"""A merge of duplicate contacts, kept so that it can be undone (`merge.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer


class Merge(models.Model):
    """Contacts merged into `into`: `record` holds what an undo needs, `{"into_before": {field:
    value} of `into` before the merge, "into_version": its version after it, "others": [{"id",
    "row": every column as stored, "locations": [ids]}], "moved": [{"model", "field", "ids",
    "from"}] (references moved from a merged-away contact to `into`), "links_added": [location
    ids], "login": {"user", "from"} or null (the portal login moved to `into`)}`."""

    into = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, related_name="+")
    # The customer the contacts belonged to: a merge is shown only while its kept contact still
    # belongs to it (a contact moved since takes none of its old customer's records along).
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    into_name = models.CharField(max_length=201)
    others_names = models.TextField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    record = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.others_names} merged into {self.into_name}"
