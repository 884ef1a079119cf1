"""Pagination of API.md: results, next, previous; no count. Lists ordered by their own fields
ending in the id page by keyset (`?cursor=`: page 1,000 costs what page 1 costs); others, and a
request naming `?page=`, by page number."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from clientbase.keyset import BadCursor, Keyset, keyset_tiers

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
            tiers = keyset_tiers(queryset)
            if tiers is not None:
                url = request.build_absolute_uri()
                self.keyset = Keyset(
                    tiers,
                    request.query_params.get("cursor") or "",
                    self.page_size,
                    lambda cursor: replace_query_param(url, "cursor", cursor),
                )
                try:
                    return self.keyset.page(queryset)
                except BadCursor as error:
                    raise exceptions.ValidationError({"cursor": [str(error)]}) from None
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
        # Decimal digits only: int() would also take "+1", " 1" and "1_000".
        value = int(str(raw)) if str(raw).isascii() and str(raw).isdigit() else 0
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
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "https://clientbase.example/api/v1/contacts/?cursor=eyJ0IjowLCJ2IjpbIld1Il19",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri", "example": None},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "Where a page starts: opaque, only as the `next` and `previous` links "
                "give it (any other value is a 400 naming `cursor`). Not with `page`.",
                "schema": {"type": "string"},
            },
            {
                "name": "page",
                "in": "query",
                "required": False,
                "description": "A page by number instead of `cursor` (1 is the first).",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "description": f"Rows per page, default {self.default_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]
