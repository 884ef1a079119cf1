"""Keyset pages: a list ordered by its own text or number fields, the id last, is read from the
position a cursor names (the ordering's values of the row next to the page) instead of skipping
rows, so page 1,000 costs what page 1 costs and rows added before a page do not shift it. Used by
the API's pagination and the staff pages' lists.

A search answers in tiers (`tiered`): the rows of each tier not in an earlier one, each tier in
its own ordering; a page reads tier after tier, each with its own LIMIT, until it is full, and its
cursor names the tier as well as the position in it."""

from __future__ import annotations

import base64
import binascii
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.db.models import Case, F, Func, IntegerField, Q, QuerySet, Value, When
from django.db.models.lookups import GreaterThan, LessThan, Lookup

CURSOR_REFUSAL = "Not a position in this list; follow its next and previous links."
# Longer than any cursor a list makes (its values are a few names and ids).
CURSOR_MAX_LENGTH = 4096
# Field types whose values a cursor holds as they are (text and whole numbers).
KEYSET_TYPES = frozenset(
    {
        "CharField",
        "TextField",
        "AutoField",
        "BigAutoField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "ForeignKey",
    }
)


def keyset_ordering(queryset: Any) -> list[str] | None:
    """The ordering of `queryset` when a keyset can page it: its own text or number fields (a
    foreign key by its `_id`; `-` for descending), the last one the id, so every row has one place;
    None otherwise (an expression, a related field, a date, no id last)."""
    if not isinstance(queryset, QuerySet):
        return None
    given = list(queryset.query.order_by) or list(queryset.model._meta.ordering)
    ordering = [item for item in given if isinstance(item, str)]
    if not ordering or len(ordering) != len(given):
        return None
    fields = {field.attname: field for field in queryset.model._meta.concrete_fields}
    names = [item.lstrip("-") for item in ordering]
    if names[-1] != queryset.model._meta.pk.attname:
        return None
    if not all(name in fields and fields[name].get_internal_type() in KEYSET_TYPES for name in names):
        return None
    return ordering


@dataclass(frozen=True)
class IndexRead:
    """A tier read in the order of another table's rowid, which is the list's id: SQLite's FTS5
    tables, which answer `where` (SQL with `%s` for `params`, naming `table`'s columns) in rowid
    order and so stop after a page, where an `id IN (...)` would first collect every match."""

    table: str
    where: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Tier:
    """One tier of a list: the rows matching `condition` (None: every row) that no earlier tier
    holds, in `ordering` (as `keyset_ordering` answers it: own fields, the id last). A tier with
    `read` is the last one, ordered by id: a page reads it from that index, `condition` holding
    the rest of its rule (`read` and `condition` together are `union`, which any other reader
    uses)."""

    condition: Q | None
    ordering: tuple[str, ...]
    read: IndexRead | None = None
    union: Q | None = None

    @property
    def rule(self) -> Q | None:
        """Which rows the tier holds, as one condition."""
        return self.union if self.union is not None else self.condition


def tiered(queryset: QuerySet, tiers: Sequence[Tier]) -> QuerySet:
    """`queryset` limited to the rows of any of `tiers`, which a Keyset pages tier after tier.
    Ordered, for a reader that is no Keyset (an export, a page by number), by tier and then the
    first tier's ordering. The tiers hold while the queryset is only filtered further; a new
    `order_by` replaces them. A Keyset leaves out the condition of every tier at once: each tier's
    query holds its own."""
    rules = [tier.rule for tier in tiers]
    union_at = None
    if all(rule is not None for rule in rules):
        union_at = len(queryset.query.where.children)
        queryset = queryset.filter(reduce(operator.or_, rules))
        if len(queryset.query.where.children) != union_at + 1 or queryset.query.where.connector != "AND":
            union_at = None
    rank = Case(
        *[When(rule, then=Value(number)) for number, rule in enumerate(rules) if rule is not None],
        default=Value(len(rules)),
        output_field=IntegerField(),
    )
    queryset = queryset.order_by(rank, *tiers[0].ordering)
    queryset.query.keyset_tiers = (tuple(tiers), queryset.query.order_by, union_at)  # type: ignore[attr-defined]
    return queryset


def keyset_tiers(queryset: Any) -> tuple[Tier, ...] | None:
    """The tiers a Keyset pages `queryset` by: those of `tiered`, or one tier of the whole list in
    its own ordering (`keyset_ordering`); None when a keyset cannot page it."""
    if isinstance(queryset, QuerySet):
        noted = getattr(queryset.query, "keyset_tiers", None)
        if noted is not None and noted[1] == queryset.query.order_by:
            return noted[0]
    ordering = keyset_ordering(queryset)
    return None if ordering is None else (Tier(None, tuple(ordering)),)


