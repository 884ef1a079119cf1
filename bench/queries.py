"""The baselines: the SQL an API request actually runs, captured and replayed, and a naive scan.

The SQL is never written by hand here (how clientbase searches changes; the baseline follows it):
`capture` records the statements of one request (`CaptureQueriesContext`), `contact_reads` keeps
the SELECTs that read contacts (the contact table, its location links, SQLite's trigram tables),
and `replay` runs them again on a cursor, as they were sent, literals included."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

CONTACT_TABLES = re.compile(r"\bcontacts_contact", re.IGNORECASE)
READS = re.compile(r"^\s*(SELECT|WITH)\b", re.IGNORECASE)

# The naive baseline: every searched column glued together and scanned for the text, no index usable.
NAIVE_SEARCH = (
    "SELECT id, first_name, last_name, email FROM contacts_contact "
    "WHERE lower(first_name || ' ' || last_name || ' ' || email || ' ' || title || ' ' || department "
    "|| ' ' || phone || ' ' || mobile) LIKE %s LIMIT 20"
)


def capture(request: Callable[[], Any]) -> tuple[Any, list[str]]:
    """(what `request()` answers, the SQL statements it ran, in order)."""
    with CaptureQueriesContext(connection) as captured:
        answer = request()
    return answer, [query["sql"] for query in captured.captured_queries]


def all_reads(statements: list[str]) -> list[str]:
    """The statements of `statements` that read (SELECTs): the token, the permissions, the rows,
    what a bare view runs to answer the same."""
    return [sql for sql in statements if READS.match(sql)]


def contact_reads(statements: list[str]) -> list[str]:
    """The statements of `statements` that read contacts (SELECTs naming a contacts table)."""
    return [sql for sql in statements if READS.match(sql) and CONTACT_TABLES.search(sql)]


def replay(statements: list[str]) -> list[list[tuple[Any, ...]]]:
    """Run `statements` on one cursor as they were captured; answers each one's rows."""
    answers = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            answers.append(cursor.fetchall())
    return answers


def naive_search(text: str) -> list[tuple[Any, ...]]:
    """At most 20 contacts whose glued columns hold `text` (lower-cased), by scanning them all."""
    with connection.cursor() as cursor:  # the texts searched hold no % or _
        cursor.execute(NAIVE_SEARCH, [f"%{text.lower()}%"])
        return cursor.fetchall()
