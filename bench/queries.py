"""The baseline: hand-written SQL answering what each benchmarked endpoint answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

COLUMNS = (
    "c.id, c.customer_id, c.salutation, c.first_name, c.last_name, c.title, c.email, c.phone, c.mobile, "
    "c.status, c.is_primary"
)


def _search(params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    text = f"%{params['search'].lower()}%"
    return (
        f"SELECT {COLUMNS} FROM contacts_contact c LEFT JOIN customers_customer cu ON cu.id = c.customer_id "
        "WHERE lower(c.first_name) LIKE %s OR lower(c.last_name) LIKE %s OR lower(c.email) LIKE %s "
        "OR lower(c.title) LIKE %s OR lower(cu.name) LIKE %s "
        "ORDER BY c.last_name, c.first_name, c.id LIMIT 20",
        [text] * 5,
    )


def _phone(params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    digits = "".join(ch for ch in params["search"] if ch.isdigit())
    return (
        f"SELECT {COLUMNS} FROM contacts_contact c WHERE c.phone_digits LIKE %s "
        "ORDER BY c.last_name, c.first_name, c.id LIMIT 20",
        [f"%{digits}%"],
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
    "phone": _phone,
    "list": _list,
    "customer": _customer,
}
