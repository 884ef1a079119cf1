"""`clientbase export contacts [--format csv|xlsx|vcf] [-o FILE] [--customer ID] [--user USERNAME]`."""

from __future__ import annotations

import io
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase.acting import acting_user
from clientbase.customers.models import Customer
from clientbase.errors import ValidationFailed
from clientbase.text import counted
from clientbase.transfer.exporters import FORMATS, contacts_for_export, export_contacts


class Command(BaseCommand):
    help = (
        "Export the contacts the user may see, as CSV (the import's columns), XLSX or vCard 4. Runs "
        "as --user, by default as the first active superuser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["contacts"], help="What to export.")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            help="Default: the ending of the --output file (.csv, .xlsx, .vcf), else csv.",
        )
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")
        parser.add_argument("--customer", help="Only this customer's contacts (id or number C-000042).")
        parser.add_argument(
            "--user", help="The username the export runs as (default: the first active superuser)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        params: dict[str, str] = {}
        if customer := options["customer"]:
            if not customer.isdigit():
                found = Customer.objects.filter(number=customer).values_list("pk", flat=True).first()
                if found is None:
                    raise CommandError(f"No customer numbered {customer}.")
                customer = str(found)
            params["customer"] = customer
        output = options["output"] or ""
        ending = output.rpartition(".")[2].lower() if "." in output else ""
        options["format"] = options["format"] or (ending if ending in FORMATS else "csv")
        try:
            contacts = contacts_for_export(user, {**params, "format": options["format"]})
            if options["output"]:
                with open(options["output"], "wb") as target:
                    export_contacts(contacts, options["format"], target)
                written = counted(contacts.count(), "contact")
                self.stderr.write(f"Wrote {written} to {options['output']} ({options['format'].upper()}).")
            else:
                self._to_stdout(contacts, options["format"])
        except ValidationFailed as error:
            raise CommandError(str(error.errors)) from error
        except BrokenPipeError:
            # The reader stopped early (`| head`): what it read is what it wanted; say nothing more.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _to_stdout(self, contacts: Any, fmt: str) -> None:
        stream = getattr(self.stdout, "_out", sys.stdout)
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
            export_contacts(contacts, fmt, binary)
            binary.flush()
        elif fmt == "xlsx":
            raise CommandError("An XLSX workbook is binary: write it to a file with -o FILE.")
        else:  # a text stream (call_command with stdout=StringIO)
            data = io.BytesIO()
            export_contacts(contacts, fmt, data)
            stream.write(data.getvalue().decode("utf-8-sig"))
