"""Filters shared by every FilterSet of pages and API."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError

# The largest value of a 64-bit primary key: a larger number cannot name any row, and the
# databases refuse it in a query (SQLite with an overflow, PostgreSQL with an out-of-range error).
MAX_ID = 2**63 - 1


class IdField(forms.IntegerField):
    """A form field for the id of a related object (see `IdFilter`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


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


class SearchFilter(django_filters.CharFilter):
    """The `search` parameter of a list: at most SEARCH_MAX_LENGTH characters, no NUL; anything
    else is a 400 naming it. `method` names the FilterSet's method that searches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Search")
        kwargs.setdefault("max_length", SEARCH_MAX_LENGTH)
        super().__init__(*args, **kwargs)
