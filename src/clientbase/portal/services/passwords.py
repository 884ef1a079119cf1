"""Passwords of portal users: the reset mail and the setting of a password through a link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from clientbase.contacts.models import Contact
from clientbase.portal import mail, throttle
from clientbase.portal.services.accounts import login_username


def portal_login_for(email: str) -> tuple[Any, Contact] | None:
    """The active portal login whose address is `email` (any case), with its contact."""
    user = (
        get_user_model()
        .objects.filter(username=login_username(email), is_active=True, is_staff=False, is_superuser=False)
        .first()
    )
    if user is None:
        return None
    contact = Contact.objects.select_related("customer").filter(user=user).first()
    if contact is None or login_username(contact.email) != user.username:
        return None
    return user, contact


@transaction.atomic
def request_password_reset(*, email: str) -> bool:
    """Write a reset mail when `email` belongs to a portal user with access; answer whether one
    was written. Callers answer the same either way, so the form tells nobody which addresses
    have a login. At most a few mails per address per quarter hour (`throttle.allow_reset_mail`)."""
    found = portal_login_for(email)
    if found is None:
        return False
    user, contact = found
    if not contact.portal_enabled or contact.status != Contact.Status.ACTIVE:
        return False
    if not throttle.allow_reset_mail(email):
        return False
    mail.queue_password_reset(contact=contact, user=user)
    return True


def is_portal_login(user: Any) -> bool:
    """A user whose password the portal's links may set: an active non-staff login of a contact
    with portal access."""
    if user is None or not user.is_active or user.is_staff or user.is_superuser:
        return False
    return Contact.objects.filter(user=user, portal_enabled=True).exists()
