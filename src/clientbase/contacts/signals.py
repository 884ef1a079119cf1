"""Signals of the contacts app. Apps that build on contacts connect to them from their
AppConfig.ready(), so that contacts never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `services.move_contact` inside its transaction, before the contact leaves its customer,
# with `contact` (locked, as stored) and `acting_user`. The portal ends the contact's portal access
# here (its login closed, its sessions and API tokens ended). A receiver that raises refuses the
# move, and nothing changes.
contact_moving = Signal()
