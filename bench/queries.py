"""The baseline: hand-written SQL answering what each benchmarked endpoint answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection

from clientbase.text import fold


def _ci(column: str) -> str:
    """A column compared case-insensitively the cheapest way the database offers: SQLite's LIKE
    already ignores ASCII case; PostgreSQL needs a function on both sides."""
    return column if connection.vendor == "sqlite" else f"lower({column})"


COLUMNS = (
    "c.id, c.customer_id, c.salutation, c.first_name, c.last_name, c.title, c.email, c.phone, c.mobile, "
    "c.status, c.is_primary"
)


def _search(params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """What `?search=` answers (clientbase.contacts.selectors.search_contacts): every folded word
    in the contact's folded search document (`clientbase.text.fold`; PostgreSQL answers it from
    the trigram index), or phone digits when the text looks like a phone number; ranked the same
    way, best first."""
    text = " ".join(params["search"].split())
    words = fold(text).split()
    conditions = ["(" + " AND ".join(["c.search_document LIKE %s"] * len(words)) + ")"] if words else []
    args: list[Any] = [f"%{word}%" for word in words]
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits and all(ch.isdigit() or ch in " +-().,/" for ch in text) and len(digits) >= 3:
        conditions.append("c.phone_digits LIKE %s")
        args.append(f"%{digits}%")
    full_name = _ci("(c.first_name || ' ' || c.last_name)")
    lowered = text.lower()
    rank = (
        f"CASE WHEN lower(c.email) = %s OR lower(c.first_name || ' ' || c.last_name) = %s THEN 100 "
        f"WHEN {_ci('c.last_name')} LIKE %s OR {full_name} LIKE %s THEN 80 "
        f"WHEN {_ci('c.first_name')} LIKE %s OR {_ci('c.email')} LIKE %s THEN 60 "
        f"WHEN {full_name} LIKE %s THEN 50 WHEN {_ci('c.title')} LIKE %s THEN 30 "
        f"WHEN {_ci('cu.name')} LIKE %s THEN 20 ELSE 10 END"
    )
    rank_args = [lowered, lowered, *[f"{lowered}%"] * 4, *[f"%{lowered}%"] * 3]
    return (
        f"SELECT {COLUMNS} FROM contacts_contact c LEFT JOIN customers_customer cu ON cu.id = c.customer_id "
        f"WHERE {' OR '.join(conditions) or 'FALSE'} ORDER BY {rank} DESC, c.last_name, c.first_name, c.id "
        "LIMIT 20",
        args + rank_args,
    )


def _list(params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    return (f"SELECT {COLUMNS} FROM contacts_contact c ORDER BY c.last_name, c.first_name, c.id LIMIT 50", [])


def _customer(params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    return (
        f"SELECT {COLUMNS} FROM contacts_contact c WHERE c.customer_id = %s "
        "ORDER BY c.last_name, c.first_name, c.id LIMIT 50",
        [int(params["customer"])],
    )


BASELINE_QUERIES: dict[str, Callable[[Mapping[str, Any]], tuple[str, list[Any]]]] = {
    "search": _search,
    "list": _list,
    "customer": _customer,
}
