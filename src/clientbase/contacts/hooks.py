"""Hooks of the contacts services: what a saved or deleted contact means to the apps built on
contacts (the portal: its login, invitation and e-mail change mails, the last portal admin rule).
Those apps append their callables here from their AppConfig.ready(), so that contacts never
imports them; a move has its signal instead (`signals.contact_moving`).

Every hook is called with keyword arguments, in the order the hooks were appended, inside the
service's transaction (`services.create_contact`, `update_contact`, `delete_contact`), whatever
surface the change came from (API, staff pages, portal pages, import, admin). A hook may raise a
`clientbase.errors.ServiceError` (Forbidden, Conflict, ValidationFailed, ...): the service's
transaction rolls back, nothing of the change stays, and the hooks after it do not run."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from clientbase.contacts.models import Contact


class ContactSaved(Protocol):
    def __call__(
        self, *, contact: Contact, acting_user: Any, changed: Iterable[str] | None, before: Contact | None
    ) -> None: ...


class ContactDeleted(Protocol):
    def __call__(self, *, contact: Contact, acting_user: Any) -> None: ...


# Called at the end of `create_contact` and `update_contact`, once the contact (its locations and
# primary flag too) is written: `contact` as saved; `acting_user` who changed it; `changed` None
# for a new contact, else the names of the fields that changed (model field names, plus
# "locations"); `before` None for a new contact, else a copy of the contact as stored before the
# change (read under its row lock). Not called for an update that changes nothing.
after_contact_saved: list[ContactSaved] = []

# Called by `delete_contact` with the contact's row locked, its direct reports already unlinked
# from it, just before the row is deleted: `contact` still stored (its id and `user` set).
before_contact_deleted: list[ContactDeleted] = []

# Called by `delete_contact` once the row is gone: `contact` as it was stored (its id now None).
after_contact_deleted: list[ContactDeleted] = []


def contact_saved(
    *, contact: Contact, acting_user: Any, changed: set[str] | None, before: Contact | None
) -> None:
    """Run the `after_contact_saved` hooks, in order."""
    for hook in after_contact_saved:
        hook(contact=contact, acting_user=acting_user, changed=changed, before=before)


def contact_deleting(*, contact: Contact, acting_user: Any) -> None:
    """Run the `before_contact_deleted` hooks, in order."""
    for hook in before_contact_deleted:
        hook(contact=contact, acting_user=acting_user)


def contact_deleted(*, contact: Contact, acting_user: Any) -> None:
    """Run the `after_contact_deleted` hooks, in order."""
    for hook in after_contact_deleted:
        hook(contact=contact, acting_user=acting_user)
