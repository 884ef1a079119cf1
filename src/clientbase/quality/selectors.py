"""The findings of the rules (`rules.RULES`) a user may see, read with set-based queries: a page
of findings costs at most one query per rule, the counts one query per model, whatever the number
of customers, locations, assets and contacts.

Findings are in the order of the rules, then of the objects' ids; a page is read from a position
(`cursor`: URL-safe base64 JSON `{"r": rule name, "id": object id, "d": "n"|"p"}`), so page 1,000
costs what page 1 costs."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, F, IntegerField, Model, Q, QuerySet, Value, When
from django.urls import reverse

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, Customer, Location
from clientbase.keyset import CURSOR_MAX_LENGTH, CURSOR_REFUSAL, BadCursor
from clientbase.quality import snapshot
from clientbase.quality.rules import RULES, Rule

# The fields that name an object of each model in a finding.
NAME_FIELDS: dict[type[Model], tuple[str, ...]] = {
    Customer: ("name", "number"),
    Location: ("name", "code"),
    Asset: ("name", "serial_number"),
    Contact: ("first_name", "last_name"),
}
OBJECT_TYPES: dict[type[Model], str] = {
    Customer: "customer",
    Location: "location",
    Asset: "asset",
    Contact: "contact",
}


@dataclass(frozen=True)
class Finding:
    """One object that breaks one rule."""

    rule: Rule
    object_id: int
    object_name: str
    customer_id: int | None

    @property
    def fix_url(self) -> str:
        return reverse(self.rule.fix, args=[self.object_id])

    def as_dict(self) -> dict[str, Any]:
        """The API's shape: `{"rule", "severity", "object": {"type", "id", "name"}, "customer",
        "message", "fix_url"}`."""
        return {
            "rule": self.rule.name,
            "severity": self.rule.severity,
            "object": {"type": OBJECT_TYPES[self.rule.model], "id": self.object_id, "name": self.object_name},
            "customer": self.customer_id,
            "message": self.rule.message,
            "fix_url": self.fix_url,
        }


def visible_rules(user: Any, *, rule: str | None = None, severity: str | None = None) -> list[Rule]:
    """The rules about models `user` may view, in order (only `rule`, only of `severity`)."""
    return [
        candidate
        for candidate in RULES
        if access.can(user, access.VIEW, candidate.model)
        and all(access.can(user, access.VIEW, model) for model in candidate.also_reads)
        and (rule is None or candidate.name == rule)
        and (severity is None or candidate.severity == severity)
    ]


def breaking(user: Any, rule: Rule, *, customer: int | None = None, contact: int | None = None) -> QuerySet:
    """The objects `user` may view that break `rule` (of `customer`; only `contact` itself, for a
    rule about contacts)."""
    queryset = rule.model._default_manager.filter(rule.applies).filter(rule.breaks())
    queryset = access.restrict(user, queryset, access.VIEW)
    if customer is not None:
        queryset = queryset.filter(**{rule.customer: customer})
    if contact is not None:
        queryset = queryset.filter(pk=contact) if rule.model is Contact else queryset.none()
    return queryset


def _name(model: type[Model], values: dict[str, Any]) -> str:
    if model is Contact:
        return " ".join(part for part in (values["first_name"], values["last_name"]) if part)
    first, second = NAME_FIELDS[model]
    return (
        f"{values[first] or '(no name)'} ({values[second]})"
        if values[second]
        else values[first] or "(no name)"
    )


def _read(queryset: QuerySet, rule: Rule, count: int, order: str) -> list[Finding]:
    fields = NAME_FIELDS[rule.model]
    rows = queryset.order_by(order).values("pk", *fields, customer_of=F(rule.customer))[:count]
    return [Finding(rule, row["pk"], _name(rule.model, row), row["customer_of"]) for row in rows]


@dataclass
class FindingsPage:
    """A page of findings and the cursors of the pages beside it (None: none there)."""

    findings: list[Finding]
    next: str | None
    previous: str | None


def findings_page(
    user: Any,
    rules: Sequence[Rule],
    *,
    cursor: str = "",
    size: int = 50,
    customer: int | None = None,
    contact: int | None = None,
) -> FindingsPage:
    """The page of findings of `rules` at `cursor` ("" for the first). At most one query per rule.
    BadCursor for a cursor that names no position of these rules."""
    names = [rule.name for rule in rules]
    start, after, backwards = _decode(cursor, names) if cursor else (0, None, False)
    found: list[Finding] = []
    indexes = range(start, -1, -1) if backwards else range(start, len(rules))
    for index in indexes:
        wanted = size + 1 - len(found)
        if wanted <= 0:
            break
        queryset = breaking(user, rules[index], customer=customer, contact=contact)
        if after is not None and index == start:
            queryset = queryset.filter(pk__lt=after) if backwards else queryset.filter(pk__gt=after)
        found += _read(queryset, rules[index], wanted, "-pk" if backwards else "pk")
    more = len(found) > size
    found = found[:size]
    if backwards:
        found.reverse()
    has_next = more if not backwards else True
    has_previous = (after is not None) if not backwards else more
    if not found:  # beyond the end (objects fixed since): the way back stays
        back = _encode(names[start], after, True) if after is not None and not backwards else None
        return FindingsPage([], None, back)
    return FindingsPage(
        found,
        _encode(found[-1].rule.name, found[-1].object_id, False) if has_next else None,
        _encode(found[0].rule.name, found[0].object_id, True) if has_previous else None,
    )


def _encode(rule: str, object_id: int, backwards: bool) -> str:
    payload = json.dumps({"r": rule, "id": object_id, "d": "p" if backwards else "n"}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode("ascii").rstrip("=")


def _decode(raw: str, names: list[str]) -> tuple[int, int, bool]:
    try:
        if len(raw) > CURSOR_MAX_LENGTH:
            raise ValueError("longer than any position")
        decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeError, RecursionError):
        decoded = None
    if (
        not isinstance(decoded, dict)
        or decoded.get("r") not in names
        or not isinstance(decoded.get("id"), int)
        or isinstance(decoded.get("id"), bool)
        or not 0 <= decoded["id"] < 2**63
        or decoded.get("d") not in ("n", "p")
    ):
        raise BadCursor(CURSOR_REFUSAL)
    return names.index(decoded["r"]), decoded["id"], decoded["d"] == "p"


def findings_of(
    user: Any,
    rules: Sequence[Rule],
    *,
    customer: int | None = None,
    contact: int | None = None,
    limit: int = 10,
) -> tuple[list[Finding], bool]:
    """The first `limit` findings of `rules` about one customer (its own, its locations', assets'
    and contacts') or one contact, in the order of the rules, and whether there are more: one
    query per model (each row read once with a flag per rule it breaks), for the sections of the
    customer and contact pages."""
    by_model: dict[type[Model], list[Rule]] = {}
    for rule in rules:
        if contact is None or rule.model is Contact:
            by_model.setdefault(rule.model, []).append(rule)
    flagged: dict[str, list[Finding]] = {}
    more = False
    for model, model_rules in by_model.items():
        flags = {
            f"breaks_{index}": Case(
                When(rule.applies & rule.breaks(), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for index, rule in enumerate(model_rules)
        }
        queryset = access.restrict(user, model._default_manager.all(), access.VIEW)
        if customer is not None:
            queryset = queryset.filter(**{model_rules[0].customer: customer})
        if contact is not None:
            queryset = queryset.filter(pk=contact)
        any_rule = Q()
        for rule in model_rules:
            any_rule |= rule.applies & rule.breaks()
        rows = list(
            queryset.filter(any_rule)
            .annotate(**flags)
            .order_by("pk")
            .values("pk", *NAME_FIELDS[model], *flags, customer_of=F(model_rules[0].customer))[: limit + 1]
        )
        more = more or len(rows) > limit
        for index, rule in enumerate(model_rules):
            flagged[rule.name] = [
                Finding(rule, row["pk"], _name(model, row), row["customer_of"])
                for row in rows[:limit]
                if row[f"breaks_{index}"]
            ]
    found = [finding for rule in rules for finding in flagged.get(rule.name, [])]
    return found[:limit], more or len(found) > limit


def dashboard_counts(
    user: Any, rules: Sequence[Rule], *, customer: int | None = None
) -> tuple[dict[str, int], datetime.datetime | None]:
    """`counts`, read from the counts a worker stored (`snapshot`) when they hold for `user` (all
    customers, a user who sees every row, fresh), with the time they were counted; else counted
    now (the time None)."""
    if customer is None:
        stored = snapshot.stored_counts(user, rules)
        if stored is not None:
            return stored
    return counts(user, rules, customer=customer), None


def counts(user: Any, rules: Sequence[Rule], *, customer: int | None = None) -> dict[str, int]:
    """{rule name: how many objects `user` may view break it}, for `rules`: one query per model
    (each rule a filtered COUNT of the model's rows the user may view)."""

    def rows(model: type[Model], rule: Rule) -> QuerySet:
        queryset = access.restrict(user, model._default_manager.all(), access.VIEW)
        return queryset if customer is None else queryset.filter(**{rule.customer: customer})

    return snapshot.count_rules(rules, rows)


def completeness(user: Any, customers: Sequence[int]) -> dict[int, int]:
    """{customer id: how many of the customer rules it passes, in percent}, for `customers`."""
    rules = [rule for rule in visible_rules(user) if rule.model is Customer]
    if not rules or not customers:
        return {}
    queryset = access.restrict(user, Customer.objects.filter(pk__in=customers), access.VIEW)
    passed: dict[int, int] = {}
    annotations = {
        f"fails_{rule.name}": Case(
            When(rule.breaks(), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        for rule in rules
    }
    for row in queryset.annotate(**annotations).values("pk", *annotations):
        failed = sum(row[key] for key in annotations)
        passed[row["pk"]] = round(100 * (len(rules) - failed) / len(rules))
    return passed
