"""Passwords of portal users: the reset mail and the setting of a password through a link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q

from clientbase.contacts.models import Contact
from clientbase.portal import mail, throttle
from clientbase.portal.services.accounts import login_address

# At most this many logins are tried for one address (one person at this many customers).
MAX_LOGINS_PER_ADDRESS = 10


def portal_logins_for(email: str) -> list[tuple[Any, Contact]]:
    """The active portal logins whose address is `email` (any case), with their contacts: one per
    customer at which the address holds a login, the most recently used first, at most
    `MAX_LOGINS_PER_ADDRESS`. Found by username (`accounts.login_username`: the address and the
    customer's id, or the bare address of an older login) through its unique index, and kept only
    where the contact's address is still `email`."""
    address = login_address(email)
    if not address:
        return []
    users = list(
        get_user_model()
        .objects.filter(
            Q(username=address) | Q(username__startswith=f"{address}#"),
            is_active=True,
            is_staff=False,
            is_superuser=False,
        )
        .order_by(F("last_login").desc(nulls_last=True), "pk")[:MAX_LOGINS_PER_ADDRESS]
    )
    contacts = {
        contact.user_id: contact
        for contact in Contact.objects.select_related("customer").filter(user__in=users)
    }
    return [
        (user, contacts[user.pk])
        for user in users
        if user.pk in contacts and login_address(contacts[user.pk].email) == address
    ]


@transaction.atomic
def request_password_reset(*, email: str) -> bool:
    """Write a reset mail when `email` belongs to a portal user with access; answer whether one
    was written. Callers answer the same either way, so the form tells nobody which addresses
    have a login. At most a few mails per address per quarter hour (`throttle.allow_reset_mail`)."""
    found = [
        (user, contact)
        for user, contact in portal_logins_for(email)
        if contact.portal_enabled and contact.status == Contact.Status.ACTIVE
    ]
    if not found or not throttle.allow_reset_mail(email):
        return False
    for user, contact in found:  # each names its customer
        mail.queue_password_reset(contact=contact, user=user)
    return True


def is_portal_login(user: Any) -> bool:
    """A user whose password the portal's links may set: an active non-staff login of a contact
    with portal access."""
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    return Contact.objects.filter(user=user, portal_enabled=True).exists()
