"""Contacts imported a chunk at a time: the rows of a chunk are matched, read and checked with a
fixed number of queries, then written together (`contacts.services.bulk_save_contacts`), with the
rules, figures, errors, history and revert data the one-by-one import (`services._import_row`)
gives them.

How a chunk goes:

1. The stored contacts the rows stand for are found with one query per match key
   (`ContactKind.find_many`), then read again locked, in one query.
2. Each row becomes its API body (`Kind.body`, as one by one), and the body is checked field by
   field by the fields of the kind's API serializer, the customers it names read in one query.
3. The rows the bulk write supports (`contacts.services.bulk_supports`) are written together; a row
   it does not support (one that makes a contact primary, which un-marks another contact; one that
   sets locations or portal access; a contact with a login) goes through the one-by-one import, in
   its place: the rows before it are written first, the rows after it are read again after it.
4. When the database refuses anything of a batch (a unique external id, a check constraint) the
   batch is rolled back and its rows go one by one, which names the row that breaks the rule.

A row with an error is reported with every error of the row, as one by one; the rows of a chunk are
reported in their order."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import SkipField, get_error_detail
from rest_framework.relations import RelatedField

from clientbase import access
from clientbase.api.viewsets import StrictSerializerMixin
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Customer
from clientbase.transfer.kinds import ContactKind, RowError
from clientbase.transfer.models import ImportRunItem
from clientbase.transfer.readers import formula_errors

# A chunk whose rows go one by one this often is finished one by one (each such row makes the rows
# after it be read again).
ONE_BY_ONE_LIMIT = 10

ImportRow = Callable[[int, Mapping[str, str], list[ImportRunItem] | None], None]


@dataclass
class Prepared:
    """One row of a chunk, read and checked: `errors` to report, or `data` for the bulk write of
    `contact` (None: a new contact), or `one_by_one`."""

    number: int
    row: Mapping[str, str]
    errors: list[tuple[str, str]] = field(default_factory=list)
    contact: Contact | None = None
    data: dict[str, Any] | None = None
    one_by_one: bool = False


def checks_fields_only(serializer: serializers.Serializer) -> bool:
    """Whether `serializer` checks a body field by field and nothing more (no `validate`, no
    `validate_<field>`, no validators of the whole body, the strict check of unknown fields): what
    `ContactChunks.validate` does. Otherwise every row goes through the serializer itself."""
    kind = type(serializer)
    return (
        kind.validate is serializers.Serializer.validate
        and kind.to_internal_value is StrictSerializerMixin.to_internal_value
        and not serializer.get_validators()
        and not any(hasattr(serializer, f"validate_{name}") for name in serializer.fields)
    )


class ContactChunks:
    """Imports the chunks of one contacts import: `import_chunk` for each. `import_row(number, row,
    items)` is the one-by-one import of a row (it reports the row itself); `report` and `items` are those
    of `services.import_file` (`items` None for a dry run)."""

    def __init__(
        self,
        spec: ContactKind,
        keys: tuple[str, ...],
        conflicts: Mapping[int, list[tuple[str, str]]],
        report: Any,
        import_row: ImportRow,
        advance: Callable[[], None],
    ):
        self.spec = spec
        self.keys = keys
        self.conflicts = conflicts
        self.report = report
        self.import_row = import_row
        self.advance = advance
        serializer = spec.serializer_class(context=spec.context)
        self.fields = serializer.fields
        self.fields_only = checks_fields_only(serializer)

    def import_chunk(
        self, chunk: Sequence[tuple[int, Mapping[str, str]]], items: list[ImportRunItem] | None
    ) -> None:
        """Import the rows of `chunk` ([(row number, {column: cell})]), in the chunk's transaction."""
        pending = chunk
        one_by_one = 0
        while pending:
            if one_by_one >= ONE_BY_ONE_LIMIT:
                for number, row in pending:
                    self.import_row(number, row, items)
                    self.advance()
                return
            prepared = self.prepare(pending)
            batch = next((index for index, row in enumerate(prepared) if row.one_by_one), len(prepared))
            self.write(prepared[:batch], items)
            if batch == len(prepared):
                return
            one_by_one += 1
            self.import_row(prepared[batch].number, prepared[batch].row, items)
            self.advance()
            pending = pending[batch + 1 :]

    # Reading ----------------------------------------------------------------------------------------

    def prepare(self, rows: Sequence[tuple[int, Mapping[str, str]]]) -> list[Prepared]:
        """The rows of `rows` read and checked, in order, with a fixed number of queries, up to the
        first that goes one by one (the rows after it are left unread)."""
        prepared = [Prepared(number, row) for number, row in rows]
        self.spec.resolver.prefetch_customers(row["customer"] for _, row in rows if "customer" in row)
        to_find = []
        for entry in prepared:
            if entry.number in self.conflicts:
                entry.errors = list(self.conflicts[entry.number])
            elif unread := formula_errors(entry.row):
                entry.errors = unread
            else:
                to_find.append((entry.number, entry.row))
        found = self.spec.find_many(to_find, self.keys)
        stored = Contact.objects.select_for_update().in_bulk(
            [match.pk for match in found.values() if isinstance(match, Contact)]
        )
        # The locations of the stored contacts, read in one query: a row naming the same ones (or
        # the same line manager, or portal access as it is) changes none of them (an export
        # imported again), and needs no one-by-one write for them.
        linked: dict[int, set[int]] = {pk: set() for pk in stored}
        for contact_id, location_id in ContactLocation.objects.filter(
            contact_id__in=list(stored)
        ).values_list("contact_id", "location_id"):
            linked[contact_id].add(location_id)
        # The customers the rows name (`Resolver.customer`, remembered), read in one query.
        named: set[int] = set()
        for number, row in to_find:
            if "customer" in row and not isinstance(found[number], RowError):
                with contextlib.suppress(RowError):  # reported when the row is read
                    named.add(self.spec.resolver.customer(row["customer"]) or 0)
        named.discard(0)
        customers = (
            access.restrict(self.spec.user, Customer.objects.filter(pk__in=named), access.VIEW).in_bulk()
            if named
            else {}
        )
        for entry in prepared:
            if entry.errors:
                continue
            match = found[entry.number]
            if isinstance(match, RowError):
                entry.errors = list(match.errors)
                continue
            if match is not None and match.pk not in stored:  # deleted since it was matched
                entry.one_by_one = True
                break
            entry.contact = stored[match.pk] if match is not None else None
            body, errors = self.spec.body(entry.row, entry.contact)
            if entry.contact is not None and set(body.get("locations") or ()) == linked[entry.contact.pk]:
                body.pop("locations", None)
            if entry.contact is not None and body.get("reports_to", 0) == entry.contact.reports_to_id:
                body.pop("reports_to")
            # Portal access as it is (off, for a new contact): no change for the portal to act on.
            portal = body.get("portal")
            enabled = entry.contact.portal_enabled if entry.contact is not None else False
            if isinstance(portal, dict) and set(portal) == {"enabled"} and portal["enabled"] is enabled:
                body.pop("portal")
            data, invalid, one_by_one = self.validate(body, entry.contact, customers)
            if one_by_one or not (invalid or errors or contact_services.bulk_supports(entry.contact, data)):
                # The rows after this one are read again once it is written.
                entry.one_by_one = True
                break
            if invalid or errors:
                # As one by one: the cells that could not be read, then what the API says of the
                # others (a column already named is not named twice).
                seen = {name for name, _ in errors}
                entry.errors = errors + [(name, message) for name, message in invalid if name not in seen]
            else:
                entry.data = data
        return prepared

    def validate(
        self, body: Mapping[str, Any], contact: Contact | None, customers: Mapping[int, Customer]
    ) -> tuple[dict[str, Any], list[tuple[str, str]], bool]:
        """`body` checked as the kind's serializer checks it (`is_valid`, partial for a stored
        contact): (the validated data, the errors as (column, message), whether the row must go
        through the serializer itself: a body naming what is not a plain field of it, a new
        contact lacking a required field, a customer not read)."""
        from clientbase.transfer.services import field_errors  # the services import this module

        if not self.fields_only or any(
            name not in self.fields or self.fields[name].read_only for name in body
        ):
            return {}, [], True
        data: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, serializer_field in self.fields.items():
            if serializer_field.read_only:
                continue
            if name not in body:
                if contact is None and serializer_field.required:
                    return {}, [], True
                continue
            value = body[name]
            if name == "customer" and value is not None:
                if value not in customers:
                    return {}, [], True
                data[name] = customers[value]
                continue
            if isinstance(serializer_field, RelatedField) or getattr(
                serializer_field, "child_relation", None
            ):
                return {}, [], True
            try:
                data[name] = serializer_field.run_validation(value)
            except ValidationError as error:
                errors[name] = error.detail
            except DjangoValidationError as error:
                errors[name] = get_error_detail(error)
            except SkipField:
                continue
        return data, field_errors(errors), False

    # Writing ----------------------------------------------------------------------------------------

    def write(self, prepared: list[Prepared], items: list[ImportRunItem] | None) -> None:
        """Write the rows of `prepared` (none one by one) together and report them in order; one by
        one when the bulk write is refused."""
        from clientbase.transfer.services import service_errors

        batch: list[tuple[Prepared, contact_services.BulkContact, dict[str, Any]]] = []
        for entry in prepared:
            if entry.data is None:
                continue
            before = (
                self.spec.snapshot(entry.contact, list(entry.data))
                if entry.contact is not None and items is not None
                else {}
            )
            batch.append((entry, contact_services.BulkContact(entry.contact, entry.data), before))
        try:
            contact_services.bulk_save_contacts(
                acting_user=self.spec.user, contacts=[item for _, item, _ in batch]
            )
        except contact_services.BulkRefused:
            for entry in prepared:
                self.import_row(entry.number, entry.row, items)
                self.advance()
            return
        outcomes = {entry.number: (item, before) for entry, item, before in batch}
        for entry in prepared:
            self.advance()
            if entry.number not in outcomes:
                self.report.add_errors(entry.number, entry.errors)
                continue
            item, before = outcomes[entry.number]
            if item.error is not None or item.saved is None:
                assert item.error is not None
                self.report.add_errors(entry.number, service_errors(item.error))
            elif item.contact is not None and not item.changed:
                self.report.unchanged += 1
            else:
                created = item.contact is None
                if created:
                    self.report.created += 1
                else:
                    self.report.updated += 1
                if items is not None:
                    action = ImportRunItem.Action.CREATED if created else ImportRunItem.Action.UPDATED
                    kept = {} if created else before
                    items.append(
                        ImportRunItem(row=entry.number, action=action, object_id=item.saved.pk, before=kept)
                    )
