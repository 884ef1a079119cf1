"""Privacy: everything held about a contact (`personal_data`) and its erasure (`erase`).

The contacts app knows only its own data. The apps that keep more about a person (messages and
activities, work orders and quotes, portal logins) register a `PrivacySource` from their
`AppConfig.ready()` with `register_source`: its `collect(contact, viewer)` answers their part as
JSON-serialisable data, its `erase(contact, acting_user)` anonymises it in the caller's
transaction and answers how many rows it rewrote. This module imports none of those apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from clientbase import access
from clientbase.audit import events
from clientbase.contacts import selectors
from clientbase.contacts.models import NOTIFY_CATEGORIES, ROLES, Contact
from clientbase.errors import Forbidden

# What an erased contact is called, here and in the stored names of other apps' rows.
ERASED_NAME = "Erased contact"
ERASED_FIRST_NAME = ""
ERASED_LAST_NAME = "Erased"
# The address that stands in for an erased contact's e-mail in stored messages.
ERASED_ADDRESS = "erased@invalid"
ERASED_TEXT = "[erased]"

# The personal fields of a contact and the values they take on erasure (the history rows too).
ERASED_VALUES: dict[str, Any] = {
    "salutation": "",
    "first_name": ERASED_FIRST_NAME,
    "last_name": ERASED_LAST_NAME,
    "title": "",
    "department": "",
    "email": "",
    "phone": "",
    "mobile": "",
    "secondary_phone": "",
    "notes": "",
    "address": {},
    "external_id": "",
}


@dataclass(frozen=True)
class PrivacySource:
    """One app's part of a person's data: `key` names it in `personal_data`'s answer."""

    key: str
    collect: Callable[[Contact, Any], Any]
    erase: Callable[[Contact, Any], int]


_SOURCES: dict[str, PrivacySource] = {}


def register_source(source: PrivacySource) -> None:
    """Register (or replace) the source under `source.key`; called from AppConfig.ready()."""
    _SOURCES[source.key] = source


def sources() -> list[PrivacySource]:
    return list(_SOURCES.values())


def _is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def contact_record(contact: Contact) -> dict[str, Any]:
    """The contact's own row as JSON-serialisable data: every field, locations, roles, notify
    and portal settings (no login secrets)."""
    record: dict[str, Any] = {}
    for model_field in Contact._meta.concrete_fields:
        if model_field.name in {"phone_digits"}:
            continue
        record[model_field.attname] = _plain(getattr(contact, model_field.attname))
    record["full_name"] = contact.full_name
    record["customer_name"] = contact.customer.name if contact.customer is not None else None
    record["locations"] = [
        {"id": location.pk, "name": location.name} for location in contact.locations.order_by("pk")
    ]
    record["roles"] = contact.roles
    record["notify"] = contact.notify
    record["portal"] = {key: _plain(value) for key, value in contact.portal.items()}
    return record


def may_read_personal_data(user: Any, contact: Contact) -> bool:
    """Whether `user` may read `contact`'s personal data (see `personal_data`)."""
    return bool(
        _is_staff(user)
        and access.allowed(user, access.VIEW, contact)
        and access.allowed(user, access.CHANGE, contact)
        and user.has_perm(access.MAINTAIN_CUSTOMER_CONTACTS)
    )


def may_erase(user: Any, contact: Contact) -> bool:
    """Whether `user` may erase `contact` (see `erase`)."""
    return bool(_is_staff(user) and access.allowed(user, access.DELETE, contact))


def personal_data(acting_user: Any, contact: Contact) -> dict[str, Any]:
    """Everything held about `contact`, as JSON-serialisable data: `{"contact": {...},
    "history": [...], <each registered source's key>: ...}` (messages with secret links masked,
    activities, work orders and quotes, portal login facts, what imports kept; never a password
    hash or token).

    Staff only who may change contacts and maintain customer-level contacts (Forbidden
    otherwise, portal users always); `contact` must be one the caller may see (callers fetch it
    through `access.fetch`, NotFound). Records `audit.events.PERSONAL_DATA`."""
    if not _is_staff(acting_user):
        raise Forbidden("Only staff may read a person's personal data.")
    access.require(acting_user, access.VIEW, contact)
    access.require(acting_user, access.CHANGE, contact)
    if not acting_user.has_perm(access.MAINTAIN_CUSTOMER_CONTACTS):
        raise Forbidden("You may not read a person's personal data.")
    data: dict[str, Any] = {
        "contact": contact_record(contact),
        "history": [
            {**entry, "at": entry["at"].isoformat()}
            for entry in selectors.contact_history(contact.pk, viewer=acting_user)
        ],
    }
    for source in sources():
        data[source.key] = source.collect(contact, acting_user)
    events.record(events.PERSONAL_DATA, user=acting_user, object=contact)
    return data


