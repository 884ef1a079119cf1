"""Every record's history, in one place: how it is kept (`History`, `one_record`), read
(`entries`, `changes_since`) and shown (`for_display`). The records are django-simple-history's;
customers, contacts, work orders, quotes and invoices keep them.

An entry, as `entries` answers it: `{"id": history id, "at": datetime, "type": "created" |
"changed" | "deleted", "user": who (as the caller words it), "changes": [{"field", "old", "new"}]}`,
where a reference holds the id it pointed to and a many-to-many field the sorted ids linked. The
changes are those of the fields shown (`shown_fields`: every field the model records, less
`HIDDEN_FIELDS`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import InvalidOperation
from typing import Any

from django.db import connections, models, router
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from simple_history import utils as simple_history_utils
from simple_history.models import HistoricalRecords

from clientbase.money import format_money
from clientbase.phones import PhoneNumberField, format_phone
from clientbase.templatetags.dates import DAY_FORMAT, MOMENT_FORMAT
from clientbase.writes import db_values, insert_values, new_ids

TYPES = {"+": "created", "~": "changed", "-": "deleted"}

# The fields no history shows, of any model: the one place that decides (every other field a model
# records is shown, with its many-to-many links). The row's own bookkeeping (its id, version and
# times of creation and last save change with every save and say nothing), the columns derived
# from others for searching (never recorded: each model's `History(excluded_fields=...)`), and who
# confirmed a contact's details (the entry names who made it; `details_confirmed_at` shows the
# confirmation itself).
HIDDEN_FIELDS = frozenset(
    {
        "id",
        "version",
        "created_at",
        "updated_at",
        "details_confirmed_by",
        "search_document",
        "phone_digits",
        "folded_name",
        "folded_last_first",
        "folded_first_last",
    }
)


class History(HistoricalRecords):
    """`HistoricalRecords` whose many-to-many copies cost no extra query: simple-history rebuilds
    the live model from the new record only to learn the through model of each many-to-many field,
    and that rebuild reads the fields history leaves out (`excluded_fields`) from the database."""

    def create_historical_record_m2ms(self, history_instance: Any, instance: Any) -> None:
        history_instance._history_excluded_fields = ()  # the rebuilt copy needs none of them
        try:
            super().create_historical_record_m2ms(history_instance, instance)
        finally:
            del history_instance._history_excluded_fields


@contextlib.contextmanager
def one_record(instance: models.Model, records: HistoricalRecords, history_type: str) -> Iterator[None]:
    """Several writes (the row, its many-to-many links) recorded as one history entry, written
    once they all succeeded. `records` is the model's `History` (or `HistoricalRecords`)."""
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    records.create_historical_record(instance, history_type)


def username(user: Any) -> str | None:
    """Who made a change, as staff read it: the username (None: nobody signed in)."""
    return None if user is None else str(user.get_username())


def entries(
    model: type[models.Model],
    records: QuerySet[Any],
    *,
    limit: int | None = None,
    actor: Callable[[Any], str | None] = username,
) -> list[dict[str, Any]]:
    """The `records` of `model` (a filtered `Model.history`), newest first, at most `limit`, as
    entries (see the module); `actor(user)` words who made each (asked once per user)."""
    ordered = records.select_related("history_user").order_by("-history_date", "-history_id")
    rows = list(ordered[: limit + 1] if limit is not None else ordered)
    actors: dict[int, str | None] = {}
    answer = []
    for index, record in enumerate(rows[:limit] if limit is not None else rows):
        older = rows[index + 1] if index + 1 < len(rows) else None
        key = record.history_user_id or 0
        if key not in actors:
            actors[key] = actor(record.history_user)
        answer.append(
            {
                "id": record.history_id,
                "at": record.history_date,
                "type": TYPES[record.history_type],
                "user": actors[key],
                "changes": _changes(model, record, older),
            }
        )
    return answer


