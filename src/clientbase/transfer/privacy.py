"""The imports' part of a person's personal data: what past imports keep about a contact.
Registered with `clientbase.contacts.privacy` from the app's ready().

A committed import keeps, for every object it wrote, the values that object had before
(`ImportRunItem.before`, in API form, for a revert), the first errors of its report
(`ImportRun.errors`, whose messages may quote a cell: "The e-mail ... appears in more than one
row") and the file's name (`ImportRun.filename`, also in the `data.import` audit event). The
uploaded file and its rows are not kept: a file waits in `var/uploads/` only between the preview
and the commit of the staff pages (at most a day) and is deleted by either.

An import names a person where
- an item of a contact import is about the contact (`object_id`): all its kept values;
- any other kept value, error message or file name quotes one of the person's e-mail addresses,
  phone numbers (E.164) or full names ("first last"), present or past (from the contact's
  history and from the values the imports kept), as a whole word, ignoring case;
- an error of the `external_id` column quotes one of its external_ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import (
    ERASED_ADDRESS,
    ERASED_LAST_NAME,
    ERASED_NAME,
    ERASED_TEXT,
    ERASED_VALUES,
    PrivacySource,
)
from clientbase.transfer.models import ImportRun, ImportRunItem

# Shorter values are not looked for in other rows: they would match unrelated words.
MIN_NEEDLE = 3
QUOTED_FIELDS = ("email", "phone", "mobile", "secondary_phone")
NAME_FIELDS = ("first_name", "last_name")
# What an erased contact holds: never looked for (erasing twice leaves the rows as they are).
ERASED_WORDS = frozenset(
    word.lower() for word in (ERASED_LAST_NAME, ERASED_NAME, ERASED_TEXT, ERASED_ADDRESS)
)


@dataclass(frozen=True)
class Needles:
    """The texts that name the person in other rows: `quoted` (e-mail addresses, phone numbers,
    full names) anywhere, `external_ids` in errors of the external_id column only."""

    quoted: tuple[str, ...]
    external_ids: tuple[str, ...]

    def pattern(self, *, external_ids: bool = False) -> re.Pattern[str] | None:
        """One case-insensitive pattern that finds any of them as a whole word; None for none."""
        values = [*self.quoted, *(self.external_ids if external_ids else ())]
        if not values:
            return None
        alternatives = "|".join(re.escape(value) for value in sorted(set(values), key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _own_items(contact: Contact) -> QuerySet[ImportRunItem]:
    return ImportRunItem.objects.filter(run__kind=ImportRun.Kind.CONTACTS, object_id=contact.pk)


def _values(rows: Iterable[dict[str, Any]]) -> tuple[set[str], set[str]]:
    """The quoted values and external_ids of `rows` ({field: value} mappings)."""
    quoted: set[str] = set()
    external_ids: set[str] = set()
    for row in rows:
        quoted.update(str(row.get(name) or "").strip() for name in QUOTED_FIELDS)
        quoted.add(" ".join(str(row.get(name) or "").strip() for name in NAME_FIELDS).strip())
        external_ids.add(str(row.get("external_id") or "").strip())
    return quoted, external_ids


def needles(contact: Contact) -> Needles:
    """What names `contact` in rows that are not its own: its values now, in its history and in
    the values imports kept of it."""
    fields = (*QUOTED_FIELDS, *NAME_FIELDS, "external_id")
    rows: list[dict[str, Any]] = [{name: getattr(contact, name) for name in fields}]
    rows.extend(Contact.history.filter(id=contact.pk).values(*fields).distinct())
    rows.extend(before for before in _own_items(contact).values_list("before", flat=True) if before)
    quoted, external_ids = _values(rows)

    def kept(values: set[str]) -> tuple[str, ...]:
        return tuple(sorted(v for v in values if len(v) >= MIN_NEEDLE and v.lower() not in ERASED_WORDS))

    return Needles(quoted=kept(quoted), external_ids=kept(external_ids))


def _stored_forms(value: str) -> set[str]:
    """How `value` may appear in a column's stored text: as written, and escaped the way JSON
    writes it (SQLite keeps JSON with non-ASCII characters escaped), in its case and in upper and
    lower case (a database compares non-ASCII letters case-sensitively)."""
    forms: set[str] = set()
    for variant in (value, value.lower(), value.upper()):
        forms.add(variant)
        forms.add(json.dumps(variant)[1:-1])
    return forms


def _mentioning(column: str, values: Iterable[str]) -> Q:
    """Rows whose `column` (text) contains one of `values`: a cheap first cut, checked in Python."""
    condition = Q(pk__in=[])
    for value in values:
        for form in _stored_forms(value):
            condition |= Q(**{f"{column}__icontains": form})
    return condition


def _rewrite(value: Any, pattern: re.Pattern[str] | None) -> Any:
    """`value` (JSON data) with every quote of the person in its texts replaced by "[erased]"."""
    if pattern is None:
        return value
    if isinstance(value, str):
        return pattern.sub(ERASED_TEXT, value)
    if isinstance(value, list):
        return [_rewrite(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _rewrite(item, pattern) for key, item in value.items()}
    return value


def _rewrite_errors(errors: Any, found: Needles) -> Any:
    """A run's stored errors with the person's values taken out of their messages."""
    if not isinstance(errors, list):
        return errors
    quoted, with_ids = found.pattern(), found.pattern(external_ids=True)
    return [
        {
            **error,
            "message": _rewrite(
                error.get("message", ""), with_ids if error.get("field") == "external_id" else quoted
            ),
        }
        if isinstance(error, dict)
        else _rewrite(error, quoted)
        for error in errors
    ]


def _erase_before(before: Any, pattern: re.Pattern[str] | None) -> Any:
    """The kept values of the contact itself: its personal fields take their erased values, the
    rest (ids, flags, roles) stays, any quote of the person in it replaced."""
    if not isinstance(before, dict):
        return _rewrite(before, pattern)
    return {
        key: ERASED_VALUES[key] if key in ERASED_VALUES else _rewrite(value, pattern)
        for key, value in before.items()
    }


@dataclass
class Holdings:
    """What the imports hold about one person: the items of the contact itself, the other items
    that quote it, and the runs whose errors or file name quote it."""

    needles: Needles
    own: list[ImportRunItem]
    others: list[ImportRunItem]
    runs: list[ImportRun]


def holdings(contact: Contact) -> Holdings:
    """Find every row of the transfer models that names `contact` (see the module's docstring)."""
    found = needles(contact)
    own = list(_own_items(contact).select_related("run").order_by("run_id", "pk"))
    quoted = found.pattern()
    others: list[ImportRunItem] = []
    runs: list[ImportRun] = []
    if quoted is not None:
        candidates = (
            ImportRunItem.objects.exclude(pk__in=[item.pk for item in own])
            .annotate(before_text=Cast("before", TextField()))
            .filter(_mentioning("before_text", found.quoted))
            .select_related("run")
            .order_by("run_id", "pk")
        )
        others = [item for item in candidates if _rewrite(item.before, quoted) != item.before]
    if found.quoted or found.external_ids:
        values = [*found.quoted, *found.external_ids]
        candidate_runs = (
            ImportRun.objects.annotate(errors_text=Cast("errors", TextField()))
            .filter(_mentioning("errors_text", values) | _mentioning("filename", found.quoted))
            .order_by("pk")
        )
        runs = [
            run
            for run in candidate_runs
            if _rewrite_errors(run.errors, found) != run.errors
            or _rewrite(run.filename, quoted) != run.filename
        ]
    return Holdings(needles=found, own=own, others=others, runs=runs)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def collect(contact: Contact, viewer: Any) -> dict[str, Any]:
    """{"runs": [...]}: each import that names the contact, oldest first, with its id, kind, file
    name, start and status, its `items` about the person (`row`, `action` created|updated,
    `object` "kind:id", `before`: the values kept for a revert) and its `errors` that quote the
    person (`row`, `field`, `message`)."""
    found = holdings(contact)
    quoted = found.needles.pattern()
    runs: dict[int, dict[str, Any]] = {}

    def entry(run: ImportRun) -> dict[str, Any]:
        if run.pk not in runs:
            runs[run.pk] = {
                "id": run.pk,
                "kind": run.kind,
                "filename": run.filename,
                "started_at": _iso(run.started_at),
                "status": run.status,
                "items": [],
                "errors": [],
            }
        return runs[run.pk]

    for item in [*found.own, *found.others]:
        entry(item.run)["items"].append(
            {
                "row": item.row,
                "action": item.action,
                "object": f"{item.run.kind}:{item.object_id}",
                "before": item.before,
            }
        )
    with_ids = found.needles.pattern(external_ids=True)
    for run in found.runs:
        kept = entry(run)
        for error in run.errors if isinstance(run.errors, list) else []:
            if not isinstance(error, dict):
                continue
            pattern = with_ids if error.get("field") == "external_id" else quoted
            message = error.get("message", "")
            if _rewrite(message, pattern) != message:
                kept["errors"].append(
                    {"row": error.get("row"), "field": error.get("field"), "message": message}
                )
    return {"runs": [runs[pk] for pk in sorted(runs)]}


def erase(contact: Contact, acting_user: Any) -> int:
    """Take the person out of every import that names it: the contact's own kept values get the
    erased values of `clientbase.contacts.privacy.ERASED_VALUES` (an import so rewritten can no
    longer be reverted: the erasure is a newer change of the contact, and a revert refuses that),
    every other quote of it (kept values, error messages, file names, also in the imports' audit
    events and the run names they keep) becomes "[erased]". None of these models carries a
    version. Answers the number of rows rewritten."""
    found = holdings(contact)
    quoted = found.needles.pattern()
    rows = 0
    for item in found.own:
        erased = _erase_before(item.before, quoted)
        if erased != item.before:
            rows += ImportRunItem.objects.filter(pk=item.pk).update(before=erased)
    for item in found.others:
        rows += ImportRunItem.objects.filter(pk=item.pk).update(before=_rewrite(item.before, quoted))
    for run in found.runs:
        rows += ImportRun.objects.filter(pk=run.pk).update(
            errors=_rewrite_errors(run.errors, found.needles), filename=_rewrite(run.filename, quoted)
        )
    if found.needles.quoted:
        # The audit log's events of imports: the file's name in their detail and, for a committed
        # import, in the name of the run they were recorded with.
        imports = (
            AuditEvent.objects.filter(Q(type=events.IMPORT) | Q(object__startswith="transfer.importrun:"))
            .annotate(detail_text=Cast("detail", TextField()))
            .filter(
                _mentioning("detail_text", found.needles.quoted)
                | _mentioning("object_repr", found.needles.quoted)
            )
        )
        for event in imports.only("pk", "detail", "object_repr"):
            detail, name = _rewrite(event.detail, quoted), _rewrite(event.object_repr, quoted)
            if (detail, name) != (event.detail, event.object_repr):
                rows += AuditEvent.objects.filter(pk=event.pk).update(detail=detail, object_repr=name)
    return rows


SOURCE = PrivacySource(key="imports", collect=collect, erase=erase)
