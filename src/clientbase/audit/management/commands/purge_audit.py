"""`clientbase purge_audit [--dry-run]`: delete the audit events older than
`CLIENTBASE_AUDIT_RETENTION_DAYS` days (365) and print how many."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from clientbase.audit.models import AuditEvent


class Command(BaseCommand):
    help = "Delete audit events older than CLIENTBASE_AUDIT_RETENTION_DAYS days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count them, delete nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = int(settings.CLIENTBASE_AUDIT_RETENTION_DAYS)
        cutoff = timezone.now() - datetime.timedelta(days=days)
        old = AuditEvent.objects.filter(at__lt=cutoff)
        if options["dry_run"]:
            self.stdout.write(f"{old.count()} audit events older than {days} days would be deleted.")
            return
        deleted, _ = old.delete()
        self.stdout.write(f"{deleted} audit events older than {days} days deleted.")
