"""The counts of every rule over the whole database, refreshed in the background: counting every
rule over a million contacts takes seconds (`make bench` W7), so a worker counts them every
REFRESH_SECONDS (`clientbase.periodic`) and the dashboard, the API's summary and the command line
read the stored counts, for users who see every row. Users whose view is limited to some rows
(portal users, staff under a row rule) and counts of one customer are counted when asked.

Kept in the shared cache (`CACHES`: Redis with `REDIS_URL`, else a folder of `var/`), so every
server of an installation reads what any worker counted."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Model, QuerySet
from django.utils import timezone

from clientbase import access
from clientbase.quality.rules import RULES, Rule

KEY = "clientbase.quality.counts"
REFRESH_SECONDS = 300
# Stored counts older than this are not used (no worker has refreshed them): counted when asked.
FRESH_SECONDS = 3 * REFRESH_SECONDS


def count_rules(rules: Sequence[Rule], rows: Callable[[type[Model], Rule], QuerySet]) -> dict[str, int]:
    """{rule name: how many rows break it}: one query per model, of the rows `rows(model, its
    first rule)` answers (every row, or those a user may view)."""
    answer: dict[str, int] = {}
    by_model: dict[type[Model], list[Rule]] = {}
    for rule in rules:
        by_model.setdefault(rule.model, []).append(rule)
    for model, model_rules in by_model.items():
        answer.update(
            rows(model, model_rules[0]).aggregate(
                **{rule.name: Count("pk", filter=rule.applies & rule.breaks()) for rule in model_rules}
            )
        )
    return {rule.name: answer[rule.name] for rule in rules}


def count_everything(rules: Sequence[Rule] = RULES) -> dict[str, int]:
    """{rule name: how many rows break it} over every row."""
    return count_rules(rules, lambda model, _rule: model._default_manager.all())


def refresh() -> dict[str, Any]:
    """Count every rule and store the counts with the time counted; answers what was stored."""
    stored = {"at": timezone.now().isoformat(), "counts": count_everything()}
    cache.set(KEY, stored, timeout=FRESH_SECONDS)
    return stored


def stored_counts(user: Any, rules: Sequence[Rule]) -> tuple[dict[str, int], datetime.datetime] | None:
    """The stored counts of `rules` and when they were counted, when `user` sees every row of
    what they count and they are fresh; None otherwise (count them for the user)."""
    models = {model for rule in rules for model in (rule.model, *rule.also_reads)}
    if any(access.rows_limited(user, model) for model in models):
        return None
    stored = cache.get(KEY)
    if not isinstance(stored, dict) or not isinstance(stored.get("counts"), dict):
        return None
    at = datetime.datetime.fromisoformat(stored["at"])
    if timezone.now() - at > datetime.timedelta(seconds=FRESH_SECONDS):
        return None
    counts = stored["counts"]
    if any(rule.name not in counts for rule in rules):
        return None
    return {rule.name: counts[rule.name] for rule in rules}, at
