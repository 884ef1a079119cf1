"""The small steps every service takes to change a model: apply the given values, validate them
with the model's own rules, save, and turn a database refusal into a `Conflict`."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import Case, ProtectedError, RestrictedError, Value, When
from django.db.models.deletion import Collector
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

from clientbase import text
from clientbase.errors import Conflict, ValidationFailed, conflict_from_integrity_error

# Where an update service leaves what it changed on the object it answers (`note_changes`).
_CHANGES = "_clientbase_changes"


def note_changes(instance: models.Model, changed: Iterable[str]) -> None:
    """Record on `instance` the fields the update that answers it changed (none: nothing was
    written). Every update service does, so that callers such as the import learn from the service,
    which compares values as it stores them, whether a write changed anything (`changes_of`)."""
    setattr(instance, _CHANGES, frozenset(changed))


def changes_of(instance: models.Model) -> frozenset[str] | None:
    """The fields the update service that answered `instance` changed (`note_changes`); None for
    an object no update service answered."""
    return getattr(instance, _CHANGES, None)


def apply_values(instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]) -> list[str]:
    """Set the `fields` present in `data` on `instance`; answer the names that changed. Text is
    compared and set in NFC (`clientbase.text.nfc`), so the same text in another Unicode form is
    no change, and in the stored form of a field that has one (`to_canonical`: phones in E.164,
    e-mail addresses normalised); `validate` refuses what text may not hold."""
    changed = []
    for name in fields:
        if name not in data:
            continue
        value = data[name]
        field = instance._meta.get_field(name)
        if text.is_text_field(field):
            with contextlib.suppress(DjangoValidationError):  # refused by `validate`, with its message
                value = text.clean_value(field, value)
        if isinstance(value, str) and hasattr(field, "to_canonical"):
            # Phone numbers, e-mail addresses: the same value written differently is no change.
            with contextlib.suppress(DjangoValidationError):
                value = field.to_canonical(value)
        attname = getattr(field, "attname", name)
        if isinstance(field, models.ForeignKey):
            current = getattr(instance, attname)
            new = value.pk if isinstance(value, models.Model) else value
            if current != new:
                if isinstance(value, models.Model) or value is None:
                    setattr(instance, name, value)
                else:
                    setattr(instance, attname, value)
                changed.append(name)
        elif getattr(instance, name) != value:
            setattr(instance, name, value)
            changed.append(name)
    return changed


def validate(
    instance: models.Model, exclude: Iterable[str] = (), *, changed: Iterable[str] | None = None
) -> None:
    """Check `instance` before it is saved; ValidationFailed with per-field messages when anything
    is wrong, after every rule had its say.

    - The text rules of `clientbase.text` on every text field (NFC; no control, bidi or zero-width
      characters; no line break in a single-line field). A field whose text is refused is left out
      of the other checks, so no query ever carries it.
    - The fields' own rules (`clean_fields`, `clean`, unique fields): Django's `full_clean()`
      without its constraint step.
    - The model's `Meta.constraints`, each in its `violation_error_message`: unique constraints one
      query each, every check constraint together in one query (`_failed_checks`) instead of
      Django's query and savepoint per constraint.

    `changed`: the fields a partial update changed. Then only those are checked, with the
    constraints they take part in (and the other fields of those constraints); a field nobody
    changed is not checked again, and a change of a field no constraint reads costs no query.
    Without it (a new record) everything is checked. `exclude`: fields the caller settles itself."""
    excluded = set(exclude)
    if changed is not None:
        excluded |= _untouched(instance, set(changed))
    text_errors = text.clean_instance(instance, list(excluded))
    excluded |= set(text_errors)
    errors: dict[str, list[str]] = {}
    try:
        instance.full_clean(exclude=list(excluded), validate_constraints=False)
    except DjangoValidationError as error:
        errors = ValidationFailed.from_django(error).errors
    excluded |= set(errors)
    for name, messages in _constraint_errors(instance, excluded).items():
        errors.setdefault(name, []).extend(messages)
    errors.update(text_errors)
    if errors:
        raise ValidationFailed(errors)


def constraint_fields(model: type[models.Model], constraint: models.BaseConstraint) -> set[str]:
    """The names of the fields of `model` that `constraint` reads (its fields, condition and
    expressions)."""
    names: set[str] = set(getattr(constraint, "fields", ()) or ())
    for part in (getattr(constraint, "condition", None), *(getattr(constraint, "expressions", ()) or ())):
        if isinstance(part, models.Q):
            names |= part.referenced_base_fields
        elif part is not None:
            names |= models.Q(part).referenced_base_fields
    by_attname = {field.attname: field.name for field in model._meta.concrete_fields}
    return {by_attname.get(name, name) for name in names if name != "pk"}


def _untouched(instance: models.Model, changed: set[str]) -> set[str]:
    """The concrete fields that neither changed nor share a constraint with a changed field."""
    model = type(instance)
    touched = set(changed)
    for constraint in model._meta.constraints:
        names = constraint_fields(model, constraint)
        if names & changed:
            touched |= names
    return {field.name for field in model._meta.concrete_fields} - touched


def _constraint_errors(instance: models.Model, excluded: set[str]) -> dict[str, list[str]]:
    """The messages of the constraints `instance` breaks, leaving out every constraint that reads
    an excluded field (as Django does): `{field or "non_field_errors": [message]}`."""
    model = type(instance)
    using = router.db_for_write(model, instance=instance)
    errors: dict[str, list[str]] = {}
    checks: list[models.CheckConstraint] = []
    for constraint in model._meta.constraints:
        if constraint_fields(model, constraint) & excluded:
            continue
        if isinstance(constraint, models.CheckConstraint):
            checks.append(constraint)
            continue
        try:
            constraint.validate(model, instance, exclude=excluded, using=using)  # type: ignore[attr-defined]
        except DjangoValidationError as error:
            fields: tuple[str, ...] = tuple(getattr(constraint, "fields", ()))
            key = fields[0] if error.code == "unique" and len(fields) == 1 else "non_field_errors"
            errors.setdefault(key, []).extend(str(message) for message in error.messages)
    for constraint in _failed_checks(instance, checks, excluded, using):
        # A rule about one field is that field's error (shown next to it); others are the form's.
        names = constraint_fields(model, constraint)
        key = next(iter(names)) if len(names) == 1 else "non_field_errors"
        errors.setdefault(key, []).append(str(constraint.get_violation_error_message()))
    return errors


def _failed_checks(
    instance: models.Model, checks: list[models.CheckConstraint], excluded: set[str], using: str
) -> list[models.CheckConstraint]:
    """The check constraints that `instance`'s values break, asked of the database in one query
    (`SELECT COALESCE(<condition>, TRUE), …` over the values, no table read), so each condition is
    evaluated exactly as the database's CHECK will be; a NULL condition passes, as in SQL."""
    if not checks:
        return []
    query = Query(None)
    against = instance._get_field_expression_map(meta=instance._meta, exclude=excluded)  # type: ignore[attr-defined]
    for name, value in against.items():
        query.add_annotation(
            value if hasattr(value, "resolve_expression") else Value(value), name, select=False
        )
    for index, constraint in enumerate(checks):
        holds = Coalesce(models.Q(constraint.condition), True, output_field=models.BooleanField())
        query.add_annotation(
            Case(When(models.Q(holds), then=Value(True)), default=Value(False)), f"_check_{index}"
        )
    row = query.get_compiler(using=using).execute_sql(SINGLE)
    return [constraint for constraint, holds in zip(checks, row or (), strict=False) if not holds]


