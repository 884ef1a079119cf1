"""Why a contact may not use the portal today, in words for the contact.

"Today" is the date in the configured TIME_ZONE (setting `TIME_ZONE`, environment variable of the
same name): support starts at the beginning of `support_start` and ends at the end of
`support_end` there, as `clientbase.access.portal_access_is_current` decides."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone

from clientbase.contacts.models import Contact

CONTACT_US = "Please contact us if you think this is a mistake."


def _date(value: datetime.date) -> str:
    return formats.date_format(value, "DATE_FORMAT")


def access_refusal(contact: Contact | None, today: datetime.date | None = None) -> str:
    """The reason `contact` cannot use the portal today ('' when it can)."""
    today = today or timezone.localdate()
    if contact is None or contact.customer_id is None:
        return f"This login is not linked to a customer contact any more. {CONTACT_US}"
    if not contact.portal_enabled:
        return f"Your portal access has been switched off. {CONTACT_US}"
    if contact.status != Contact.Status.ACTIVE:
        return f"Your contact record is inactive, so you cannot use the portal. {CONTACT_US}"
    if contact.support_start and today < contact.support_start:
        return f"Your portal access starts on {_date(contact.support_start)}; you can sign in from that day."
    if contact.support_end and today > contact.support_end:
        return (
            f"Your portal access ended on {_date(contact.support_end)}, when your support period ended. "
            "Please contact us to renew it."
        )
    return ""
