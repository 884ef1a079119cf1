"""`clientbase import contacts FILE [--dry-run] [--match id,external_id,email] [--blank keep|clear]
[--map "Column=field" ...] [--user USERNAME]`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from clientbase.acting import acting_user
from clientbase.errors import ServiceError, ValidationFailed
from clientbase.text import counted
from clientbase.transfer.columns import HeaderRefused
from clientbase.transfer.kinds import KINDS
from clientbase.transfer.limits import Limits
from clientbase.transfer.services import import_file


class ProgressBar:
    """A tqdm bar on stderr: rows handled, rows/s and the time left."""

    def __init__(self, stream: Any, disable: bool):
        self.stream = stream
        self.disable = disable
        self.bar: tqdm | None = None

    def start(self, total: int) -> None:
        self.bar = tqdm(total=total, unit="rows", file=self.stream, disable=self.disable, dynamic_ncols=True)

    def advance(self, rows: int = 1) -> None:
        if self.bar is not None:
            self.bar.update(rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Import contacts, customers, locations or contracts from a CSV or XLSX file (see "
        "docs/import-export.md for the columns). Prints the report as JSON; exit status 1 when any "
        "row was refused (with a commit the other rows were imported). Runs as --user, by default "
        "as the first active superuser. Files of any size and length are read; the caps on "
        "columns, on a value's length and on what an XLSX workbook unpacks to apply as to uploads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=list(KINDS), help="What the file holds.")
        parser.add_argument("file", help="A .csv (UTF-8, UTF-16 or Windows-1252; , ; or tab) or .xlsx file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report; change nothing.")
        parser.add_argument(
            "--match",
            help="The keys a row is matched on, in order (contacts: id,external_id,email; customers: "
            "number,name; locations: code,name; contracts: id,number).",
        )
        parser.add_argument(
            "--blank",
            choices=["keep", "clear"],
            default="keep",
            help="What a blank cell does: keep the stored value (the default) or clear it.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help='A file column and the column it stands for ("Mobile Phone=mobile"), or nothing to '
            'ignore it ("Fax="); repeat for more. Recognised headers need none.',
        )
        parser.add_argument(
            "--user", help="The username the import runs as (default: the first active superuser)."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        mapping: dict[str, str] = {}
        for item in options["map"]:
            column, equals, field = item.partition("=")
            if not equals or not column.strip():
                raise CommandError(f"--map takes COLUMN=FIELD (or COLUMN= to ignore it), not “{item}”.")
            mapping[column.strip()] = field.strip()
        user = acting_user(options["user"])
        stderr = getattr(self.stderr, "_out", self.stderr)
        progress = ProgressBar(stderr, disable=options["no_progress"])
        try:
            with path.open("rb") as file:
                report = import_file(
                    acting_user=user,
                    kind=options["kind"],
                    file=file,
                    dry_run=options["dry_run"],
                    match=options["match"],
                    blank=options["blank"],
                    mapping=mapping,
                    filename=path.name,
                    progress=progress,
                    limits=Limits.command_line(),  # files of any length; the other caps stay
                )
        except ValidationFailed as error:
            problems = "; ".join(message for messages in error.errors.values() for message in messages)
            if isinstance(error, HeaderRefused):
                problems += ' Place a column with --map "Column=field", or ignore it with --map "Column=".'
            raise CommandError(f"{problems} Nothing was imported.") from error
        except ServiceError as error:
            raise CommandError(f"{error.message} Nothing was imported.") from error
        finally:
            progress.close()
        self.stdout.write(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        summary = (
            f"{'Dry run: would create' if report.dry_run else 'Created'} {report.created}, "
            f"{'update' if report.dry_run else 'updated'} {report.updated}, unchanged {report.unchanged}, "
            f"{counted(len({error['row'] for error in report.errors}), 'row')} refused."
        )
        if report.run is not None:
            summary += f" Import {report.run.pk} recorded."
        self.stderr.write(summary)
        if report.errors:
            raise SystemExit(1)