def changes_since(instance: models.Model, version: int) -> list[dict[str, Any]] | None:
    """What was recorded for `instance` after `version`, oldest first: `[{"version", "at", "user"
    (a User or None), "type", "changes": [{"field", "old", "new", "old_value", "new_value"}]}]`;
    `old` and `new` as in `entries`, `old_value` and `new_value` as the model holds them (related
    objects as objects, many-to-many links as the sorted ids). None when the model keeps no
    history."""
    model = type(instance)
    history = getattr(model, "history", None)
    if history is None or not hasattr(history, "model"):
        return None
    records = list(
        history.filter(**{model._meta.pk.attname: instance.pk}, version__gt=version)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    answer = []
    for record in records:
        previous = record.prev_record
        changes = _changes(model, record, previous, objects=True)
        answer.append(
            {
                "version": record.version,
                "at": record.history_date,
                "user": record.history_user,
                "type": TYPES[record.history_type],
                "changes": changes,
            }
        )
    return answer


def shown_fields(record: Any) -> set[str]:
    """The names of the fields a history shows, of the model whose history `record` is: every
    field recorded and every many-to-many field recorded, less `HIDDEN_FIELDS`."""
    recorded = {field.name for field in record.tracked_fields}
    recorded |= {field.name for field in record._history_m2m_fields}
    return recorded - HIDDEN_FIELDS


def _changes(
    model: type[models.Model], record: Any, older: Any, *, objects: bool = False
) -> list[dict[str, Any]]:
    """What `record` changed against the `older` one (nothing for a creation or deletion): each
    shown field (`shown_fields`) whose value differs, many-to-many links as sorted ids. With
    `objects`, also the values as the model holds them (`old_value`, `new_value`: related objects
    as objects)."""
    if older is None or record.history_type != "~":
        return []
    shown = shown_fields(record)
    # simple-history compares the fields a form could edit (and the many-to-many links); the
    # others shown (an e-mail's verification, a confirmation of details) are compared here.
    editable = {field.name for field in record.tracked_fields if field.editable}
    editable |= {field.name for field in record._history_m2m_fields}
    delta = record.diff_against(older, included_fields=shown & editable, foreign_keys_are_objs=objects)
    differences = [(change.field, change.old, change.new) for change in delta.changes]
    for tracked in record.tracked_fields:
        if tracked.name in shown and tracked.name not in editable:
            old, new = getattr(older, tracked.attname), getattr(record, tracked.attname)
            if old != new:
                differences.append((tracked.name, old, new))
    changes = []
    for name, old, new in sorted(differences, key=lambda difference: difference[0]):
        field = model._meta.get_field(name)
        if field.many_to_many:
            old, new = _linked_ids(field, old), _linked_ids(field, new)
            if old == new:
                continue
        entry = {"field": name, "old": _plain(field, old), "new": _plain(field, new)}
        if objects:
            entry |= {"old_value": old, "new_value": new}
        if entry["old"] != entry["new"]:
            changes.append(entry)
    return changes


def _linked_ids(field: Any, value: Any) -> list[Any]:
    key = field.m2m_reverse_field_name()
    return sorted(item[key] for item in value or [] if isinstance(item, dict) and key in item)


def _plain(field: Any, value: Any) -> Any:
    """A recorded value as plain data: a reference as the id it points to (also of an object
    deleted since, which simple-history answers as a `DeletedObject` holding its id)."""
    if isinstance(value, models.Model) or (field.is_relation and hasattr(value, "pk")):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value) if not field.is_relation else value


def readable(value: Any) -> str:
    """A recorded value as a person reads it: "empty", "Yes" or "No", an object's parts as
    "Key: value" joined by "; ", a list's items joined by ", "."""
    if value is None or value in ("", [], {}):
        return "empty"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    if isinstance(value, dict):
        parts = [
            f"{_key_label(key)}: {readable(item)}" for key, item in value.items() if item not in (None, "")
        ]
        return "; ".join(parts) or "empty"
    if isinstance(value, list | tuple):
        return ", ".join(readable(item) for item in value)
    return str(value)


def _key_label(key: Any) -> str:
    text = str(key).replace("_", " ")
    return text[:1].upper() + text[1:]


