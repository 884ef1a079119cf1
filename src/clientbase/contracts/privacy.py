"""The contracts app's part of a person's personal data. A contract names no contact, but its name
and notes are free text that may mention one ("call Maria Garcia before each visit"): the personal
data lists the contracts of the person's customers that mention it, and an erasure replaces each
mention there (and in the contracts' history) by "[erased]". Registered with
`clientbase.contacts.privacy` from the app's registrations."""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from clientbase.contacts.models import Contact
from clientbase.contacts.privacy import PrivacySource, customers_of, mentions_of, scrub_rows
from clientbase.contracts.models import Contract

# The free text of a contract.
FREE_TEXT_FIELDS = ["name", "notes"]


def collect(contact: Contact, viewer: Any) -> dict[str, Any]:
    """{"mentioned_in": [{"number", "name"}]}: the contracts of the customers the person belongs or
    belonged to whose name or notes mention it (as `contacts.privacy.Mentions` finds a mention)."""
    mentions = mentions_of(contact)
    customers = customers_of(contact)
    if not mentions or not customers:
        return {"mentioned_in": []}
    pattern = mentions.pattern()
    candidates = reduce(or_, (mentions.candidates(name) for name in FREE_TEXT_FIELDS))
    rows = Contract.objects.filter(customer_id__in=customers).filter(candidates).order_by("pk")
    return {
        "mentioned_in": [
            {"number": row.number, "name": row.name}
            for row in rows
            if pattern is not None and any(pattern.search(getattr(row, name)) for name in FREE_TEXT_FIELDS)
        ]
    }


def erase(contact: Contact, acting_user: Any) -> int:
    """Every mention of the person in the name and notes of the contracts of the customers it
    belongs or belonged to, and of their history rows, becomes "[erased]"; the contracts' versions
    go up. Answers the rows rewritten (history rows included)."""
    mentions = mentions_of(contact)
    customers = customers_of(contact)
    if not customers:
        return 0
    rows = scrub_rows(Contract.objects.filter(customer_id__in=customers), FREE_TEXT_FIELDS, mentions)
    rows += scrub_rows(Contract.history.filter(customer_id__in=customers), FREE_TEXT_FIELDS, mentions)
    return rows


SOURCE = PrivacySource(key="contracts", collect=collect, erase=erase)