@contextlib.contextmanager
def refusals_as_conflicts() -> Iterator[None]:
    """A constraint or trigger refusing the change becomes a Conflict. Nothing is half-applied:
    the block runs in the caller's transaction (no savepoint of its own: the service's atomic block
    rolls the whole write back when the Conflict passes through it; a caller that goes on after a
    Conflict, as the import does row by row, gives each attempt its own atomic block)."""
    try:
        with transaction.atomic(savepoint=False):
            yield
    except (ProtectedError, RestrictedError) as error:
        raise Conflict(still_referenced_message(error)) from error
    except IntegrityError as error:
        raise conflict_from_integrity_error(error) from error


def still_referenced_message(error: ProtectedError | RestrictedError) -> str:
    """“This is still referenced by 3 contacts and 1 location; delete or move them first.”"""
    objects = error.protected_objects if isinstance(error, ProtectedError) else error.restricted_objects
    counts: dict[type[models.Model], int] = {}
    for obj in objects:
        counts[type(obj)] = counts.get(type(obj), 0) + 1
    parts = [
        f"{count} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
        for model, count in sorted(counts.items(), key=lambda item: str(item[0]._meta.verbose_name))
    ]
    return f"This is still referenced by {' and '.join(parts)}; delete or move them first."


def delete_refusal(instance: models.Model) -> str | None:
    """Why deleting `instance` would be refused for the records that still refer to it
    (`still_referenced_message`), or None when nothing holds it: for a confirmation page to say so
    before the button is pressed. Reads what a deletion would read; deletes nothing."""
    collector = Collector(using=router.db_for_write(type(instance), instance=instance))
    try:
        collector.collect([instance])
    except (ProtectedError, RestrictedError) as error:
        return still_referenced_message(error)
    return None


def set_acting_user(instance: models.Model, user: Any) -> None:
    """Let django-simple-history record who made this change."""
    instance._history_user = user if getattr(user, "is_authenticated", False) else None  # type: ignore[attr-defined]


