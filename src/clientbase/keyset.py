"""Keyset pages: a list ordered by its own text or number fields, the id last, is read from the
position a cursor names (the ordering's values of the row next to the page) instead of skipping
rows, so page 1,000 costs what page 1 costs and rows added before a page do not shift it. Used by
the API's pagination and the staff pages' lists."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet

CURSOR_REFUSAL = "Not a position in this list; follow its next and previous links."
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


class BadCursor(ValueError):
    """A cursor that names no position of the list (CURSOR_REFUSAL says so to people)."""


class Keyset:
    """One page of a keyset: the rows after (or before) the position a `cursor` names, in the
    ordering given; the cursor is the ordering's values of the row next to the page, in URL-safe
    base64 JSON (`{"v": [...], "d": "n"|"p"}`); `link(cursor)` makes the URL of a page. BadCursor
    for a cursor that is none of these."""

    def __init__(self, ordering: list[str], cursor: str, page_size: int, link: Callable[[str], str]):
        self.ordering = ordering
        self.cursor = cursor
        self.page_size = page_size
        self.link = link
        self.next: str | None = None
        self.previous: str | None = None

    def page(self, queryset: QuerySet) -> list[Any]:
        raw = self.cursor
        values, backwards = self._decode(raw) if raw else (None, False)
        if values is not None:
            values = self._typed(queryset.model, values)
            queryset = queryset.filter(self._beyond(values, backwards))
        if backwards:
            queryset = queryset.order_by(*(self._flip(item) for item in self.ordering))
        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        if rows:
            first, last = self._values(rows[0]), self._values(rows[-1])
            has_next = more if not backwards else True
            has_previous = (values is not None) if not backwards else more
            self.next = self._url(last, backwards=False) if has_next else None
            self.previous = self._url(first, backwards=True) if has_previous else None
        elif values is not None:  # beyond the end (rows removed since): the way back stays
            self.previous = self._url(values, backwards=True) if not backwards else None
            self.next = self._url(values, backwards=False) if backwards else None
        return rows

    @staticmethod
    def _flip(item: str) -> str:
        return item[1:] if item.startswith("-") else f"-{item}"

    def _values(self, row: Any) -> list[Any]:
        return [getattr(row, item.lstrip("-")) for item in self.ordering]

    def _beyond(self, values: list[Any], backwards: bool) -> Q:
        """Rows after `values` in the ordering (before them, `backwards`): (a > x) or (a = x and
        b > y) or ..., each field's comparison by its direction."""
        condition = Q(pk__in=[])
        equal = Q()
        for item, value in zip(self.ordering, values, strict=True):
            name = item.lstrip("-")
            descending = item.startswith("-") != backwards
            condition |= equal & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
            equal &= Q(**{name: value})
        return condition

    def _typed(self, model: Any, values: list[Any]) -> list[Any]:
        """The cursor's values as their fields hold them; ValidationError on `cursor` for a value
        its field cannot hold (text for an id, a number beyond 64 bits)."""
        fields = {field.attname: field for field in model._meta.concrete_fields}
        typed = []
        for item, value in zip(self.ordering, values, strict=True):
            field = fields[item.lstrip("-")]
            try:
                converted = field.to_python(value)
                if isinstance(converted, int) and not -(2**63) <= converted < 2**63:
                    raise ValueError("beyond 64 bits")
            except (DjangoValidationError, ValueError, TypeError, OverflowError):
                raise BadCursor(CURSOR_REFUSAL) from None
            typed.append(converted)
        return typed

    def _decode(self, raw: str) -> tuple[list[Any], bool]:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
        except (ValueError, binascii.Error, UnicodeError):
            decoded = None
        if (
            not isinstance(decoded, dict)
            or not isinstance(decoded.get("v"), list)
            or len(decoded["v"]) != len(self.ordering)
            or not all(isinstance(value, str | int) and not isinstance(value, bool) for value in decoded["v"])
            or decoded.get("d") not in ("n", "p")
        ):
            raise BadCursor(CURSOR_REFUSAL)
        return decoded["v"], decoded["d"] == "p"

    def _url(self, values: list[Any], *, backwards: bool) -> str:
        payload = json.dumps({"v": values, "d": "p" if backwards else "n"}, separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")
        return self.link(cursor)
