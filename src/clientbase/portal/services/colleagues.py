"""The writes of the portal's contact and profile pages. They call the contacts services with the
portal user as `acting_user` (access scopes them to its customer, refuses self-deletion and the
fields the user may not change: approval authority, the external ID, and portal access unless it
is a portal admin changing a colleague's); what
is the portal's own comes first: the portal user's support period for colleagues it invites. The
last-admin rule is the contacts services' (`accounts.ensure_admin_remains`), whatever the surface."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from clientbase import access
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact
from clientbase.errors import Forbidden, NotFound
from clientbase.portal.services.accounts import (
    close_portal_account,
    confirmed_sign_in_change,
    is_portal_admin,
)
from clientbase.versions import ExpectedVersion


def acting_contact(acting_user: Any) -> Contact:
    """The contact of a portal user whose access is current; NotFound for anyone else."""
    contact = access.portal_contact(acting_user)
    if contact is None or not access.portal_access_is_current(contact):
        raise NotFound("Not found.")
    return contact


def _with_support_period(data: Mapping[str, Any], actor: Contact, *, enabling: bool) -> dict[str, Any]:
    """A colleague given portal access gets the inviting user's support period."""
    values = dict(data)
    portal = dict(values.get("portal") or {})
    if portal and enabling:
        portal.update(support_start=actor.support_start, support_end=actor.support_end)
        values["portal"] = portal
    return values


@transaction.atomic
def create_colleague(*, acting_user: Any, data: Mapping[str, Any]) -> Contact:
    """A new contact of the portal user's own customer (with portal access when a portal admin
    grants it: then with the admin's support period)."""
    actor = acting_contact(acting_user)
    values = _with_support_period(data, actor, enabling=bool((data.get("portal") or {}).get("enabled")))
    values["customer"] = actor.customer
    return contact_services.create_contact(acting_user=acting_user, data=values)


@transaction.atomic
def update_colleague(
    *, contact: Contact, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> Contact:
    """Change a contact of the portal user's customer. Switching a colleague's portal access on
    gives it the admin's support period; taking the last admin's capability away is refused
    (`accounts.ensure_admin_remains`, through the contacts services' hook). Stale when
    `expected_version` is given and no longer current (`clientbase.versions.lock`)."""
    actor = acting_contact(acting_user)
    portal = data.get("portal") or {}
    enabling = bool(portal.get("enabled")) and not contact.portal_enabled
    return contact_services.update_contact(
        contact=contact,
        acting_user=acting_user,
        data=_with_support_period(data, actor, enabling=enabling),
        expected_version=expected_version,
    )


@transaction.atomic
def delete_colleague(*, contact: Contact, acting_user: Any) -> None:
    """Delete a contact of the portal user's customer: never itself (access refuses it, 403), never
    the customer's last portal admin (409); its portal login is closed with it."""
    access.require(acting_user, access.DELETE, contact)
    user = contact.user
    contact_services.delete_contact(contact=contact, acting_user=acting_user)
    if user is not None:
        close_portal_account(user)


@transaction.atomic
def change_login_email(*, acting_user: Any, email: str) -> Contact:
    """A portal admin changes the address it signs in with (the old address is told, by the
    contacts services' hook), after its caller confirmed the user's password (the profile form):
    the only way a portal user changes the address of a login in use. Without `admin`:
    Forbidden."""
    actor = acting_contact(acting_user)
    if not is_portal_admin(actor):
        raise Forbidden("Changing the e-mail address you sign in with needs the portal admin permission.")
    with confirmed_sign_in_change(actor):  # the profile form checked the password
        return contact_services.update_contact(contact=actor, acting_user=acting_user, data={"email": email})