def untouched_fields(instance: models.Model, changed: Iterable[str]) -> set[str]:
    """The concrete fields of `instance` that neither are in `changed` nor share a constraint with
    one of them: what `validate(changed=...)` leaves out (`_untouched`), remembered per model and
    set of changed fields, so that a batch of rows changing the same fields works it out once."""
    key = (type(instance), frozenset(changed))
    if key not in _UNTOUCHED:
        if len(_UNTOUCHED) >= 1000:
            _UNTOUCHED.clear()
        _UNTOUCHED[key] = frozenset(_untouched(instance, set(key[1])))
    return set(_UNTOUCHED[key])


_UNTOUCHED: dict[tuple[type[models.Model], frozenset[str]], frozenset[str]] = {}


def _object_values(
    fields: Sequence[models.Field], connection: Any, *, adding: bool
) -> Callable[[models.Model], list[Any]]:
    """A function of an instance answering its values of `fields` as the database takes them
    (`db_values`), each read as `save()` reads it (`pre_save`: `auto_now` fields set to now). A
    text value of a field with a stored form (`to_canonical`: phones, e-mail addresses) is written
    as held: the writers hold it in that form already (`apply_values`, a row read from the
    database), and reading it again would parse it."""
    convert = db_values(fields, connection)
    plain_read = [type(field).pre_save is models.Field.pre_save for field in fields]
    attnames = [field.attname for field in fields]

    def values(obj: models.Model) -> list[Any]:
        return convert(
            [
                getattr(obj, attname) if plain else field.pre_save(obj, adding)
                for field, attname, plain in zip(fields, attnames, plain_read, strict=True)
            ]
        )

    return values


def db_values(fields: Sequence[models.Field], connection: Any) -> Callable[[Sequence[Any]], list[Any]]:
    """A function of a row of values of `fields` answering them as the database takes them
    (`get_db_prep_save`; a value of a plain type such as `str` as it is, a text value of a field
    with a stored form as held, see `_object_values`), with what each field needs worked out once
    for all rows."""
    plan = [
        (_PLAIN_VALUES.get(type(field)), hasattr(field, "to_canonical"), field.get_db_prep_save)
        for field in fields
    ]

    def convert(row: Sequence[Any]) -> list[Any]:
        return [
            value
            if value is None or type(value) is plain or (canonical and isinstance(value, str))
            else prepare(value, connection)
            for value, (plain, canonical, prepare) in zip(row, plan, strict=True)
        ]

    return convert


# Fields whose value of this exact type the database takes as it is (what get_db_prep_save answers
# for it, without the round through to_python).
_PLAIN_VALUES: dict[type[models.Field], type] = {
    models.CharField: str,
    models.TextField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
}


def new_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` ids for new rows of `model` (an auto-incremented `id`), taken from the database's
    sequence on PostgreSQL; on SQLite, the ids after the highest it gave (the caller's transaction
    holds the database's write lock: `transaction_mode` IMMEDIATE)."""
    if count == 0:
        return []
    using = router.db_for_write(model)
    connection = connections[using]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        quoted = connection.ops.quote_name(table)
        column = connection.ops.quote_name(model._meta.pk.column)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
            f"COALESCE((SELECT MAX({column}) FROM {quoted}), 0))",
            [table],
        )
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert `objs`, new instances of `model` (`insert_values`): every concrete field, `auto_now`
    and `auto_now_add` fields set as `save()` sets them; ids taken by `new_ids` and set on the
    instances. No signal is sent and no `save()` runs: the caller does what they would (derived
    fields, history). IntegrityError when the database refuses a row."""
    if not objs:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    pk = model._meta.pk
    for obj, pk_value in zip(objs, new_ids(model, len(objs)), strict=True):
        setattr(obj, pk.attname, pk_value)
    fields = [field for field in model._meta.concrete_fields if not field.generated]
    values = _object_values(fields, connection, adding=True)
    insert_values(model, fields, [values(obj) for obj in objs])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


def insert_values(
    model: type[models.Model], fields: Sequence[models.Field], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert `rows` of `model`'s table, each the values of `fields` as the database takes them
    (`db_values`): on PostgreSQL with one COPY, elsewhere with one statement run for each row
    (`executemany`). IntegrityError when the database refuses a row."""
    connection = connections[router.db_for_write(model)]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows))  # noqa: S608


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Iterable[str]) -> None:
    """Write the `fields` of `objs` (stored instances of `model`) in one statement run for each
    (`executemany`), as held, an `auto_now` field set to now as `save()` sets it. No signal is sent
    and no `save()` runs: the caller does what they would (versions, derived fields, history).
    IntegrityError when the database refuses a row."""
    if not objs:
        return
    connection = connections[router.db_for_write(model)]
    wanted = set(fields)
    concrete = [field for field in model._meta.concrete_fields if field.name in wanted]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in concrete)
    pk = model._meta.pk
    sql = (
        f"UPDATE {connection.ops.quote_name(model._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {connection.ops.quote_name(pk.column)} = %s"
    )
    values = _object_values(concrete, connection, adding=False)
    params = [[*values(obj), obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
