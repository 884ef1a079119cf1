"""The audit app's rule, registered with `clientbase.access` by `AuditConfig.ready()`: staff read
the audit log with `audit.view_auditevent` (the Administrator group's); portal users never do."""

from __future__ import annotations

from clientbase.access import Policy

POLICIES = (Policy(model="audit.auditevent", customer_path=None, actions=("view",)),)
