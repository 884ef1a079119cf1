"""The staff dashboard of data quality (`/quality/`: how many objects break each rule, the
completeness of the customers on the page, the findings a page at a time, filtered by rule,
severity and customer), the findings sections of the customer and contact pages, and the pages of
merging duplicate contacts (`/contacts/merge/`: choose field by field, preview, confirm; a merge's
page `/merges/<id>/` with its undo), which apply the rules of the API's merge (`quality.api`) and
of `quality.merge`."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

from clientbase import access
from clientbase.api.filters import parse_id
from clientbase.audit.events import record_refusal
from clientbase.contacts.duplicates import duplicate_pairs
from clientbase.contacts.models import Contact, ContactLocation
from clientbase.customers.models import Customer
from clientbase.errors import Conflict, Forbidden, NotFound, Stale, ValidationFailed
from clientbase.keyset import BadCursor
from clientbase.pages import ActionView, StaffPage
from clientbase.phones import format_phone
from clientbase.quality import selectors
from clientbase.quality.api import checked_values, still_of_its_customer, visible_merge
from clientbase.quality.merge import merge_contacts_as_seen, references_to, taken_over, undo_merge
from clientbase.quality.models import Merge
from clientbase.quality.rules import BY_NAME, Severity
from clientbase.vocabulary import ContactRole, NotificationCategory

PAGE_SIZE = 50
SECTION_SIZE = 10


class QualityPage(StaffPage):
    """`/quality/?rule=&severity=&customer=&cursor=`: counts per rule (each a link to its findings),
    then the findings. A customer the user may not see is a 404, as everywhere."""

    section = "quality"
    model = Customer
    template_name = "quality/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        params = self.request.GET
        rule = params.get("rule") if params.get("rule") in BY_NAME else None
        severity = params.get("severity") if params.get("severity") in Severity.values else None
        # A filter value that names nothing lists nothing (never everything), as the lists do.
        nothing = bool(
            (params.get("rule") and rule is None)
            or (params.get("severity") and severity is None)
            or (params.get("customer") and parse_id(params["customer"]) is None)
        )
        customer = None
        if params.get("customer") and not nothing:
            customer = access.fetch(self.user, Customer.objects.all(), parse_id(params["customer"]))
        customer_id = customer.pk if customer is not None else None
        every_rule = selectors.visible_rules(self.user)
        counted, counted_at = selectors.dashboard_counts(self.user, every_rule, customer=customer_id)
        shown = [] if nothing else selectors.visible_rules(self.user, rule=rule, severity=severity)
        try:
            page = selectors.findings_page(
                self.user, shown, cursor=params.get("cursor", ""), size=PAGE_SIZE, customer=customer_id
            )
        except BadCursor:
            page = selectors.findings_page(self.user, shown, size=PAGE_SIZE, customer=customer_id)
        filters = {key: value for key, value in (("rule", rule), ("severity", severity)) if value}
        if customer is not None:
            filters["customer"] = str(customer.pk)
        total = sum(counted.values())
        names, completeness = self._customers(page.findings)
        context.update(
            rules=[
                {
                    "rule": item,
                    "count": counted[item.name],
                    "share": round(100 * counted[item.name] / total) if total else 0,
                    "link": "?"
                    + urlencode({**{k: v for k, v in filters.items() if k == "customer"}, "rule": item.name}),
                }
                for item in every_rule
            ],
            total=total,
            counted_at=counted_at,
            selected={
                "rule": rule or "",
                "severity": severity or "",
                "customer": customer,
                "nothing": nothing,
            },
            severities=Severity.choices,
            findings=[
                {"finding": finding, "customer_name": names.get(finding.customer_id or 0, "")}
                for finding in page.findings
            ],
            completeness=completeness,
            page={
                "has_next": page.next is not None,
                "has_previous": page.previous is not None,
                "next_url": "?" + urlencode({**filters, "cursor": page.next}) if page.next else "",
                "previous_url": "?" + urlencode({**filters, "cursor": page.previous})
                if page.previous
                else "",
                "number": 0,
            },
        )
        return context

    def _customers(self, findings: list[selectors.Finding]) -> tuple[dict[int, str], list[dict[str, Any]]]:
        """The names of the customers of the page's findings ({id: name}, one query), and their
        completeness: the share of the customer rules each passes (one query)."""
        ids = list(dict.fromkeys(f.customer_id for f in findings if f.customer_id is not None))
        names = dict(
            access.restrict(self.user, Customer.objects.filter(pk__in=ids), access.VIEW).values_list(
                "pk", "name"
            )
        )
        passed = selectors.completeness(self.user, [pk for pk in ids if pk in names])
        shares = [{"id": pk, "name": names[pk], "percent": passed[pk]} for pk in ids if pk in passed]
        return names, shares


def customer_findings_section(request: HttpRequest, customer: Customer) -> dict[str, Any] | None:
    """The customer page's findings: its own and those of its locations, assets and contacts (the
    first SECTION_SIZE, with a link to the rest), and its likely duplicate contacts."""
    if not access.is_staff(request.user):
        return None
    rules = selectors.visible_rules(request.user)
    findings, more = selectors.findings_of(request.user, rules, customer=customer.pk, limit=SECTION_SIZE)
    pairs = duplicate_pairs(request.user, customer.pk, limit=SECTION_SIZE)
    return {
        "findings": findings,
        "more": more,
        "all_link": f"?customer={customer.pk}",
        "pairs": pairs,
        # Each pair links to its merge page for those who may merge (change and delete contacts).
        "may_merge": may_merge(request.user),
    }


def contact_findings_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """The contact page's findings about the contact itself."""
    if not access.is_staff(request.user):
        return None
    rules = selectors.visible_rules(request.user)
    findings, _ = selectors.findings_of(request.user, rules, contact=contact.pk, limit=SECTION_SIZE)
    return {"findings": findings, "more": False, "all_link": ""}


