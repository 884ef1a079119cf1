"""`clientbase purge_personal_data`: old message bodies and what old imports kept are cleared."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from clientbase.notifications.models import Message
from clientbase.transfer.models import ImportRun, ImportRunItem
from tests.factories import ContactFactory


def message(status: str, days_old: int, n: int) -> Message:
    contact = ContactFactory(email=f"r{n}@example.com")
    row = Message.objects.create(
        event=Message.Event.values[0],
        message_id=f"<m{n}@example.com>",
        customer=contact.customer,
        contact=contact,
        to=contact.email,
        subject="Subject",
        context={"name": "Someone"},
        status=status,
        next_attempt_at=timezone.now(),
        sent_at=timezone.now() if status == Message.Status.SENT else None,
    )
    Message.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=days_old))
    return row


def import_run(days_old: int) -> ImportRun:
    run = ImportRun.objects.create(
        kind="contacts", filename="people.csv", errors=[{"row": 2, "message": "x"}]
    )
    ImportRunItem.objects.create(
        run=run, row=2, action="updated", object_id=1, before={"email": "a@b.example"}
    )
    ImportRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(days=days_old))
    return run


@pytest.fixture
def old_and_new(db, settings):
    settings.CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS = 365
    settings.CLIENTBASE_IMPORT_FILE_RETENTION_DAYS = 90
    return {
        "old_sent": message(Message.Status.SENT, 400, 1),
        "old_failed": message(Message.Status.FAILED, 400, 2),
        "old_pending": message(Message.Status.PENDING, 400, 3),
        "new_sent": message(Message.Status.SENT, 10, 4),
        "old_run": import_run(100),
        "new_run": import_run(10),
    }


def contexts() -> dict[int, dict]:
    return dict(Message.objects.values_list("pk", "context"))


def test_a_dry_run_counts_and_changes_nothing(old_and_new):
    before = (
        contexts(),
        ImportRunItem.objects.count(),
        list(ImportRun.objects.values_list("errors", flat=True)),
    )
    out = io.StringIO()
    call_command("purge_personal_data", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Would clear 2 message bodies, 1 import items and 1 import reports."
    after = (
        contexts(),
        ImportRunItem.objects.count(),
        list(ImportRun.objects.values_list("errors", flat=True)),
    )
    assert after == before


def test_the_purge_clears_only_what_is_old_and_done(old_and_new):
    out = io.StringIO()
    call_command("purge_personal_data", stdout=out)
    assert out.getvalue().strip() == "Cleared 2 message bodies, 1 import items and 1 import reports."
    stored = contexts()
    assert stored[old_and_new["old_sent"].pk] == {}
    assert stored[old_and_new["old_failed"].pk] == {}
    assert stored[old_and_new["old_pending"].pk] == {"name": "Someone"}
    assert stored[old_and_new["new_sent"].pk] == {"name": "Someone"}
    old_run, new_run = old_and_new["old_run"], old_and_new["new_run"]
    assert not ImportRunItem.objects.filter(run=old_run).exists()
    assert ImportRunItem.objects.filter(run=new_run).count() == 1
    old_run.refresh_from_db()
    new_run.refresh_from_db()
    assert (old_run.errors, old_run.filename) == ([], "people.csv")
    assert new_run.errors == [{"row": 2, "message": "x"}]
    again = io.StringIO()
    call_command("purge_personal_data", stdout=again)
    assert again.getvalue().strip() == "Cleared 0 message bodies, 0 import items and 0 import reports."
