"""The parameters of the service reports, checked once for the API and the staff page.

`service_query(params)` reads `group_by`, `customer`, `from` and `to`; `idle_query(params)` reads
`months` and `customer`. Each collects every bad parameter into one ValidationFailed
(`{"parameter": ["message"]}`, a 400 in the API), naming the parameter and what it takes. Dates
are days in TIME_ZONE, written `YYYY-MM-DD`; `from` and `to` are both inclusive."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from clientbase.api.filters import MAX_ID, parse_id
from clientbase.errors import ValidationFailed

# What a service report groups work orders by, with the word for one group.
GROUP_BY: dict[str, str] = {"customer": "customer", "location": "location", "asset": "asset"}
FORMATS = ("csv", "xlsx")
MONTHS_MIN, MONTHS_MAX, MONTHS_DEFAULT = 1, 120, 12
# The days a period may name: from the first day of 1900 to the last one a date holds.
FIRST_DAY = datetime.date(1900, 1, 1)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]{1,4}")
# A customer's number as the pages show it (`C-000042`), which its id is derived from.
_CUSTOMER_NUMBER = re.compile(r"[Cc]-?([0-9]{1,19})")


@dataclass(frozen=True)
class ServiceQuery:
    """What a service report is asked for: the grouping, one customer (None: all the caller
    sees), and the first and last day of creation (inclusive; None: open-ended)."""

    group_by: str
    customer: int | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None

    def as_params(self) -> dict[str, str]:
        """The query as URL parameters (for links that keep it)."""
        params = {"group_by": self.group_by}
        if self.customer is not None:
            params["customer"] = str(self.customer)
        if self.start is not None:
            params["from"] = self.start.isoformat()
        if self.end is not None:
            params["to"] = self.end.isoformat()
        return params


@dataclass(frozen=True)
class IdleQuery:
    """The idle-assets list: assets without a completed work order for `months` months, of one
    customer (None: all the caller sees)."""

    months: int = MONTHS_DEFAULT
    customer: int | None = None


def _text(params: Mapping[str, Any], name: str) -> str:
    value = params.get(name)
    return "" if value is None else str(value).strip()


def _customer(params: Mapping[str, Any], errors: dict[str, list[str]], numbers: bool) -> int | None:
    """The customer id `customer` names (with `numbers`, its number `C-000042` too); None when
    none is named; a bad value is added to `errors`."""
    text = _text(params, "customer")
    if not text:
        return None
    number = _CUSTOMER_NUMBER.fullmatch(text) if numbers else None
    customer = parse_id(number.group(1) if number else text)
    if customer is None:
        errors["customer"] = [CUSTOMER_NUMBER_REFUSAL if numbers else CUSTOMER_REFUSAL]
    return customer


def group_by_refusal(value: str) -> str:
    choices = ", ".join(GROUP_BY)
    if not value:
        return f"Required: one of {choices}."
    return f"“{value[:50]}” is none of {choices}."


def parse_day(value: str) -> datetime.date | None:
    """The day `value` names (`YYYY-MM-DD`, from 1900-01-01 on), else None."""
    if not _DATE.fullmatch(value):
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if day >= FIRST_DAY else None


DATE_REFUSAL = "Not a date: write it as YYYY-MM-DD (a day from 1900-01-01 on)."
CUSTOMER_REFUSAL = f"A customer's id: a whole number from 1 to {MAX_ID}."
CUSTOMER_NUMBER_REFUSAL = "A customer's number, such as C-000042."


def service_query(
    params: Mapping[str, Any], *, default_group_by: str = "", numbers: bool = False
) -> ServiceQuery:
    """The service report `params` ask for. ValidationFailed naming every bad parameter:
    `group_by` missing (unless `default_group_by`) or not one of GROUP_BY, `customer` not an id
    (with `numbers`, the staff page's, nor a customer number), `from` or `to` not a day, `to`
    before `from`."""
    errors: dict[str, list[str]] = {}
    group_by = _text(params, "group_by") or default_group_by
    if group_by not in GROUP_BY:
        errors["group_by"] = [group_by_refusal(group_by)]
    customer = _customer(params, errors, numbers)
    days: dict[str, datetime.date | None] = {}
    for name in ("from", "to"):
        text = _text(params, name)
        days[name] = parse_day(text) if text else None
        if text and days[name] is None:
            errors[name] = [DATE_REFUSAL]
    start, end = days["from"], days["to"]
    if start is not None and end is not None and end < start:
        errors["to"] = [f"Before “from” ({start.isoformat()}): a period cannot end before it starts."]
    if errors:
        raise ValidationFailed(errors)
    return ServiceQuery(group_by=group_by, customer=customer, start=start, end=end)


def idle_query(params: Mapping[str, Any], *, numbers: bool = False) -> IdleQuery:
    """The idle-assets list `params` ask for: `months` (a whole number 1-120, default 12) and
    `customer` (an id; with `numbers`, a customer number too). ValidationFailed naming each bad
    parameter."""
    errors: dict[str, list[str]] = {}
    months = MONTHS_DEFAULT
    text = _text(params, "months")
    if text:
        number = int(text) if _WHOLE.fullmatch(text) else 0
        if not MONTHS_MIN <= number <= MONTHS_MAX:
            errors["months"] = [f"A whole number of months from {MONTHS_MIN} to {MONTHS_MAX}."]
        else:
            months = number
    customer = _customer(params, errors, numbers)
    if errors:
        raise ValidationFailed(errors)
    return IdleQuery(months=months, customer=customer)


def download_format(params: Mapping[str, Any], *, default: str = "") -> str:
    """The file type `format` asks for ("" for none: JSON); ValidationFailed for another."""
    fmt = _text(params, "format") or default
    if fmt and fmt not in FORMATS:
        raise ValidationFailed({"format": [f"One of {', '.join(FORMATS)} (none: JSON)."]})
    return fmt


def unknown_parameters(params: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """ValidationFailed naming each parameter of `params` not in `known` (a typo such as
    `customers=` would otherwise report on every customer)."""
    unknown = [name for name in params if name not in known]
    if unknown:
        takes = ", ".join(known)
        raise ValidationFailed(
            {name[:100]: [f"Unknown parameter; this report takes {takes}."] for name in unknown}
        )
