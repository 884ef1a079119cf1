"""Privacy: everything held about a contact (`personal_data`) and its erasure (`erase`).

The contacts app knows only its own data. The apps that keep more about a person (messages and
activities, work orders and quotes, portal logins) register a `PrivacySource` from their
`AppConfig.ready()` with `register_source`: its `collect(contact, viewer)` answers their part as
JSON-serialisable data, its `erase(contact, acting_user)` anonymises it in the caller's
transaction and answers how many rows it rewrote. This module imports none of those apps.

Besides the rows that are the person's own (linked to it), free text elsewhere may name it: what
was typed as an export's search (the audit log), a work order's summary, a mail to a colleague.
`mentions_of(contact)` tells how the person is named (`Mentions`), `scrub_rows` replaces each
mention in chosen columns by "[erased]"; every source uses them for the free text it keeps. A
mention is a whole word, found ignoring case:
- any e-mail address the contact has had, and its full name ("first last") as it was at any time,
  from MIN_MENTION (3) characters;
- its first name and its last name on their own, from MIN_NAME_PART (4) characters: "Chen",
  "Ruiz", "Danielle", not "Li" or "Ann" (which are found only within the full name). A common
  word that is also such a name ("Will", "Mark") is taken out too: an erasure errs on the side
  of taking out too much;
- each phone number it has had, as its digits written internationally or nationally, whatever
  spaces, dashes, dots, slashes or parentheses (up to three) stand between them, and not within a
  longer number: "+1 312 555 0100", "(312) 555-0100" and "3125550100" alike.
"Whole word": not preceded or followed by a letter, digit or underscore, so "Chen" is found in
"David Chen" and in "chen-update.csv", never in "Chenoweth".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from clientbase import access
from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts import selectors
from clientbase.contacts.models import DERIVED_FIELDS, NOTIFY_CATEGORIES, ROLES, Contact
from clientbase.errors import Forbidden
from clientbase.phones import phone_search_digits
from clientbase.versions import lock

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

# Mentions (see the module's docstring): shorter e-mail addresses and full names are not looked
# for, nor shorter first or last names on their own: they would match unrelated words.
MIN_MENTION = 3
MIN_NAME_PART = 4
MIN_PHONE_DIGITS = 6
MENTION_FIELDS = ("email", "first_name", "last_name", "phone", "mobile", "secondary_phone")
# What an erased contact holds: never looked for (erasing twice leaves every row as it is).
ERASED_WORDS = frozenset(
    word.lower() for word in (ERASED_LAST_NAME, ERASED_NAME, ERASED_TEXT, ERASED_ADDRESS)
)
# What may stand between two digits of a phone number written in a text. The same bracket
# expression is read alike by Python, PostgreSQL and SQLite (whose REGEXP is Python's).
_PHONE_GAP = "[- ()./]{0,3}"


def _words(values: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern that finds any of `values` as a whole word; None for none.
    The longest come first, so "David Chen" is replaced whole rather than "David" in it."""
    alternatives = sorted(set(values), key=lambda value: (-len(value), value))
    if not alternatives:
        return None
    body = "|".join(alternatives)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)", re.IGNORECASE)


def _stored_forms(value: str) -> set[str]:
    """How `value` may appear in a column's stored text: as written, and escaped the way JSON
    writes it (SQLite keeps JSON with non-ASCII characters escaped), in its case and in upper and
    lower case (a database compares non-ASCII letters case-sensitively)."""
    forms: set[str] = set()
    # Both databases compare ASCII letters ignoring case (`icontains`): one case is enough there.
    for variant in (value,) if value.isascii() else (value, value.lower(), value.upper()):
        forms.add(variant)
        forms.add(json.dumps(variant)[1:-1])
    return forms


@dataclass(frozen=True)
class Mentions:
    """How a person is named in rows that are not its own (see the module's docstring for the
    rule): `exact` texts (e-mail addresses, full names), `names` (first and last names on their
    own) and `phones` (the digits of each phone number, internationally and nationally written).

    `names=False` leaves the names on their own out, for structured values of other people (the
    values an import kept of another contact), where a colleague's first name is no mention.
    `extra` adds texts found like the exact ones (the external IDs of an import's errors)."""

    exact: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.exact or self.names or self.phones)

    @cached_property
    def _phone_alternatives(self) -> list[str]:
        return [_PHONE_GAP.join(digits) for digits in sorted(set(self.phones), key=len, reverse=True)]

    def texts(self, *, names: bool = True, extra: Iterable[str] = ()) -> list[str]:
        """The texts looked for (phones aside)."""
        return [*self.exact, *(self.names if names else ()), *extra]

    def pattern(self, *, names: bool = True, extra: Iterable[str] = ()) -> re.Pattern[str] | None:
        """One case-insensitive pattern that finds any mention; None when there is none."""
        alternatives = [re.escape(text) for text in self.texts(names=names, extra=extra)]
        # An international number is found with its "+", a national one with its "(".
        alternatives += [rf"\+?\(?{alternative}" for alternative in self._phone_alternatives]
        return _words(alternatives)

    def scrub(
        self,
        value: Any,
        *,
        names: bool = True,
        extra: Iterable[str] = (),
        keep: Callable[[Any], bool] | None = None,
    ) -> Any:
        """`value` (a text, or JSON data: its texts, recursively; not its keys) with every mention
        replaced by "[erased]"; a part of it for which `keep` holds stays as it is."""
        return _replace(value, self.pattern(names=names, extra=extra), keep)

    def candidates(self, column: str, *, names: bool = True, extra: Iterable[str] = ()) -> Q:
        """The rows whose `column` (a text column, or a JSON column cast to text) may hold a
        mention: a cut in the database (a text contained, ignoring case; a phone's digits with
        what may stand between them), which `scrub` then checks in Python. No row for none."""
        condition = Q(pk__in=[])
        for text in self.texts(names=names, extra=extra):
            for form in _stored_forms(text):
                condition |= Q(**{f"{column}__icontains": form})
        if self._phone_alternatives:
            phones = "|".join(f"(?:{alternative})" for alternative in self._phone_alternatives)
            condition |= Q(**{f"{column}__regex": phones})
        return condition


