"""Pagination of API.md: results, next, previous; no count. Lists ordered by their own fields
ending in the id page by keyset (`?cursor=`: page 1,000 costs what page 1 costs); others, and a
request naming `?page=`, by page number."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

# Beyond this, an offset no longer fits the databases' 64-bit integers (and no list is that long).
MAX_PAGE = 10**9


class Pagination(BasePagination):
    """`{"results": [...], "next": url|null, "previous": url|null}`, `?page=` and `?page_size=`
    (at most 200). Reads one row beyond the page instead of counting, so pages stay fast on
    millions of rows."""

    default_page_size = 50
    max_page_size = 200

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.page_size = self._positive_int(request, "page_size", self.default_page_size)
        if self.page_size > self.max_page_size:
            raise exceptions.ValidationError({"page_size": [f"At most {self.max_page_size}."]})
        self.keyset: Keyset | None = None
        if request.query_params.get("page") in (None, ""):
            ordering = keyset_ordering(queryset)
            if ordering is not None:
                self.keyset = Keyset(ordering, request, self.page_size)
                return self.keyset.page(queryset)
        elif request.query_params.get("cursor") not in (None, ""):
            raise exceptions.ValidationError({"cursor": ["Give either page or cursor, not both."]})
        self.page = self._positive_int(request, "page", 1)
        start = (self.page - 1) * self.page_size
        rows = list(queryset[start : start + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        return rows[: self.page_size]

    @staticmethod
    def _positive_int(request: Request, name: str, default: int) -> int:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(str(raw))
        except ValueError:
            value = 0
        if value < 1:
            raise exceptions.ValidationError({name: ["A positive whole number."]})
        if value > MAX_PAGE:
            raise exceptions.ValidationError({name: [f"At most {MAX_PAGE}."]})
        return value

    def _url(self, page: int) -> str:
        url = self.request.build_absolute_uri()
        return remove_query_param(url, "page") if page == 1 else replace_query_param(url, "page", page)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is not None:
            return Response({"results": data, "next": self.keyset.next, "previous": self.keyset.previous})
        return Response(
            {
                "results": data,
                "next": self._url(self.page + 1) if self.has_next else None,
                "previous": self._url(self.page - 1) if self.page > 1 else None,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results", "next", "previous"],
            "properties": {
                "results": schema,
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Where a page starts, as the `next` and `previous` links give it.",
                "schema": {"type": "string"},
            },
            {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1}},
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


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


class Keyset:
    """One page of a keyset: the rows after (or before) the position a `cursor` names, in the
    ordering given; the cursor is the ordering's values of the row next to the page, in URL-safe
    base64 JSON (`{"v": [...], "d": "n"|"p"}`). ValidationError on `cursor` for anything else."""

    def __init__(self, ordering: list[str], request: Request, page_size: int):
        self.ordering = ordering
        self.request = request
        self.page_size = page_size
        self.next: str | None = None
        self.previous: str | None = None

    def page(self, queryset: QuerySet) -> list[Any]:
        raw = self.request.query_params.get("cursor") or ""
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
        return [
            getattr(row, "pk" if item.lstrip("-") == "id" else item.lstrip("-")) for item in self.ordering
        ]

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
                raise exceptions.ValidationError({"cursor": [CURSOR_REFUSAL]}) from None
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
            raise exceptions.ValidationError({"cursor": [CURSOR_REFUSAL]})
        return decoded["v"], decoded["d"] == "p"

    def _url(self, values: list[Any], *, backwards: bool) -> str:
        payload = json.dumps({"v": values, "d": "p" if backwards else "n"}, separators=(",", ":"))
        cursor = base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")
        return replace_query_param(self.request.build_absolute_uri(), "cursor", cursor)