def first_rows(queryset: QuerySet, count: int) -> tuple[list[Any], bool]:
    """The first `count` rows of `queryset` as a page reads them (tier after tier for `tiered`),
    and whether more follow."""
    tiers = keyset_tiers(queryset)
    if tiers is None:
        rows = list(queryset[: count + 1])
        return rows[:count], len(rows) > count
    keyset = Keyset(tiers, "", count, lambda cursor: cursor)
    return keyset.page(queryset), keyset.next is not None


class _Row(Func):
    """A row value, `(a, b, c)`: compared as a whole, field by field in order."""

    function = ""
    template = "(%(expressions)s)"
    output_field = models.Field()


class BadCursor(ValueError):
    """A cursor that names no position of the list (CURSOR_REFUSAL says so to people)."""


class Keyset:
    """One page of a keyset: the rows after (or before) the position a `cursor` names, tier after
    tier (`Tier`; a list in its own order is one tier); the cursor is the tier's number and its
    ordering's values of the row next to the page, in URL-safe base64 JSON (`{"t": 0, "v": [...],
    "d": "n"|"p"}`); `link(cursor)` makes the URL of a page. BadCursor for a cursor that is none
    of these."""

    def __init__(self, tiers: Sequence[Tier], cursor: str, page_size: int, link: Callable[[str], str]):
        self.tiers = list(tiers)
        self.cursor = cursor
        self.page_size = page_size
        self.link = link
        self.next: str | None = None
        self.previous: str | None = None

    def page(self, queryset: QuerySet) -> list[Any]:
        raw = self.cursor
        number, values, backwards = self._decode(raw) if raw else (0, None, False)
        if values is not None:
            values = self._typed(queryset.model, self.tiers[number].ordering, values)
        # Tier after tier from the cursor's, forwards or backwards, each read with its own LIMIT.
        queryset = self._without_union(queryset)
        found: list[tuple[int, Any]] = []
        numbers = range(number, -1, -1) if backwards else range(number, len(self.tiers))
        for current in numbers:
            wanted = self.page_size + 1 - len(found)
            if wanted <= 0:
                break
            rows = self._tier(queryset, current, values if current == number else None, backwards)
            found += [(current, row) for row in rows[:wanted]]
        more = len(found) > self.page_size
        found = found[: self.page_size]
        if backwards:
            found.reverse()
        if found:
            has_next = more if not backwards else True
            has_previous = (values is not None) if not backwards else more
            self.next = self._url(*self._position(found[-1]), backwards=False) if has_next else None
            self.previous = self._url(*self._position(found[0]), backwards=True) if has_previous else None
        elif values is not None:  # beyond the end (rows removed since): the way back stays
            self.previous = self._url(number, values, backwards=True) if not backwards else None
            self.next = self._url(number, values, backwards=False) if backwards else None
        return [row for _number, row in found]

    def _tier(self, queryset: QuerySet, number: int, values: list[Any] | None, backwards: bool) -> list[Any]:
        """Up to a page and one rows of tier `number`, beyond `values` when given."""
        tier = self.tiers[number]
        if tier.condition is not None:
            queryset = queryset.filter(tier.condition)
        for earlier in self.tiers[:number]:
            if earlier.rule is not None:
                queryset = queryset.exclude(earlier.rule)
        if tier.read is not None:
            return list(self._read(queryset, tier.read, values, backwards)[: self.page_size + 1])
        if values is not None:
            queryset = queryset.filter(self._beyond(tier.ordering, values, backwards))
        ordering = [self._flip(item) for item in tier.ordering] if backwards else list(tier.ordering)
        return list(queryset.order_by(*ordering)[: self.page_size + 1])

    @staticmethod
    def _without_union(queryset: QuerySet) -> QuerySet:
        """`queryset` without the condition `tiered` added for other readers (any tier's rows),
        when it can be told apart from later filters."""
        noted = getattr(queryset.query, "keyset_tiers", None)
        if noted is None or noted[2] is None or noted[1] != queryset.query.order_by:
            return queryset  # a new order_by pages the list as one tier, its condition kept
        queryset = queryset.all()
        where = queryset.query.where
        if len(where.children) > noted[2] and where.connector == "AND":
            del where.children[noted[2]]
        queryset.query.keyset_tiers = None  # type: ignore[attr-defined]
        return queryset

    @staticmethod
    def _read(queryset: QuerySet, read: IndexRead, values: list[Any] | None, backwards: bool) -> QuerySet:
        """`queryset` joined to `read.table` on its rowid, in that rowid's order (after or before
        the id in `values`)."""
        own = f'"{queryset.model._meta.db_table}"."{queryset.model._meta.pk.column}"'
        where = [f"{read.table}.rowid = {own}", read.where]
        params = list(read.params)
        if values is not None:
            where.append(f"{read.table}.rowid {'<' if backwards else '>'} %s")
            params.append(values[0])
        order = f"{'-' if backwards else ''}{read.table}.rowid"
        return queryset.extra(tables=[read.table], where=where, params=params, order_by=[order])  # noqa: S610

    def _position(self, found: tuple[int, Any]) -> tuple[int, list[Any]]:
        number, row = found
        return number, [getattr(row, item.lstrip("-")) for item in self.tiers[number].ordering]

    @staticmethod
    def _flip(item: str) -> str:
        return item[1:] if item.startswith("-") else f"-{item}"

    @staticmethod
    def _beyond(ordering: Sequence[str], values: list[Any], backwards: bool) -> Q | Lookup:
        """Rows after `values` in `ordering` (before them, `backwards`). Fields all in one
        direction compare as one row value, `(a, b, id) > (x, y, z)`, which both databases answer
        as a range of the index on those fields; otherwise (a > x) or (a = x and b > y) or ...,
        each field's comparison by its direction, bounded by the first field (`a >= x`) so that
        the read starts there."""
        names = [item.lstrip("-") for item in ordering]
        directions = {item.startswith("-") != backwards for item in ordering}
        if len(directions) == 1:
            fields = _Row(*(F(name) for name in names))
            position = _Row(*(Value(value) for value in values))
            return LessThan(fields, position) if directions.pop() else GreaterThan(fields, position)
        condition = Q(pk__in=[])
        equal = Q()
        for item, value in zip(ordering, values, strict=True):
            name = item.lstrip("-")
            descending = item.startswith("-") != backwards
            condition |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            equal &= Q(**{name: value})
        first_descending = ordering[0].startswith("-") != backwards
        return Q(**{f"{names[0]}__{'lte' if first_descending else 'gte'}": values[0]}) & condition

    @staticmethod
    def _typed(model: Any, ordering: Sequence[str], values: list[Any]) -> list[Any]:
        """The cursor's values as their fields hold them; ValidationError on `cursor` for a value
        its field cannot hold (text for an id, a number beyond 64 bits)."""
        fields = {field.attname: field for field in model._meta.concrete_fields}
        typed = []
        for item, value in zip(ordering, values, strict=True):
            field = fields[item.lstrip("-")]
            try:
                if isinstance(value, str) and "\x00" in value:
                    raise ValueError("a NUL, which no text column holds")
                if isinstance(value, str):
                    value.encode("utf-8")  # a lone surrogate is no text a database takes
                converted = field.to_python(value)
                if isinstance(converted, int) and not -(2**63) <= converted < 2**63:
                    raise ValueError("beyond 64 bits")
            except (DjangoValidationError, ValueError, TypeError, OverflowError, UnicodeError):
                raise BadCursor(CURSOR_REFUSAL) from None
            typed.append(converted)
        return typed

    def _decode(self, raw: str) -> tuple[int, list[Any], bool]:
        try:
            if len(raw) > CURSOR_MAX_LENGTH:
                raise ValueError("longer than any position")
            decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
        except (ValueError, binascii.Error, UnicodeError, RecursionError):
            decoded = None
        number = decoded.get("t", 0) if isinstance(decoded, dict) else None
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or not 0 <= number < len(self.tiers)
            or not isinstance(decoded, dict)
            or not isinstance(decoded.get("v"), list)
            or len(decoded["v"]) != len(self.tiers[number].ordering)
            or not all(isinstance(value, str | int) and not isinstance(value, bool) for value in decoded["v"])
            or decoded.get("d") not in ("n", "p")
        ):
            raise BadCursor(CURSOR_REFUSAL)
        return number, decoded["v"], decoded["d"] == "p"

    def _url(self, number: int, values: list[Any], *, backwards: bool) -> str:
        position: dict[str, Any] = {"t": number} if number else {}
        position.update(v=values, d="p" if backwards else "n")
        payload = json.dumps(position, separators=(",", ":")).encode()
        return self.link(base64.urlsafe_b64encode(payload).decode("ascii").rstrip("="))
