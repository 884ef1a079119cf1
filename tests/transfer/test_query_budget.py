"""What one updated import row costs the database (measured as the difference between two imports,
so the file's fixed costs do not count)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientbase.contacts.models import Contact
from clientbase.transfer.models import ImportRunItem
from tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

ROW_BUDGET = 8


def test_an_updated_row_keeps_to_its_budget(run_import, dispatcher):
    customer = CustomerFactory()
    for index in range(12):
        ContactFactory(customer=customer, external_id=f"E-{index}", title="Technician")

    def queries_for(rows: int, title: str) -> int:
        text = "external_id,title\n" + "".join(f"E-{index},{title}\n" for index in range(rows))
        with CaptureQueriesContext(connection) as queries:
            report = run_import(dispatcher, text)
        assert report["updated"] == rows, report
        return len(queries)

    few, many = queries_for(2, "Lead"), queries_for(12, "Supervisor")
    assert (many - few) / 10 <= ROW_BUDGET
    assert set(Contact.objects.values_list("title", flat=True)) == {"Supervisor"}


def test_each_item_keeps_the_newest_history_record_of_its_object(run_import, dispatcher):
    """The stamps a revert compares with are read once per chunk, after its rows are written."""
    customer = CustomerFactory()
    contacts = [ContactFactory(customer=customer, external_id=f"E-{i}") for i in range(3)]
    run_import(dispatcher, "external_id,title\n" + "".join(f"E-{i},Lead\n" for i in range(3)))
    for contact in contacts:
        item = ImportRunItem.objects.get(object_id=contact.pk)
        assert item.history_id == contact.history.latest("history_id").history_id


UNCHANGED_ROW_BUDGET = 4


def test_an_unchanged_row_keeps_to_its_budget(run_import, dispatcher):
    """An unchanged row is the service's word (`writes.changes_of`): the row's contact is found,
    then the service locks it (a savepoint and the locking read) and compares, writing nothing:
    measured 3.8 queries a row."""
    customer = CustomerFactory()
    for index in range(12):
        ContactFactory(customer=customer, external_id=f"E-{index}", title="Technician")

    def queries_for(rows: int) -> int:
        text = "external_id,title\n" + "".join(f"E-{index},Technician\n" for index in range(rows))
        with CaptureQueriesContext(connection) as queries:
            report = run_import(dispatcher, text)
        assert report["unchanged"] == rows, report
        return len(queries)

    few, many = queries_for(2), queries_for(12)
    assert (many - few) / 10 <= UNCHANGED_ROW_BUDGET
