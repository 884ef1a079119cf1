"""Every record's history, in one place: how it is kept (`History`, `one_record`), read
(`entries`, `changes_since`) and shown (`for_display`). The records are django-simple-history's;
customers, contacts, work orders, quotes and invoices keep them.

An entry, as `entries` answers it: `{"id": history id, "at": datetime, "type": "created" |
"changed" | "deleted", "user": who (as the caller words it), "changes": [{"field", "old", "new"}]}`,
where a reference holds the id it pointed to and a many-to-many field the sorted ids linked."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from django.db import connections, models, router
from django.db.models import QuerySet
from django.utils import timezone
from simple_history import utils as simple_history_utils
from simple_history.models import HistoricalRecords

from clientbase.writes import db_values, insert_values, new_ids

TYPES = {"+": "created", "~": "changed", "-": "deleted"}


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


def _changes(
    model: type[models.Model], record: Any, older: Any, *, objects: bool = False
) -> list[dict[str, Any]]:
    """What `record` changed against the `older` one (nothing for a creation or deletion): each
    field whose value differs, many-to-many links as sorted ids. With `objects`, also the values
    as the model holds them (`old_value`, `new_value`: related objects as objects)."""
    if older is None or record.history_type != "~":
        return []
    changes = []
    for change in record.diff_against(older, foreign_keys_are_objs=objects).changes:
        field = model._meta.get_field(change.field)
        old, new = change.old, change.new
        if field.many_to_many:
            old, new = _linked_ids(field, old), _linked_ids(field, new)
            if old == new:
                continue
        entry = {"field": change.field, "old": _plain(field, old), "new": _plain(field, new)}
        if objects:
            entry |= {"old_value": old, "new_value": new}
        if entry["old"] != entry["new"]:
            changes.append(entry)
    return changes


def _linked_ids(field: Any, value: Any) -> list[Any]:
    key = field.m2m_reverse_field_name()
    return sorted(item[key] for item in value or [] if isinstance(item, dict) and key in item)


def _plain(field: Any, value: Any) -> Any:
    """A recorded value as plain data: a reference as the id it points to."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value) if not field.is_relation else value


def readable(value: Any) -> str:
    """A recorded value as a person reads it."""
    if value is None or value in ("", [], {}):
        return "empty"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict):
        return ", ".join(str(item) for item in value.values() if item) or "empty"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def for_display(entries: list[dict[str, Any]], model: type[models.Model]) -> list[dict[str, Any]]:
    """Entries (`entries`, `changes_since`) with field labels (`label`) and readable `old` and
    `new`: references (many-to-one, one-to-one) and many-to-many links by the names of the
    objects, one query per model referred to; one that no longer exists as `#id`."""
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
    for entry in entries:
        for change in entry["changes"]:
            field = fields[change["field"]]
            label = str(getattr(field, "verbose_name", change["field"].replace("_", " ")))
            change["label"] = label[:1].upper() + label[1:]
            for side in ("old", "new"):
                value = change[side]
                if field is not None and field.many_to_many:
                    change[side] = readable(
                        [names[field.related_model].get(pk, f"#{pk}") for pk in value or []]
                    )
                elif field is not None and field.is_relation and value is not None:
                    change[side] = names[field.related_model].get(value, f"#{value}")
                else:
                    change[side] = readable(value)
    return entries


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