def _replace(value: Any, pattern: re.Pattern[str] | None, keep: Callable[[Any], bool] | None) -> Any:
    if pattern is None or (keep is not None and keep(value)):
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED_TEXT, value)
    if isinstance(value, list):
        return [_replace(item, pattern, keep) for item in value]
    if isinstance(value, dict):
        return {
            key: item if key in CODE_WRITTEN_KEYS else _replace(item, pattern, keep)
            for key, item in value.items()
        }
    return value


# Keys of JSON details whose values the code writes from a fixed vocabulary (an HTTP method, a
# surface, an export's format), never a person's text: left as they are, so that erasing a person
# named "Post" or "Kind" does not blank them everywhere.
CODE_WRITTEN_KEYS = frozenset({"method", "surface", "via", "kind", "format"})


def mentions_in(rows: Iterable[Mapping[str, Any]]) -> Mentions:
    """The mentions of a person whose values (now and before) are `rows`: mappings holding any of
    MENTION_FIELDS (phones in E.164). Values shorter than the rule's minimums, and the values of
    an erased contact, are left out."""
    exact: set[str] = set()
    names: set[str] = set()
    phones: set[str] = set()
    for row in rows:
        first = str(row.get("first_name") or "").strip()
        last = str(row.get("last_name") or "").strip()
        exact.update({str(row.get("email") or "").strip(), f"{first} {last}".strip()})
        names.update({first, last})
        for name in ("phone", "mobile", "secondary_phone"):
            digits = phone_search_digits(str(row.get(name) or "").strip()).split()
            phones.update(number for number in digits if len(number) >= MIN_PHONE_DIGITS)

    def kept(values: set[str], shortest: int) -> tuple[str, ...]:
        return tuple(sorted(v for v in values if len(v) >= shortest and v.lower() not in ERASED_WORDS))

    exact_kept = kept(exact, MIN_MENTION)
    lowered = {value.lower() for value in exact_kept}
    return Mentions(
        exact=exact_kept,
        names=tuple(name for name in kept(names, MIN_NAME_PART) if name.lower() not in lowered),
        phones=tuple(sorted(phones)),
    )


def mentions_of(contact: Contact, extra_rows: Iterable[Mapping[str, Any]] = ()) -> Mentions:
    """How `contact` is named in rows that are not its own: its values now and in every history
    row of it, and `extra_rows` (values kept of it elsewhere, e.g. by imports). Call before the
    contact is erased."""
    rows: list[Mapping[str, Any]] = [{name: getattr(contact, name) for name in MENTION_FIELDS}]
    rows.extend(Contact.history.filter(id=contact.pk).values(*MENTION_FIELDS).distinct())
    rows.extend(extra_rows)
    return mentions_in(rows)


def customers_of(contact: Contact) -> list[int]:
    """The customers `contact` belongs or belonged to (a contact may have moved): the person's
    data appears in their records only."""
    ids = set(
        Contact.history.filter(id=contact.pk, customer_id__isnull=False).values_list("customer_id", flat=True)
    )
    if contact.customer_id is not None:
        ids.add(contact.customer_id)
    return sorted(ids)


