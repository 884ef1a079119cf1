"""`clientbase purge_personal_data [--dry-run]`: the retention of personal data kept as a record.

- Messages (sent, failed or bounced; never pending) older than
  `CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS` lose their `context` (the facts their body showed); the
  envelope (to, subject, status, dates) stays.
- Imports older than `CLIENTBASE_IMPORT_FILE_RETENTION_DAYS` lose what they kept of the rows they
  changed (their items, the values before the change: such a run can no longer be reverted) and
  the errors of their report; the run's figures stay.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from clientbase.notifications.models import Message
from clientbase.transfer.models import ImportRun, ImportRunItem

DONE = (Message.Status.SENT, Message.Status.FAILED, Message.Status.BOUNCED)


def purge(*, now: datetime.datetime | None = None, dry_run: bool = False) -> dict[str, int]:
    """Clear what the retention settings no longer allow; answers the counts
    `{"message_bodies": n, "import_items": n, "import_reports": n}` (with `dry_run`, what would be
    cleared, nothing changed)."""
    now = now or timezone.now()
    message_cutoff = now - datetime.timedelta(days=settings.CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS)
    import_cutoff = now - datetime.timedelta(days=settings.CLIENTBASE_IMPORT_FILE_RETENTION_DAYS)
    messages = Message.objects.filter(created_at__lt=message_cutoff, status__in=DONE).exclude(context={})
    runs = ImportRun.objects.filter(started_at__lt=import_cutoff)
    items = ImportRunItem.objects.filter(run__in=runs)
    reports = runs.exclude(errors=[])
    with transaction.atomic():
        counts = {
            "message_bodies": messages.count(),
            "import_items": items.count(),
            "import_reports": reports.count(),
        }
        if not dry_run:
            messages.update(context={})
            items.delete()
            reports.update(errors=[])
    return counts


class Command(BaseCommand):
    help = (
        "Clear the bodies of old messages (CLIENTBASE_MESSAGE_BODY_RETENTION_DAYS) and what old "
        "imports kept of the rows they changed (CLIENTBASE_IMPORT_FILE_RETENTION_DAYS); prints the counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = purge(dry_run=options["dry_run"])
        verb = "Would clear" if options["dry_run"] else "Cleared"
        self.stdout.write(
            f"{verb} {counts['message_bodies']} message bodies, {counts['import_items']} import items "
            f"and {counts['import_reports']} import reports."
        )
