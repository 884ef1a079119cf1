"""The notifications app's rules, registered with `clientbase.access` by
`NotificationsConfig.ready()`: staff act through the Django permissions of each action; portal
users see no messages and no activities.

A message's body (`READ_BODY`) is for administrators: staff holding
`notifications.view_message_body` (the Administrator group; superusers hold every permission).
Other staff who may view messages see a message's addressee, subject, status and delivery facts,
never its body or the facts it shows. Secret links stay masked even in a body
(`notifications.secret_links`)."""

from __future__ import annotations

from clientbase.access import STANDARD_ACTIONS, Policy, any_of

READ_BODY = "read_body"

POLICIES = (
    Policy(
        model="notifications.message",
        customer_path="customer_id",
        actions=(*STANDARD_ACTIONS, READ_BODY),
        staff={READ_BODY: any_of("notifications.view_message_body")},
    ),
    Policy(model="notifications.activity", customer_path="customer_id"),
)