def scrub_rows(
    queryset: QuerySet[Any],
    fields: Sequence[str],
    mentions: Mentions,
    *,
    keep: Callable[[Any], bool] | None = None,
) -> int:
    """Replace every mention of the person in `fields` (text and JSON columns) of the rows of
    `queryset` by "[erased]" (`Mentions.scrub`, with `keep`), in the caller's transaction. Only
    the rows `Mentions.candidates` finds are read; each one changed is written by one UPDATE
    through the model's default manager, so a versioned row's version goes up
    (`clientbase.versions`). A text longer than its column after the replacement is cut to fit.
    Answers the number of rows rewritten."""
    if not mentions:
        return 0
    model = queryset.model
    condition = Q(pk__in=[])
    aliases: dict[str, Any] = {}
    limits: dict[str, int | None] = {}
    for name in fields:
        field = model._meta.get_field(name)
        column = name
        if isinstance(field, models.JSONField):
            column = f"{name}_scrub_text"
            aliases[column] = Cast(name, TextField())
        condition |= mentions.candidates(column)
        limits[name] = getattr(field, "max_length", None) if isinstance(field, models.CharField) else None
    rows = 0
    for row in list(queryset.alias(**aliases).filter(condition).only("pk", *fields)):
        changes: dict[str, Any] = {}
        for name in fields:
            value = getattr(row, name)
            scrubbed = mentions.scrub(value, keep=keep)
            limit = limits[name]
            if isinstance(scrubbed, str) and limit is not None:
                scrubbed = scrubbed[:limit]
            if scrubbed != value:
                changes[name] = scrubbed
        if changes:
            rows += model._default_manager.filter(pk=row.pk).update(**changes)
    return rows


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


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def contact_record(contact: Contact) -> dict[str, Any]:
    """The contact's own row as JSON-serialisable data: every field, locations, roles, notify
    and portal settings (no login secrets)."""
    record: dict[str, Any] = {}
    for model_field in Contact._meta.concrete_fields:
        if model_field.name in DERIVED_FIELDS:
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
        access.is_staff(user)
        and access.allowed(user, access.VIEW, contact)
        and access.allowed(user, access.CHANGE, contact)
        and user.has_perm(access.MAINTAIN_CUSTOMER_CONTACTS)
    )


def may_erase(user: Any, contact: Contact) -> bool:
    """Whether `user` may erase `contact` (see `erase`)."""
    return bool(access.is_staff(user) and access.allowed(user, access.DELETE, contact))


def personal_data(acting_user: Any, contact: Contact) -> dict[str, Any]:
    """Everything held about `contact`, as JSON-serialisable data: `{"contact": {...},
    "history": [...], <each registered source's key>: ...}` (messages with secret links masked,
    activities, work orders and quotes, portal login facts, what imports kept; never a password
    hash or token).

    Staff only who may change contacts and maintain customer-level contacts (Forbidden
    otherwise, portal users always); `contact` must be one the caller may see (callers fetch it
    through `access.fetch`, NotFound). Records `audit.events.PERSONAL_DATA`."""
    if not access.is_staff(acting_user):
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


def _erase_logs(contact: Contact, old: list[str], login: Any, mentions: Mentions) -> int:
    """The names the audit log and the admin's log keep of the contact, its login and its
    address become neutral (the events themselves stay; their details lose the old values). In
    the details of every other event (an export's filters, an import's file name, whoever
    recorded it) each mention of the person becomes "[erased]" (`scrub_rows`)."""

    object_key = f"{Contact._meta.label_lower}:{contact.pk}"
    rows = scrub_rows(AuditEvent.objects.all(), ["detail"], mentions)
    needles = [text.lower() for text in old if len(text) > 2]
    about = Q(object=object_key) | (Q(user=login) if login is not None else Q(pk__in=[]))
    for event in AuditEvent.objects.filter(about).only("pk", "detail"):
        scrubbed = _scrub(event.detail, needles)
        if scrubbed != event.detail:
            AuditEvent.objects.filter(pk=event.pk).update(detail=scrubbed)
    rows += AuditEvent.objects.filter(object=object_key).update(object_repr=ERASED_NAME)
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
    work orders and quotes, the portal login, the values and errors imports kept) and takes the
    person's mentions (`mentions_of`) out of the free text of its customers' other rows (work
    orders and their history, mails to other recipients, activities); the audit log's details
    keep no mention of it either. Every versioned row changed (the contact, work orders, quotes)
    gets a new version, so a write naming an older one (If-Match, a stale form) is refused.
    Erasing twice is harmless.

    Staff with the delete permission on contacts only (Forbidden otherwise, portal users
    always). Records `audit.events.ERASURE` with the counts of rows rewritten. Answers the
    erased contact."""
    if not access.is_staff(acting_user):
        raise Forbidden("Only staff may erase a person's personal data.")
    access.require(acting_user, access.DELETE, contact)
    contact = lock(contact)
    old = [contact.email, contact.full_name, contact.first_name, contact.last_name]
    mentions = mentions_of(contact)
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
    counts["logs"] = _erase_logs(contact, old, login, mentions)
    events.record(events.ERASURE, user=acting_user, object=contact, detail={"rows": counts})
    return contact


__all__ = [
    "ERASED_ADDRESS",
    "ERASED_NAME",
    "ERASED_TEXT",
    "ROLES",
    "Mentions",
    "PrivacySource",
    "contact_record",
    "customers_of",
    "erase",
    "may_erase",
    "may_read_personal_data",
    "mentions_in",
    "mentions_of",
    "personal_data",
    "register_source",
    "scrub_rows",
]