def for_display(entries: list[dict[str, Any]], model: type[models.Model]) -> list[dict[str, Any]]:
    """Entries (`entries`, `changes_since`) as a page shows them, each change with the field's
    label (`label`) and readable `old` and `new` (`display_value`): references (many-to-one,
    one-to-one) and many-to-many links by the names of the objects, one query per model referred
    to whatever the number of entries; one that no longer exists as "#id (deleted)". A "changed"
    entry without a change shown (a save that changed only hidden fields) is left out. Answers
    the entries kept (changed in place)."""
    entries = [entry for entry in entries if entry["changes"] or entry["type"] != "changed"]
    fields: dict[str, Any] = {}
    wanted: dict[Any, set[Any]] = {}
    for entry in entries:
        for change in entry["changes"]:
            name = change["field"]
            if name not in fields:
                try:
                    fields[name] = model._meta.get_field(name)
                except Exception:  # a field the model no longer has
                    fields[name] = None
            field = fields[name]
            if field is not None and field.is_relation and field.related_model is not None:
                ids = wanted.setdefault(field.related_model, set())
                for value in (change["old"], change["new"]):
                    ids.update(value if isinstance(value, list) else [] if value is None else [value])
    names = {
        related: {obj.pk: str(obj) for obj in related._base_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
    }
    labels = getattr(model, "history_value_labels", {})
    for entry in entries:
        _with_kept_names(entry, fields)
        for change in entry["changes"]:
            field = fields[change["field"]]
            label = str(getattr(field, "verbose_name", change["field"].replace("_", " ")))
            change["label"] = label[:1].upper() + label[1:]
            for side in ("old", "new"):
                kept_name = change.pop(f"{side}_name", None)
                if kept_name is not None:
                    change[side] = kept_name or "empty"
                    continue
                change[side] = display_value(
                    field, change[side], names=names, labels=labels.get(change["field"], {})
                )
    return entries


def _with_kept_names(entry: dict[str, Any], fields: Mapping[str, Any]) -> None:
    """A reference kept with its object's name beside it (`technician` and `technician_name`,
    written together) is one change, shown by that name (it outlives the object, and is the name
    the record itself shows): the `*_name` change goes, its words become the reference's."""
    by_field = {change["field"]: change for change in entry["changes"]}
    kept = set()
    for name, change in by_field.items():
        field = fields.get(name)
        named = by_field.get(f"{name}_name")
        if field is not None and field.is_relation and not field.many_to_many and named is not None:
            change["old_name"], change["new_name"] = named["old"], named["new"]
            kept.add(named["field"])
    entry["changes"] = [change for change in entry["changes"] if change["field"] not in kept]


def display_value(
    field: Any, value: Any, *, names: Mapping[Any, Mapping[Any, str]], labels: Mapping[Any, str]
) -> str:
    """A recorded value of `field` (as `entries` holds it) as a person reads it: a reference by
    the name of the object (`names[model][id]`; "#id (deleted)" when gone), a choice by its label,
    a yes/no field as "Yes" or "No", a date or moment as the pages write them, a phone number as
    it is dialled, an amount with its currency (`clientbase.money`), a list's codes and an
    object's keys by their `labels` (a model's `history_value_labels`, also the order of the keys),
    anything else as `readable` words it."""
    if field is None:
        return readable(value)
    if field.is_relation:
        ids = value if field.many_to_many else [] if value is None else [value]
        known = names.get(field.related_model, {})
        return readable([known.get(pk, f"#{pk} (deleted)") for pk in ids or []])
    if value is None or value == "":
        return "empty"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        moment = parse_datetime(value) if isinstance(value, str) else value
        if moment is not None:
            return date_format(timezone.localtime(moment), MOMENT_FORMAT)  # as every page writes it
    elif isinstance(field, models.DateField):
        day = parse_date(value) if isinstance(value, str) else value
        if day is not None:
            return date_format(day, DAY_FORMAT)
    if isinstance(field, PhoneNumberField) and isinstance(value, str):
        return format_phone(value)
    if isinstance(field, models.DecimalField):  # every decimal field is an amount of money
        try:
            return format_money(value)
        except (InvalidOperation, ValueError, TypeError):
            return readable(value)
    if labels and isinstance(value, list | tuple):
        return readable([labels.get(item, item) for item in value])
    if labels and isinstance(value, dict):
        # Named and in the labels' order (a database may keep the keys of a JSON object in another).
        keys = [*(key for key in labels if key in value), *(key for key in value if key not in labels)]
        parts = [
            f"{labels.get(key, _key_label(key))}: {readable(value[key])}"
            for key in keys
            if value[key] not in (None, "")
        ]
        return "; ".join(parts) or "empty"
    return readable(value)


def bulk_records(
    records: HistoricalRecords, instances: Sequence[models.Model], history_type: str
) -> list[int]:
    """One history record of each of `instances` (saved, of one model), as `one_record` writes it
    after a save (`history_type` "+" or "~"; the user of `writes.set_acting_user`), in one INSERT
    (`writes.insert_values`); then the records of the many-to-many links each instance has now, in
    one query and one INSERT per many-to-many field. Answers the records' ids, in order."""
    if not instances:
        return []
    model = type(instances[0])
    history_model = getattr(model, records.manager_name).model
    connection = connections[router.db_for_write(history_model)]
    ids = new_ids(history_model, len(instances))
    tracked = {field.attname for field in records.fields_included(instances[0])}
    fields = [field for field in history_model._meta.concrete_fields if not field.generated]
    convert = db_values(fields, connection)
    now = timezone.now()

    def values(instance: models.Model, history_id: int) -> list[Any]:
        own = {
            "history_id": history_id,
            "history_date": getattr(instance, "_history_date", now),
            "history_type": history_type,
            "history_change_reason": records.get_change_reason_for_object(instance, history_type, None),
        }
        user = records.get_history_user(instance)
        own["history_user_id"] = getattr(user, "pk", None)
        row = []
        for field in fields:
            if field.attname in own:
                value = own[field.attname]
            elif field.attname in tracked:
                value = getattr(instance, field.attname)
            else:
                raise ValueError(f"{history_model.__name__}.{field.attname} is neither tracked nor known.")
            row.append(value)
        return convert(row)

    insert_values(
        history_model,
        fields,
        [values(instance, history_id) for instance, history_id in zip(instances, ids, strict=True)],
    )
    by_pk = {instance.pk: history_id for instance, history_id in zip(instances, ids, strict=True)}
    for field, m2m_history_model in records.m2m_models.items():
        through = getattr(model, field.name).through
        own_name = simple_history_utils.get_m2m_field_name(field)
        names = [(f.name, f.attname) for f in through._meta.fields]
        links = []
        for row in through.objects.filter(**{f"{own_name}__in": list(by_pk)}).order_by("pk"):
            copied = {
                m2m_history_model._meta.get_field(name).attname: getattr(row, attname)
                for name, attname in names
            }
            links.append(m2m_history_model(history_id=by_pk[getattr(row, f"{own_name}_id")], **copied))
        m2m_history_model.objects.bulk_create(links)
    return ids
