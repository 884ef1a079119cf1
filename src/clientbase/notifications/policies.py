"""The notifications app's rules, registered with `clientbase.access` by
`NotificationsConfig.ready()`: staff act through the Django permissions of each action; portal
users see no messages and no activities."""

from __future__ import annotations

from clientbase.access import Policy

POLICIES = (
    Policy(model="notifications.message", customer_path="customer_id"),
    Policy(model="notifications.activity", customer_path="customer_id"),
)
