"""`clientbase export contacts|contracts [--format csv|xlsx|vcf] [-o FILE] [--customer ID]
[--user USERNAME]`."""

from __future__ import annotations

import io
import os
import sys
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clientbase import access
from clientbase.acting import acting_user
from clientbase.contracts.models import Contract
from clientbase.customers.models import Customer
from clientbase.errors import ValidationFailed
from clientbase.text import counted
from clientbase.transfer.exporters import (
    CONTRACT_FORMATS,
    FORMATS,
    contacts_for_export,
    contracts_for_export,
    export_contacts,
    export_contracts,
)


class Command(BaseCommand):
    help = (
        "Export the contacts the user may see, as CSV (the import's columns), XLSX or vCard 4, or its "
        "contracts as CSV or XLSX. Runs as --user, by default as the first active superuser."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["contacts", "contracts"], help="What to export.")
        parser.add_argument(
            "--format",
            choices=list(FORMATS),
            help="Default: the ending of the --output file (.csv, .xlsx, .vcf), else csv.",
        )
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")
        parser.add_argument(
            "--customer", help="Only this customer's contacts or contracts (id or number C-000042)."
        )
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
        kind = options["kind"]
        if kind == "contracts" and options["format"] not in CONTRACT_FORMATS:
            raise CommandError(f"Contracts are exported as {' or '.join(CONTRACT_FORMATS)}.")
        try:
            if kind == "contracts":
                rows: Any = contracts_for_export(user, {**params, "format": options["format"]})
                hidden = access.hidden_fields(user, Contract)
                export: Any = partial(export_contracts, hidden=hidden)
            else:
                rows = contacts_for_export(user, {**params, "format": options["format"]})
                export = export_contacts
            if options["output"]:
                with open(options["output"], "wb") as target:
                    export(rows, options["format"], target)
                written = counted(rows.count(), kind[:-1])
                self.stderr.write(f"Wrote {written} to {options['output']} ({options['format'].upper()}).")
            else:
                self._to_stdout(rows, options["format"], export)
        except ValidationFailed as error:
            raise CommandError(str(error.errors)) from error
        except BrokenPipeError:
            # The reader stopped early (`| head`): what it read is what it wanted; say nothing more.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())

    def _to_stdout(self, rows: Any, fmt: str, export: Any) -> None:
        stream = getattr(self.stdout, "_out", sys.stdout)
        binary = getattr(stream, "buffer", None)
        if binary is not None:
            stream.flush()
            export(rows, fmt, binary)
            binary.flush()
        elif fmt == "xlsx":
            raise CommandError("An XLSX workbook is binary: write it to a file with -o FILE.")
        else:  # a text stream (call_command with stdout=StringIO)
            data = io.BytesIO()
            export(rows, fmt, data)
            stream.write(data.getvalue().decode("utf-8-sig"))
