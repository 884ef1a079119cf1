"""Helpers for the import and export tests: files made in memory, a dump of every contact."""

from __future__ import annotations

import io

import pytest

from clientbase.contacts.models import Contact, ContactLocation
from clientbase.transfer.services import import_file


def csv_bytes(text: str, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text.encode(encoding))


def contacts_dump() -> list[tuple]:
    """Every stored contact row and location link, to prove that nothing changed."""
    rows = [tuple(row.values()) for row in Contact.objects.order_by("pk").values()]
    links = list(ContactLocation.objects.order_by("pk").values_list("contact_id", "location_id"))
    history = Contact.history.count()
    return [*rows, *links, ("history", history)]


@pytest.fixture
def run_import():
    """run_import(user, csv_text, dry_run=False, kind="contacts", **kwargs) -> the report as a dict."""

    def run(user, text, dry_run=False, kind="contacts", **kwargs):
        file = text if isinstance(text, io.BytesIO) else csv_bytes(text)
        return import_file(acting_user=user, kind=kind, file=file, dry_run=dry_run, **kwargs).as_dict()

    return run
