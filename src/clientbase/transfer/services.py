"""Every write of an import: `import_file` (a dry run or a commit) and `revert_import`.

An import reads the file twice and never holds it in memory. The first pass reads every row, so a
file we cannot read is refused before anything is written, counts the rows for the progress bar,
and finds conflicts inside the file. The second pass handles the rows one by one: the row becomes
an API body, the body goes through the kind's API serializer and then its service, exactly as a
`POST` or `PATCH` would; the service says whether the row changed anything (`writes.changes_of`:
it compares values as it stores them), and a row that changes nothing writes nothing.

A dry run does all of this inside one transaction that is rolled back at the end (each row in a
savepoint, so a refused row does not disturb the others): its figures are those the commit gives.
A commit writes the rows in chunks, each chunk one transaction, and records who imported what in an
`ImportRun`, with the earlier values of what it changed so that the run can be reverted. A commit
interrupted half-way can simply be run again: the rows already written now match the stored objects
and are reported as unchanged.

Contacts (other than for the preview, `details`) go a chunk at a time instead (`bulk.py`): the rows
of a chunk are matched, read and checked with a fixed number of queries and written together by
`contacts.services.bulk_save_contacts`, with the same rules, figures, errors, history and revert
data; a row only the services can write (one that makes a contact primary, sets locations or portal
access) goes one by one in its place, and a chunk the database refuses goes one by one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any, Protocol

from django.db import IntegrityError, transaction
from django.db.models import Max, Model
from django.utils import timezone

from clientbase import access, text
from clientbase.audit import events
from clientbase.contacts import services as contact_services
from clientbase.contracts import services as contract_services
from clientbase.customers import services as customer_services
from clientbase.errors import (
    Conflict,
    FieldConflict,
    FieldForbidden,
    Forbidden,
    ServiceError,
    ValidationFailed,
    conflict_from_integrity_error,
)
from clientbase.transfer.bulk import ContactChunks
from clientbase.transfer.conflicts import DuplicateFinder
from clientbase.transfer.kinds import KINDS, ContactKind, Kind, RowError, parse_blank
from clientbase.transfer.limits import Limits
from clientbase.transfer.models import ImportRun, ImportRunItem
from clientbase.transfer.readers import Table, formula_errors, is_blank, open_table
from clientbase.versions import lock_rows
from clientbase.writes import changes_of

CHUNK_ROWS = 500
BULK_CHUNK_ROWS = 2000  # contacts, written a chunk at a time (`bulk.py`)
PREVIEW_ROWS = 1000
STORED_ERRORS = 200
WHOLE_ROW = ""  # the `field` of an error that concerns the whole row (permission, conflict)

DELETE_SERVICES = {
    "contacts": lambda obj, user: contact_services.delete_contact(contact=obj, acting_user=user),
    "customers": lambda obj, user: customer_services.delete_customer(customer=obj, acting_user=user),
    "locations": lambda obj, user: customer_services.delete_location(location=obj, acting_user=user),
    "contracts": lambda obj, user: contract_services.delete_contract(contract=obj, acting_user=user),
}


class Progress(Protocol):
    """Told the number of rows once the file is checked, then each row handled."""

    def start(self, total: int) -> None: ...

    def advance(self, rows: int = 1) -> None: ...


@dataclass
class ImportReport:
    """The report of API.md "Import report"; `run` is the recorded run of a commit."""

    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    run: ImportRun | None = None
    # With `details`: what each created or updated row does, field by field (for the preview page).
    changes: list[dict[str, Any]] | None = None

    def add_errors(self, row: int, errors: list[tuple[str, str]]) -> None:
        self.errors.extend({"row": row, "field": name, "message": message} for name, message in errors)

    def add_change(self, row: int, label: str, before: dict[str, str] | None, after: dict[str, str]) -> None:
        """`before` is None for a created object. Listed: for an update every column whose value
        changes (`cleared` when it becomes empty), for a new object every column with a value."""
        if self.changes is None or len(self.changes) >= PREVIEW_ROWS:
            return
        if before is None:
            fields = [
                {"field": c, "old": "", "new": v, "cleared": False}
                for c, v in after.items()
                if v not in ("", "false")
            ]
        else:
            fields = [
                {
                    "field": c,
                    "old": before.get(c, ""),
                    "new": v,
                    "cleared": v == "" and before.get(c, "") != "",
                }
                for c, v in after.items()
                if before.get(c) != v
            ]
        action = "create" if before is None else "update"
        self.changes.append({"row": row, "action": action, "label": label, "fields": fields})

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


def kind_for(name: str) -> type[Kind]:
    try:
        return KINDS[name]
    except KeyError:
        raise ValidationFailed({"kind": [f"What to import: {', '.join(KINDS)}."]}) from None


def import_file(
    *,
    acting_user: Any,
    kind: str,
    file: IO[bytes],
    dry_run: bool,
    match: str | list[str] | None = None,
    blank: str | None = None,
    mapping: Any = None,
    filename: str = "",
    progress: Progress | None = None,
    chunk_rows: int | None = None,
    details: bool = False,
    limits: Limits | None = None,
    ip: str | None = None,
) -> ImportReport:
    """Import `file` (CSV or XLSX) as `kind`, as `acting_user`. `blank`: "keep" (the default: a
    blank cell leaves the stored value) or "clear"; `mapping`: {file column: column, or "" to ignore
    it} for headers not recognised (`columns.py`). Refuses the whole file (ValidationFailed on
    `file`, `kind`, `match`, `blank` or `mapping`; Forbidden) when it cannot be read, has unknown
    columns, exceeds `limits` (by default those of uploads through the web; `limits.py`) or the user
    may not import this kind; otherwise reports per row, every error of a row at once. With
    `details`, the report also lists what each created or updated row does (the preview of the
    staff pages). Each import read to its
    end, dry run or not, is recorded in the audit log with its counts (`ip`: the client's address)."""
    kind_class = kind_for(kind)
    keys = kind_class.parse_match(match)
    clear_blanks = parse_blank(blank)
    model = kind_class.model
    may_write = access.can(acting_user, access.ADD, model) or access.can(acting_user, access.CHANGE, model)
    if not (may_write and access.can(acting_user, access.VIEW, model)):  # rows name stored objects
        raise Forbidden(f"You may not import {model._meta.verbose_name_plural}.")
    table = open_table(file, limits)
    names = kind_class.check_columns(table.header, mapping)
    spec = kind_class(acting_user, clear_blanks=clear_blanks)
    total, conflicts = _check_file(spec, table, names)
    if progress is not None:
        progress.start(total)
    report = ImportReport(dry_run=dry_run, changes=[] if details else None)

    def import_row(number: int, row: Mapping[str, str], items: list[ImportRunItem] | None) -> None:
        _import_row(spec, keys, number, row, conflicts, report, items)

    def advance() -> None:
        if progress is not None:
            progress.advance()

    # Contacts go a chunk at a time (`bulk.py`); the preview shows each row as the services answer it.
    chunks = (
        ContactChunks(spec, keys, conflicts, report, import_row, advance)
        if isinstance(spec, ContactKind) and not details
        else None
    )
    if chunk_rows is None:
        chunk_rows = BULK_CHUNK_ROWS if chunks is not None else CHUNK_ROWS
    if dry_run:
        with transaction.atomic():
            rows = _rows(table, names)
            while chunk := list(islice(rows, chunk_rows)):
                if chunks is not None:
                    chunks.import_chunk(chunk, None)
                    continue
                for number, row in chunk:
                    import_row(number, row, None)
                    advance()
            transaction.set_rollback(True)
        _audit_import(acting_user, kind, filename, report, ip)
        return report

    run = ImportRun.objects.create(
        kind=kind, filename=text.scrub(filename)[:255], user=acting_user, match=list(keys)
    )
    report.run = run
    rows = _rows(table, names)
    while chunk := list(islice(rows, chunk_rows)):
        with transaction.atomic():
            items: list[ImportRunItem] = []
            if chunks is not None:
                chunks.import_chunk(chunk, items)
            else:
                for number, row in chunk:
                    import_row(number, row, items)
                    advance()
            # Each object's newest history record once the chunk is written: a newer one later
            # means it changed since (a revert refuses then).
            stamps = _latest_history(model, [item.object_id for item in items])
            for item in items:
                item.run = run
                item.history_id = stamps.get(item.object_id)
            ImportRunItem.objects.bulk_create(items)
            _record_figures(run, report)
    run.status = ImportRun.Status.APPLIED
    run.finished_at = timezone.now()
    _record_figures(run, report)
    _audit_import(acting_user, kind, filename, report, ip)
    return report


def _audit_import(acting_user: Any, kind: str, filename: str, report: ImportReport, ip: str | None) -> None:
    events.record(
        events.IMPORT,
        user=acting_user,
        ip=ip,
        object=report.run,
        detail={
            "kind": kind,
            "filename": text.scrub(filename)[:255],
            "dry_run": report.dry_run,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "errors": len(report.errors),
        },
    )


def _rows(table: Table, names: list[str | None]) -> Iterator[tuple[int, dict[str, str]]]:
    """The rows that are not blank, each as {column: cell}; `names` says which column each cell
    is in (None: an ignored column)."""
    wanted = [(index, name) for index, name in enumerate(names) if name is not None]
    for number, cells in table.records():
        if is_blank(cells):
            continue
        yield number, {name: cells[index] if index < len(cells) else "" for index, name in wanted}


def _check_file(
    spec: Kind, table: Table, names: list[str | None]
) -> tuple[int, dict[int, list[tuple[str, str]]]]:
    """The first pass: every row read (a file we cannot read is refused now), counted, and its
    keys noted; answers the row count and the rows in conflict with other rows."""
    finder = DuplicateFinder()
    try:
        total = 0
        rows = _rows(table, names)
        while batch := list(islice(rows, BULK_CHUNK_ROWS)):
            # The customers the rows name, looked up together (the keys are noted per customer).
            spec.resolver.prefetch_customers(row["customer"] for _, row in batch if "customer" in row)
            for number, row in batch:
                total += 1
                spec.note_keys(finder, number, row)
        return total, finder.conflicts()
    finally:
        finder.close()


def _import_row(
    spec: Kind,
    keys: tuple[str, ...],
    number: int,
    row: Mapping[str, str],
    conflicts: Mapping[int, list[tuple[str, str]]],
    report: ImportReport,
    items: list[ImportRunItem] | None,
) -> None:
    """One row: created, updated, unchanged or refused (its errors reported)."""
    if number in conflicts:
        report.add_errors(number, conflicts[number])
        return
    if unread := formula_errors(row):  # values the file does not hold: nothing of the row is written
        report.add_errors(number, unread)
        return
    try:
        instance = spec.find(row, keys)
    except RowError as error:
        report.add_errors(number, error.errors)
        return
    body, errors = spec.body(row, instance)
    serializer = spec.serializer(instance, body)
    if not serializer.is_valid() or errors:
        # Every error of the row at once: the cells that could not be read, then what the API
        # says of the others (a column already named is not named twice).
        named = {name for name, _ in errors}
        errors += [(name, message) for name, message in field_errors(serializer.errors) if name not in named]
        report.add_errors(number, errors)
        return
    data = serializer.validated_data
    fields = list(data.keys())
    # No transaction of the row's own: the write is one service call, which is one (a savepoint in
    # the chunk's), and what comes before it only reads.
    try:
        effects = spec.side_effects(instance, data) if items is not None else []
        before = {pk: spec.snapshot(other, ["is_primary"]) for pk, other in _objects(spec, effects).items()}
        own_before = spec.snapshot(instance, fields) if instance is not None and items is not None else {}
        shown_before = spec.display(instance) if instance is not None and report.changes is not None else None
        obj = spec.write(instance, data)
        if instance is not None and not changes_of(obj):  # the service compared and wrote nothing
            report.unchanged += 1
            return
        if report.changes is not None:
            report.add_change(number, str(obj), shown_before, spec.display(obj))
        if items is not None:  # a commit: what a revert needs
            action = ImportRunItem.Action.UPDATED if instance is not None else ImportRunItem.Action.CREATED
            items.append(
                ImportRunItem(
                    row=number,
                    action=action,
                    object_id=obj.pk,
                    before=own_before,
                )
            )
            items.extend(
                ImportRunItem(
                    row=number,
                    action=ImportRunItem.Action.UPDATED,
                    object_id=pk,
                    before=before[pk],
                )
                for pk in effects
                if pk in before
            )
    except ServiceError as error:
        report.add_errors(number, service_errors(error))
        return
    except IntegrityError as error:
        report.add_errors(number, [(WHOLE_ROW, conflict_from_integrity_error(error).message)])
        return
    spec.after_write(obj)
    if instance is None:
        report.created += 1
    else:
        report.updated += 1


def _objects(spec: Kind, pks: list[int]) -> dict[int, Model]:
    if not pks:
        return {}
    return {obj.pk: obj for obj in spec.model._default_manager.filter(pk__in=pks)}


def _latest_history(model: type[Model], pks: list[int]) -> dict[int, int]:
    """The newest history record of each object: a newer one later means it changed since."""
    history = model.history  # type: ignore[attr-defined]
    rows = history.filter(id__in=pks).values("id").annotate(latest=Max("history_id"))
    return {row["id"]: row["latest"] for row in rows}


def _record_figures(run: ImportRun, report: ImportReport) -> None:
    run.created, run.updated, run.unchanged = report.created, report.updated, report.unchanged
    run.error_count = len(report.errors)
    run.errors = report.errors[:STORED_ERRORS]
    run.save(
        update_fields=["created", "updated", "unchanged", "error_count", "errors", "status", "finished_at"]
    )


def field_errors(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    """A serializer's nested errors as (column, message): `notify.quotes` becomes `notify_quotes`."""
    found: list[tuple[str, str]] = []
    if isinstance(errors, Mapping):
        for name, value in errors.items():
            if isinstance(name, int) or name == "non_field_errors":
                column = prefix
            else:
                column = f"{prefix}_{name}" if prefix else str(name)
            found.extend(field_errors(value, column))
    elif isinstance(errors, list | tuple):
        for value in errors:
            found.extend(field_errors(value, prefix))
    else:
        found.append((prefix, str(errors)))
    return found


def service_errors(error: ServiceError) -> list[tuple[str, str]]:
    if isinstance(error, FieldForbidden | FieldConflict):  # a column the user may not change, or
        return [(error.field, error.message)]  # whose value another object holds
    if isinstance(error, ValidationFailed):
        return [
            ("" if name == "non_field_errors" else name, message)
            for name, messages in error.errors.items()
            for message in messages
        ]
    return [(WHOLE_ROW, error.message)]


# Revert -----------------------------------------------------------------------------------------


@transaction.atomic
def revert_import(*, run: ImportRun, acting_user: Any) -> ImportRun:
    """Undo a committed import: the objects it created are deleted, those it changed get their
    earlier values back, each through its service. Refused (Conflict, nothing changed) when any of
    them was changed since the import, or the run was already reverted."""
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ImportRun.Status.REVERTED:
        raise Conflict("This import was already reverted.")
    spec = kind_for(run.kind)(acting_user)
    model = spec.model
    # Per object: its first item (created by this import or not) and, of every field any row
    # changed, the value before the first of them (a later row's "before" is this import's own).
    first: dict[int, ImportRunItem] = {}
    restore: dict[int, dict[str, Any]] = {}
    last_stamp: dict[int, tuple[int | None, int]] = {}
    for item in run.items.order_by("id").iterator(chunk_size=2000):
        first.setdefault(item.object_id, item)
        earlier = restore.setdefault(item.object_id, {})
        for name, value in (item.before or {}).items():
            earlier.setdefault(name, value)
        last_stamp[item.object_id] = (item.history_id, item.row)
    ids = list(first)
    changed: list[int] = []
    for start in range(0, len(ids), 1000):
        batch = ids[start : start + 1000]
        lock_rows(model._default_manager.filter(pk__in=batch))
        current = _latest_history(model, batch)
        changed.extend(
            last_stamp[pk][1] for pk in batch if pk not in current or current[pk] != last_stamp[pk][0]
        )
    if changed:
        rows = ", ".join(str(row) for row in sorted(set(changed))[:10])
        raise Conflict(
            f"{len(changed)} {model._meta.verbose_name_plural} of this import were changed or deleted "
            f"since (rows {rows}{' and more' if len(changed) > 10 else ''}); nothing was reverted."
        )
    for pk in reversed(ids):
        first[pk].before = restore[pk]
        _revert_item(spec, run.kind, first[pk], acting_user)
    run.status = ImportRun.Status.REVERTED
    run.reverted_at = timezone.now()
    run.reverted_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    run.save(update_fields=["status", "reverted_at", "reverted_by"])
    return run


def _revert_item(spec: Kind, kind: str, item: ImportRunItem, acting_user: Any) -> None:
    obj = spec.model._default_manager.get(pk=item.object_id)
    try:
        if item.action == ImportRunItem.Action.CREATED:
            DELETE_SERVICES[kind](obj, acting_user)
            return
        serializer = spec.serializer(obj, item.before)
        if not serializer.is_valid():
            problems = "; ".join(message for _, message in field_errors(serializer.errors))
            raise Conflict(f"the earlier values can no longer be restored ({problems})")
        spec.write(obj, serializer.validated_data)
    except (Conflict, ValidationFailed) as error:
        raise Conflict(f"Row {item.row}: {error.message.rstrip('.')}. Nothing was reverted.") from error
