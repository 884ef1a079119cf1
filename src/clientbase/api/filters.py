"""Filters shared by every FilterSet of pages and API."""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError as ApiValidationError

# The largest value of a 64-bit primary key: a larger number cannot name any row, and the
# databases refuse it in a query (SQLite with an overflow, PostgreSQL with an out-of-range error).
MAX_ID = 2**63 - 1


# An id as a query parameter carries it: decimal digits only (no sign, point, exponent or "1_000").
_DIGITS = re.compile(r"\s*[0-9]+\s*")
# The schema of an id parameter (the OpenAPI description reads it from here).
ID_PARAMETER_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID, "format": "int64"}


class IdField(forms.IntegerField):
    """A form field for the id of a related object (see `IdFilter`): decimal digits only, so
    "1.0", "1e3", "+1" and "1_000" are refused as "²" is."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value not in self.empty_values and not (
            isinstance(value, int) or (isinstance(value, str) and _DIGITS.fullmatch(value))
        ):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field(ID_PARAMETER_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """A filter by the id of a related object: a whole number from 1 to 2**63-1, anything else is
    a 400 naming the parameter (never a database error)."""

    field_class = IdField


def parse_id(value: Any) -> int | None:
    """The id a query parameter names, read as `IdFilter` reads it: a whole number from 1 to
    `MAX_ID`; None for anything else (blank, negative, too large, “1e3”, “²”). For pages that read
    an id from `request.GET` themselves, where a bad value is ignored."""
    try:
        number = IdField(required=False).clean(value)
    except ValidationError:
        return None
    return number if isinstance(number, int) else None


# The longest search text: names, an e-mail address or a phone number fit many times over; a
# longer one is a 400 naming `search` (the databases refuse a query of thousands of words).
SEARCH_MAX_LENGTH = 200


@extend_schema_field({"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": "^[^\\x00]*$"})
class SearchFilter(django_filters.CharFilter):
    """The `search` parameter of a list: at most SEARCH_MAX_LENGTH characters, no NUL; anything
    else is a 400 naming it. `method` names the FilterSet's method that searches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(*args, **kwargs)


# The values a boolean filter of the API takes (its description says `true` or `false`); the
# pages' forms read more spellings ("1", "True"), and anything else as no filter at all.
BOOLEAN_VALUES = ("true", "false")


def check_booleans(filterset_class: type[django_filters.FilterSet], params: Any) -> None:
    """A 400 (`ValidationError` naming each) for a boolean filter of `filterset_class` that
    `params` (a request's query) gives as anything but `true`, `false` or empty: the API reads its
    FilterSets so (`FilterBackend`, the exports), where a page's form reads more spellings and
    anything else as no filter at all."""
    errors = {
        name: [f"Give true or false, not “{value}”."]
        for name, spec in filterset_class.base_filters.items()
        if isinstance(spec, django_filters.BooleanFilter)
        for value in params.getlist(name)
        if value not in (*BOOLEAN_VALUES, "")
    }
    if errors:
        raise ApiValidationError(errors)


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend for the API (`DEFAULT_FILTER_BACKENDS`), reading the FilterSets
    shared with the pages more strictly (`check_booleans`)."""

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            check_booleans(filterset_class, request.query_params)
        return super().filter_queryset(request, queryset, view)