def _scrub(value: Any, needles: list[str]) -> Any:
    """`value` (JSON data) with every text that contains one of `needles` replaced."""
    if isinstance(value, str):
        lowered = value.lower()
        return ERASED_TEXT if any(needle in lowered for needle in needles) else value
    if isinstance(value, list):
        return [_scrub(item, needles) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, needles) for key, item in value.items()}
    return value


def _erase_logs(contact: Contact, old: list[str], login: Any) -> int:
    """The names the audit log and the admin's log keep of the contact, its login and its
    address become neutral (the events themselves stay; their details lose the old values)."""
    from clientbase.audit.models import AuditEvent

    object_key = f"{Contact._meta.label_lower}:{contact.pk}"
    needles = [text.lower() for text in old if len(text) > 2]
    about = Q(object=object_key) | (Q(user=login) if login is not None else Q(pk__in=[]))
    for event in AuditEvent.objects.filter(about).only("pk", "detail"):
        scrubbed = _scrub(event.detail, needles)
        if scrubbed != event.detail:
            AuditEvent.objects.filter(pk=event.pk).update(detail=scrubbed)
    rows = AuditEvent.objects.filter(object=object_key).update(object_repr=ERASED_NAME)
    old_email = old[0]
    if login is not None:
        rows += AuditEvent.objects.filter(user=login).update(username=login.get_username())
    if old_email:
        rows += AuditEvent.objects.filter(username__iexact=old_email).update(username=ERASED_ADDRESS)
    rows += LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Contact), object_id=str(contact.pk)
    ).update(object_repr=ERASED_NAME, change_message="")
    return rows


@transaction.atomic
def erase(acting_user: Any, contact: Contact) -> Contact:
    """Anonymise `contact` in place, in one transaction: its personal fields blank (names become
    "Erased contact"), inactive, not primary, no roles, no notifications, no approval limit, no
    portal access; every history row of it rewritten the same way (a last row records the
    erasure); every registered source anonymises its rows (messages, activities, stored names of
    work orders and quotes, the portal login, the values and errors imports kept). Every
    versioned row changed (the contact, work orders, quotes) gets a new version, so a write
    naming an older one (If-Match, a stale form) is refused. Erasing twice is harmless.

    Staff with the delete permission on contacts only (Forbidden otherwise, portal users
    always). Records `audit.events.ERASURE` with the counts of rows rewritten. Answers the
    erased contact."""
    if not _is_staff(acting_user):
        raise Forbidden("Only staff may erase a person's personal data.")
    access.require(acting_user, access.DELETE, contact)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    old = [contact.email, contact.full_name, contact.first_name, contact.last_name]
    login = contact.user
    if login is not None:
        old.append(login.get_username())
    counts: dict[str, int] = {}
    # Other apps first: they may still need the old e-mail to find their rows.
    for source in sources():
        counts[source.key] = source.erase(contact, acting_user)
    for name, value in ERASED_VALUES.items():
        setattr(contact, name, value)
    contact.status = Contact.Status.INACTIVE
    contact.is_primary = False
    contact.roles = []
    contact.notify = dict.fromkeys(NOTIFY_CATEGORIES, False)
    contact.approval_limit = None
    contact.portal_enabled = False
    contact.portal_permissions = []
    contact.email_status = Contact.EmailStatus.UNVERIFIED
    contact.last_verified_at = None
    contact._change_reason = "erased"  # type: ignore[attr-defined]
    contact._history_user = acting_user  # type: ignore[attr-defined]
    contact.save()
    history_values = {**ERASED_VALUES, "phone_digits": ""}
    history_fields = {f.name for f in Contact.history.model._meta.concrete_fields}
    counts["history"] = Contact.history.filter(id=contact.pk).update(
        **{name: value for name, value in history_values.items() if name in history_fields}
    )
    counts["logs"] = _erase_logs(contact, old, login)
    events.record(events.ERASURE, user=acting_user, object=contact, detail={"rows": counts})
    return contact


__all__ = [
    "ERASED_ADDRESS",
    "ERASED_NAME",
    "ERASED_TEXT",
    "ROLES",
    "PrivacySource",
    "contact_record",
    "erase",
    "may_erase",
    "may_read_personal_data",
    "personal_data",
    "register_source",
]
