"""The imports' part of a person's personal data: what past imports keep about a contact.
Registered with `clientbase.contacts.privacy` from the app's ready().

A committed import keeps, for every object it wrote, the values that object had before
(`ImportRunItem.before`, in API form, for a revert), the first errors of its report
(`ImportRun.errors`, whose messages may quote a cell: "The e-mail ... appears in more than one
row") and the file's name (`ImportRun.filename`, also in the `data.import` audit event). The
uploaded file and its rows are not kept: a file waits in `var/uploads/` only between the preview
and the commit of the staff pages (at most a day) and is deleted by either; an erasure deletes
every file still waiting (`discard_pending_uploads`).

An import names a person where
- an item of a contact import is about the contact (`object_id`): all its kept values;
- an error message or a file name mentions the person (`clientbase.contacts.privacy.Mentions`:
  its e-mail addresses, full names, first and last names on their own when long enough, phone
  numbers in any format), present or past (from the contact's history and from the values the
  imports kept), as a whole word, ignoring case;
- a value kept of another object quotes one of those e-mail addresses, full names or phone
  numbers (not a first or last name on its own: a colleague named alike is no mention);
- an error of the `external_id` column quotes one of its external_ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from clientbase.audit import events
from clientbase.audit.models import AuditEvent
from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import (
    ERASED_VALUES,
    ERASED_WORDS,
    MIN_MENTION,
    Mentions,
    PrivacySource,
    mentions_of,
)
from clientbase.transfer.models import ImportRun, ImportRunItem
from clientbase.transfer.views import uploads_dir


@dataclass(frozen=True)
class Needles:
    """What names the person in rows that are not its own: its `mentions`
    (`clientbase.contacts.privacy.Mentions`) anywhere, its `external_ids` in errors of the
    external_id column only."""

    mentions: Mentions
    external_ids: tuple[str, ...]

    def scrub(self, value: Any, *, names: bool = True, external_ids: bool = False) -> Any:
        """`value` (JSON data) with every mention of the person replaced by "[erased]"."""
        return self.mentions.scrub(value, names=names, extra=self.external_ids if external_ids else ())


def _own_items(contact: Contact) -> QuerySet[ImportRunItem]:
    return ImportRunItem.objects.filter(run__kind=ImportRun.Kind.CONTACTS, object_id=contact.pk)


def needles(contact: Contact) -> Needles:
    """What names `contact` in rows that are not its own: its values now, in its history and in
    the values imports kept of it."""
    befores = [before for before in _own_items(contact).values_list("before", flat=True) if before]
    kept = [before for before in befores if isinstance(before, dict)]
    external_ids = {str(contact.external_id or "").strip()}
    external_ids.update(
        str(value or "").strip()
        for value in Contact.history.filter(id=contact.pk).values_list("external_id", flat=True).distinct()
    )
    external_ids.update(str(before.get("external_id") or "").strip() for before in kept)
    return Needles(
        mentions=mentions_of(contact, kept),
        external_ids=tuple(
            sorted(v for v in external_ids if len(v) >= MIN_MENTION and v.lower() not in ERASED_WORDS)
        ),
    )


def _rewrite_errors(errors: Any, found: Needles) -> Any:
    """A run's stored errors with the person's values taken out of their messages."""
    if not isinstance(errors, list):
        return errors
    return [
        {
            **error,
            "message": found.scrub(
                error.get("message", ""), external_ids=error.get("field") == "external_id"
            ),
        }
        if isinstance(error, dict)
        else found.scrub(error)
        for error in errors
    ]


def _erase_before(before: Any, found: Needles) -> Any:
    """The kept values of the contact itself: its personal fields take their erased values, the
    rest (ids, flags, roles) stays, any mention of the person in it replaced."""
    if not isinstance(before, dict):
        return found.scrub(before)
    return {
        key: ERASED_VALUES[key] if key in ERASED_VALUES else found.scrub(value)
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


def _quoting(found: Needles, values: Iterable[Any]) -> bool:
    return any(found.scrub(value) != value for value in values)


def holdings(contact: Contact) -> Holdings:
    """Find every row of the transfer models that names `contact` (see the module's docstring).
    The values kept of other objects are structured (a colleague's own first name is no mention
    of the person): there only e-mail addresses, full names and phone numbers count."""
    found = needles(contact)
    own = list(_own_items(contact).select_related("run").order_by("run_id", "pk"))
    others: list[ImportRunItem] = []
    runs: list[ImportRun] = []
    mentions = found.mentions
    if mentions:
        candidates = (
            ImportRunItem.objects.exclude(pk__in=[item.pk for item in own])
            .annotate(before_text=Cast("before", TextField()))
            .filter(mentions.candidates("before_text", names=False))
            .select_related("run")
            .order_by("run_id", "pk")
        )
        others = [item for item in candidates if found.scrub(item.before, names=False) != item.before]
    if mentions or found.external_ids:
        candidate_runs = (
            ImportRun.objects.annotate(errors_text=Cast("errors", TextField()))
            .filter(
                mentions.candidates("errors_text", extra=found.external_ids) | mentions.candidates("filename")
            )
            .order_by("pk")
        )
        runs = [
            run
            for run in candidate_runs
            if _rewrite_errors(run.errors, found) != run.errors or _quoting(found, [run.filename])
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
    for run in found.runs:
        kept = entry(run)
        for error in run.errors if isinstance(run.errors, list) else []:
            if not isinstance(error, dict):
                continue
            message = error.get("message", "")
            if found.needles.scrub(message, external_ids=error.get("field") == "external_id") != message:
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
    held = holdings(contact)
    found = held.needles
    rows = 0
    for item in held.own:
        erased = _erase_before(item.before, found)
        if erased != item.before:
            rows += ImportRunItem.objects.filter(pk=item.pk).update(before=erased)
    for item in held.others:
        rows += ImportRunItem.objects.filter(pk=item.pk).update(before=found.scrub(item.before, names=False))
    for run in held.runs:
        rows += ImportRun.objects.filter(pk=run.pk).update(
            errors=_rewrite_errors(run.errors, found),
            filename=found.scrub(run.filename)[: ImportRun._meta.get_field("filename").max_length],
        )
    mentions = found.mentions
    if mentions:
        # The audit log's events of imports: the file's name in their detail and, for a committed
        # import, in the name of the run they were recorded with.
        imports = (
            AuditEvent.objects.filter(Q(type=events.IMPORT) | Q(object__startswith="transfer.importrun:"))
            .annotate(detail_text=Cast("detail", TextField()))
            .filter(mentions.candidates("detail_text") | mentions.candidates("object_repr"))
        )
        for event in imports.only("pk", "detail", "object_repr"):
            detail = found.scrub(event.detail)
            name = found.scrub(event.object_repr)[: AuditEvent._meta.get_field("object_repr").max_length]
            if (detail, name) != (event.detail, event.object_repr):
                rows += AuditEvent.objects.filter(pk=event.pk).update(detail=detail, object_repr=name)
    return rows + discard_pending_uploads()


def discard_pending_uploads() -> int:
    """Remove every uploaded file still waiting between an import's preview and its commit
    (`var/uploads/`, kept a day at most): a file's content (an XLSX is compressed) cannot be
    searched for the erased person, so none is kept. Its preview then says the upload is gone and
    asks for the file again. Answers how many files were removed."""
    removed = 0
    for path in uploads_dir().glob("import-*"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


SOURCE = PrivacySource(key="imports", collect=collect, erase=erase)