def contact_merges_section(request: HttpRequest, contact: Contact) -> dict[str, Any] | None:
    """The contact page's merges into it (the newest first, at most SECTION_SIZE), each a link to
    its record and its undo; None when there are none or the user is not staff."""
    if not access.is_staff(request.user):
        return None
    merges = list(
        Merge.objects.filter(into=contact)
        .filter(still_of_its_customer())
        .order_by("-created_at", "-id")[:SECTION_SIZE]
    )
    return {"merges": merges} if merges else None


# Merging duplicate contacts -----------------------------------------------------------------------

# The fields a merge chooses field by field, with their labels (as the contact form names them):
# plain fields of `ContactSerializer`, so the chosen values are checked as the API checks a merge's.
MERGE_FIELDS: tuple[tuple[str, str], ...] = (
    ("salutation", "Salutation"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("title", "Title"),
    ("department", "Department"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("mobile", "Mobile"),
    ("secondary_phone", "Other phone"),
    ("preferred_channel", "Preferred channel"),
    ("notes", "Notes"),
    ("external_id", "External ID"),
)
PHONES = ("phone", "mobile", "secondary_phone")
# How many contacts one merge page takes (the kept one included).
MERGED_AT_LEAST, MERGED_AT_MOST = 2, 5
# The hidden input of the versions the page showed: "id:version,id:version".
_SEEN = re.compile(r"([0-9]{1,18}):([0-9]{1,18})")
# Names of what points at a contact, where the model's own would read oddly.
REFERENCE_NAMES = {("contacts.Contact", "reports_to"): ("direct report", "direct reports", "")}


def may_merge(user: Any) -> bool:
    """Whether to offer merging at all: a merge changes the kept contact and deletes the others
    (`merge.merge_contacts` asks for each row; this is the model-level answer, no query)."""
    return access.can(user, access.CHANGE, Contact) and access.can(user, access.DELETE, Contact)


def parse_contact_ids(text: str) -> list[int]:
    """The contact ids of `?contacts=ID,ID[,...]`, in order; ValidationFailed with a message for
    the page when they are not MERGED_AT_LEAST to MERGED_AT_MOST distinct ids."""
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        raise ValidationFailed(
            f"Name {MERGED_AT_LEAST} to {MERGED_AT_MOST} contacts to merge, their ids separated by "
            "commas (contacts=12,15): the “Merge…” link of a likely duplicate pair does."
        )
    if not MERGED_AT_LEAST <= len(parts) <= MERGED_AT_MOST:
        named = f"{len(parts)} {'was' if len(parts) == 1 else 'were'} named"
        raise ValidationFailed(f"A merge takes {MERGED_AT_LEAST} to {MERGED_AT_MOST} contacts; {named}.")
    ids = []
    for part in parts:
        pk = parse_id(part)
        if pk is None:
            raise ValidationFailed(f"“{part[:40]}” is not a contact id.")
        ids.append(pk)
    repeated = next((pk for pk in ids if ids.count(pk) > 1), None)
    if repeated is not None:
        raise ValidationFailed(f"Contact {repeated} is named twice: name each contact once.")
    return ids


def parse_seen(text: str) -> dict[int, int]:
    """The hidden `seen` input, {contact id: version the page showed}; what does not parse is left
    out (that contact is then not compared)."""
    return {int(pk): int(version) for pk, version in _SEEN.findall(text[:400])}


def readable(contact: Contact, name: str) -> str:
    """A field of `contact` as people read it: phones formatted, a choice by its label; "" for empty."""
    value = getattr(contact, name)
    if name in PHONES:
        return format_phone(value)
    if name == "preferred_channel":
        return str(contact.get_preferred_channel_display()) if value else ""
    return "" if value is None else str(value)


def reference_text(model: type[Model], name: str, count: int) -> str:
    """ "3 work orders (requested by)": `count` rows of `model` whose `name` points at a contact."""
    if model is ContactLocation:
        return f"{count} location link{'' if count == 1 else 's'}"
    one, many, how = REFERENCE_NAMES.get(
        (model._meta.label, name),
        (
            str(model._meta.verbose_name),
            str(model._meta.verbose_name_plural),
            str(getattr(model._meta.get_field(name), "verbose_name", name)),
        ),
    )
    return f"{count} {one if count == 1 else many}{f' ({how})' if how else ''}"


def names_text(names: Sequence[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass
class MergeChoices:
    """What the user chose: the contact kept, whose value each field takes, whose portal login
    survives (None unless more than one contact has one: then the service needs to be told)."""

    keep: Contact
    fields: dict[str, Contact]
    login: Contact | None
    # Problems with the choices themselves (a keep that names none of the contacts).
    errors: list[str] = field(default_factory=list)

    def values(self) -> dict[str, Any]:
        """The chosen values that differ from the kept contact's stored ones, by the API's field
        names (as `ContactMergeView`'s `values`)."""
        return {
            name: getattr(source, name)
            for name, source in self.fields.items()
            if getattr(source, name) != getattr(self.keep, name)
        }


class MergeContactsPage(StaffPage):
    """`/contacts/merge/?contacts=ID,ID[,...]` (2 to 5 contacts of one customer; the first kept by
    default): a table of their fields, one column per contact, each cell a radio button with that
    contact's value, to choose field by field (by default the kept contact's value when it has
    one, else the first other contact's that is not empty), the contact kept and, when more than
    one has a portal login, whose survives; then what points at each contact (it moves to the kept
    one). POST `action=preview`: the resulting contact and what moves, with the choices in hidden
    inputs; `action=back`: the choices again; `action=confirm`: the chosen values that differ from
    the kept contact's are checked by `ContactSerializer` (as the API's merge checks them) and
    `merge.merge_contacts_as_seen` merges, then the merge's page with "Merged Bob Smith into
    Robert Smith.".

    Staff who may view contacts (others 403; a confirmation from one who may not change and delete
    contacts too, before anything is read); a contact the user may not see is a 404; ids that
    are not 2 to 5 distinct contacts, or contacts of different customers, are a message on the
    page (400). A refusal shows the choices again with the reason, nothing written: bad values
    next to their fields, Forbidden as a 403, a Conflict as a 409, and a contact changed since the
    page showed it (the `seen` versions) as a 409 with its current values."""

    section = "contacts"
    model = Contact
    template_name = "quality/merge.html"
    contacts: list[Contact]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        problem = self.load(request.GET.get("contacts", ""))
        if problem:
            return self.problem(problem)
        return self.choose(self.default_choices(self.contacts[0]))

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        problem = self.load(request.POST.get("contacts", ""))
        if problem:
            return self.problem(problem)
        action = request.POST.get("action", "")
        if action == "confirm":  # offered only to those who may merge: the others get a bare 403
            access.require_model(self.user, access.CHANGE, Contact)
            access.require_model(self.user, access.DELETE, Contact)
        choices = self.posted_choices()
        if choices.errors or action not in ("preview", "confirm"):
            return self.choose(choices, errors=choices.errors)
        if action == "confirm":
            return self.confirm(choices)
        changed = self.changed_since(parse_seen(request.POST.get("seen", "")))
        if changed:
            return self.choose(choices, errors=[self.changed_text(changed)], status=409)
        try:
            self.checked_values(choices)
        except ValidationFailed as error:
            return self.choose(choices, refusal=error)
        return self.response_class(
            request=request,
            template=["quality/merge_preview.html"],
            context=self.context(choices, preview=True),
            using=self.template_engine,
        )

    # Reading the request ------------------------------------------------------------------------

    def load(self, text: str) -> str:
        """Read the contacts named (`self.contacts`, in the order named); answers what is wrong with
        them for the page ("" when nothing is). NotFound for one the user may not see."""
        try:
            ids = parse_contact_ids(text)
        except ValidationFailed as error:
            return error.message
        found = {
            contact.pk: contact
            for contact in access.restrict(
                self.user, Contact.objects.filter(pk__in=ids).select_related("customer", "user"), access.VIEW
            )
        }
        if any(pk not in found for pk in ids):
            raise NotFound("Contact not found.")
        self.contacts = [found[pk] for pk in ids]
        customers = {contact.customer_id for contact in self.contacts}
        if len(customers) > 1:
            named = ", ".join(
                f"{contact.full_name} ({contact.customer.name if contact.customer else 'no customer'})"
                for contact in self.contacts
            )
            return (
                f"Only contacts of one customer can be merged: {named}. Move a contact to the other's "
                "customer first, if they are one person."
            )
        return ""

    def default_choices(self, keep: Contact) -> MergeChoices:
        """Each field from `keep` when it has a value there, else from the first other contact that
        has one; the login of `keep` when it has one, else the first contact's that has."""
        others = [contact for contact in self.contacts if contact.pk != keep.pk]
        fields = {
            name: next((c for c in [keep, *others] if getattr(c, name) not in ("", None)), keep)
            for name, _label in MERGE_FIELDS
        }
        holders = self.login_holders()
        login = None
        if len(holders) > 1:
            login = keep if keep in holders else holders[0]
        return MergeChoices(keep=keep, fields=fields, login=login)

    def login_holders(self) -> list[Contact]:
        return [contact for contact in self.contacts if contact.user_id is not None]

    def posted_choices(self) -> MergeChoices:
        """The choices of the posted form; a field or login not chosen takes its default, a kept
        contact that names none of the contacts is an error (the first contact shown kept)."""
        post = self.request.POST
        by_id = {str(contact.pk): contact for contact in self.contacts}
        keep = by_id.get(post.get("keep", ""))
        if keep is None:
            choices = self.default_choices(self.contacts[0])
            choices.errors.append("Choose the contact to keep.")
            return choices
        choices = self.default_choices(keep)
        for name, _label in MERGE_FIELDS:
            chosen = by_id.get(post.get(name, ""))
            if chosen is not None:
                choices.fields[name] = chosen
        holders = self.login_holders()
        chosen_login = by_id.get(post.get("keep_login", ""))
        if choices.login is not None and chosen_login in holders:
            choices.login = chosen_login
        return choices

    def changed_since(self, seen: Mapping[int, int]) -> list[Contact]:
        """The contacts whose version is not the one the page showed (`seen`)."""
        return [c for c in self.contacts if c.pk in seen and seen[c.pk] != c.version]

    @staticmethod
    def changed_text(changed: Sequence[Contact]) -> str:
        verb = "was" if len(changed) == 1 else "were"
        return (
            f"{names_text([contact.full_name for contact in changed])} {verb} changed by someone else "
            "since this page showed them, so nothing was merged. The current values are shown now: "
            "check your choices and preview the merge again."
        )

    def checked_values(self, choices: MergeChoices) -> dict[str, Any]:
        """The chosen values checked as the API's merge checks them (`ContactSerializer`, partial,
        against the kept contact); ValidationFailed with the serializer's errors by field."""
        values, errors = checked_values(choices.keep, choices.values(), self.request)
        if errors:
            raise ValidationFailed({name: [str(text) for text in texts] for name, texts in errors.items()})
        return values

    # Answers ------------------------------------------------------------------------------------

    def confirm(self, choices: MergeChoices) -> HttpResponse:
        """Merge as chosen; the merge's page with a message, or the choices again with the refusal."""
        others = [contact for contact in self.contacts if contact.pk != choices.keep.pk]
        try:
            values = self.checked_values(choices)
            merge = merge_contacts_as_seen(
                acting_user=self.user,
                into=choices.keep.pk,
                others=[contact.pk for contact in others],
                seen=parse_seen(self.request.POST.get("seen", "")),
                values=values,
                keep_login=choices.login.pk if choices.login is not None else None,
            )
        except Stale:
            problem = self.load(self.request.POST.get("contacts", ""))  # their values now
            if problem:  # moved to another customer since, say
                return self.problem(problem)
            changed = self.changed_since(parse_seen(self.request.POST.get("seen", "")))
            return self.choose(self.posted_choices(), errors=[self.changed_text(changed)], status=409)
        except ValidationFailed as error:
            return self.choose(choices, refusal=error)
        except Forbidden as error:
            record_refusal(self.request, error.message, surface="pages")
            return self.choose(choices, errors=[error.message], status=403)
        except Conflict as error:
            return self.choose(choices, errors=[error.message], status=409)
        messages.success(
            self.request,
            f"Merged {names_text([c.full_name for c in others])} into {merge.into_name}.",
        )
        return HttpResponseRedirect(reverse("quality:merge-detail", args=[merge.pk]))

    def problem(self, text: str) -> HttpResponse:
        """The page with only what is wrong with the contacts named (400)."""
        context = self.get_context_data(problem=text)
        return self.render_to_response(context, status=400)

    def choose(
        self,
        choices: MergeChoices,
        *,
        errors: Sequence[str] = (),
        refusal: ValidationFailed | None = None,
        status: int = 200,
    ) -> HttpResponse:
        """The choose page; `errors` above the table, a refusal's messages next to their rows (those
        of no row above the table too)."""
        context = self.context(choices, preview=False)
        shown = list(errors)
        field_errors: dict[str, list[str]] = {}
        rows = {name for name, _label in MERGE_FIELDS} | (
            {"keep_login"} if context["login_choice"] else set()
        )
        for key, texts in (refusal.errors if refusal is not None else {}).items():
            if key in rows:
                field_errors[key] = texts
            else:
                shown += texts
        if field_errors and not shown:
            shown.append("Nothing was merged: please correct the values marked below.")
        for row in context["rows"]:
            row["errors"] = field_errors.get(row["name"], [])
        context.update(errors=shown, login_errors=field_errors.get("keep_login", []))
        return self.render_to_response(context, status=status)

    def context(self, choices: MergeChoices, *, preview: bool) -> dict[str, Any]:
        """What both steps show: the rows of fields (each cell a contact's value, the one chosen
        marked), the contacts, what points at each, the choices as hidden inputs."""
        contacts, keep = self.contacts, choices.keep
        others = [contact for contact in contacts if contact.pk != keep.pk]
        rows = []
        for name, label in MERGE_FIELDS:
            source = choices.fields[name]
            texts = [readable(contact, name) for contact in contacts]
            rows.append(
                {
                    "name": name,
                    "label": label,
                    "cells": [
                        {"contact": contact, "text": text, "chosen": contact.pk == source.pk}
                        for contact, text in zip(contacts, texts, strict=True)
                    ],
                    "differ": len(set(texts)) > 1,
                    "chosen": {
                        "contact": source,
                        "text": readable(source, name),
                        "changed": getattr(source, name) != getattr(keep, name),
                    },
                }
            )
        takes = taken_over(keep, others)
        also = []
        if "roles" in takes:
            also.append("roles: " + ", ".join(ContactRole.labels_of(takes["roles"])))
        if "notify" in takes:
            also.append(
                "notified of: "
                + ", ".join(
                    NotificationCategory.labels_of([c for c, on in takes["notify"].items() if on])
                ).lower()
            )
        if "approval_limit" in takes:
            limit = takes["approval_limit"]
            also.append(f"approval limit: {limit if limit is not None else 'none'}")
        if "reports_to" in takes:
            also.append(f"line manager: {takes['reports_to'].full_name}")
        counted = references_to([contact.pk for contact in contacts], kept=keep.pk)
        pointing = {
            contact.pk: [
                reference_text(model, name, counts[contact.pk])
                for model, name, counts in counted
                if counts.get(contact.pk)
            ]
            for contact in contacts
        }
        holders = self.login_holders()
        login_from = choices.login or (holders[0] if len(holders) == 1 else None)
        return self.get_context_data(
            preview=preview,
            contacts=[
                {"contact": contact, "pointing": pointing[contact.pk], "kept": contact.pk == keep.pk}
                for contact in contacts
            ],
            customer=contacts[0].customer,
            keep=keep,
            others=[{"contact": contact, "pointing": pointing[contact.pk]} for contact in others],
            others_names=names_text([contact.full_name for contact in others]),
            rows=rows,
            login_choice=choices.login is not None,
            login=choices.login,
            login_from=login_from,
            primary_merged=next((contact for contact in others if contact.is_primary), None),
            also=also,
            ids=",".join(str(contact.pk) for contact in contacts),
            seen=",".join(f"{contact.pk}:{contact.version}" for contact in contacts),
            may_merge=may_merge(self.user),
            errors=[],
            login_errors=[],
        )


def _row_name(row: Mapping[str, Any]) -> str:
    """The name of a contact from its stored row (a merge record's `others`)."""
    columns = row.get("fields", {})
    return " ".join(part for part in (columns.get("first_name"), columns.get("last_name")) if part)


def moved_texts(record: Mapping[str, Any]) -> list[str]:
    """What a merge moved (`record["moved"]`), counted per model and field: "3 work orders
    (requested by)"; then the location links it added."""
    counted: dict[tuple[str, str], int] = {}
    for moved in record.get("moved", []):
        key = (moved["model"], moved["field"])
        counted[key] = counted.get(key, 0) + len(moved["ids"])
    texts = []
    for (label, name), count in counted.items():
        try:
            texts.append(reference_text(apps.get_model(label), name, count))
        except (LookupError, ValueError, FieldDoesNotExist):  # a model or field gone since: its label
            texts.append(f"{count} of {label}.{name}")
    links = len(record.get("links_added", []))
    if links:
        texts.append(reference_text(ContactLocation, "contact", links))
    return texts


class MergeDetailPage(StaffPage):
    """`/merges/<id>/`: a merge (`quality.models.Merge`): the kept contact (a link), the contacts
    merged away, when and by whom, what moved (counted per model and field, from its record), and
    whether it was undone; an "Undo merge" button while it is not, for users who may undo it
    (change the kept contact, add contacts). A merge whose kept contact the user may not see is a
    404 (`quality.api.visible_merge`, as the API)."""

    section = "contacts"
    model = Contact
    template_name = "quality/merge_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        merge: Merge = visible_merge(self.user, self.kwargs["pk"])
        kept = access.fetch(self.user, Contact.objects.select_related("customer"), merge.into_id)
        others = [
            {"id": other["id"], "name": _row_name(other.get("row", {}))}
            for other in merge.record.get("others", [])
        ]
        back = set(
            access.restrict(
                self.user, Contact.objects.filter(pk__in=[other["id"] for other in others]), access.VIEW
            ).values_list("pk", flat=True)
        )
        for other in others:
            other["exists"] = other["id"] in back
        login = merge.record.get("login")
        login_from = (
            next((other["name"] for other in others if other["id"] == login.get("from")), "") if login else ""
        )
        context.update(
            merge=merge,
            kept=kept,
            others=others,
            moved=moved_texts(merge.record),
            login_from=login_from,
            can_undo=merge.undone_at is None
            and access.allowed(self.user, access.CHANGE, kept)
            and access.can(self.user, access.ADD, Contact),
        )
        return context


class MergeUndoView(ActionView):
    """POST `/merges/<id>/undo/`: undo a merge (`merge.undo_merge`), then its page with "Merge
    undone."; a Conflict (undone already, or changed since) is its message there as an error,
    Forbidden a 403, a merge whose kept contact the user may not see a 404."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        undo_merge(merge=visible_merge(self.user, pk), acting_user=self.user)
        messages.success(request, "Merge undone.")
        return HttpResponseRedirect(reverse("quality:merge-detail", args=[pk]))

    def get_conflict_url(self) -> str:
        return reverse("quality:merge-detail", args=[self.kwargs["pk"]])
