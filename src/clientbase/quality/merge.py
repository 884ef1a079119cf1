"""Merging duplicate contacts into one, and undoing a merge.

`merge_contacts` keeps one contact (`into`) and merges others of the same customer into it, in one
transaction: every reference to a merged-away contact moves to `into` (every foreign key to a
contact, found from the models themselves: work orders' requester and site contact, quotes'
approver, messages, activities, direct reports' line manager; its locations, added to `into`'s;
the records of imports that created or changed it), one portal login at most survives (the one
the user picks, `keep_login`; the others close, as a deleted contact's does), `values` chosen
field by field are written to `into` through `contacts.services.update_contact` (its rules, its
history) over what it takes over by default (`taken_over`: every role and notification opt-in of
the contacts, a merged approver's limit, a line manager), a primary contact merged away leaves
`into` primary, and the merged-away contacts are
deleted through `delete_contact` (their history keeps them). A `Merge` records what an undo needs.

`undo_merge` puts everything back while nothing of it has changed since: `into` is as the merge
left it (its version), and every moved reference still points at it; otherwise it refuses
(Conflict) and says what changed. The merged-away contacts come back with their ids, columns and
locations; a portal login closed by the merge stays closed (passwords are never kept): send a new
invitation."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import apps
from django.core import serializers
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from clientbase import access
from clientbase.contacts import services as contact_services
from clientbase.contacts.models import (
    NOTIFY_CATEGORIES,
    ROLES,
    Contact,
    ContactLocation,
    contact_history_records,
)
from clientbase.contacts.policies import CHANGE_APPROVER_LOGIN
from clientbase.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clientbase.portal.services.accounts import close_portal_account
from clientbase.quality.models import Merge
from clientbase.transfer.models import ImportRunItem
from clientbase.versions import Versioned, lock
from clientbase.writes import refusals_as_conflicts, set_acting_user

# What a merged-away contact's portal login brings to `into` when it survives.
LOGIN_FIELDS = ("portal_enabled", "portal_permissions", "support_start", "support_end")


def references() -> list[tuple[type[models.Model], str]]:
    """(model, field) of every foreign key to a contact that a merge moves: all of them but the
    history tables' (which keep what was) and the location links (merged as a set)."""
    found = []
    for relation in Contact._meta.related_objects:
        field = relation.field
        model: Any = relation.related_model
        if not isinstance(field, models.ForeignKey) or model is ContactLocation:
            continue
        if model._meta.model_name.startswith("historical"):
            continue
        found.append((model, field.name))
    return found


def _row(contact: Contact) -> dict[str, Any]:
    """Every column of `contact` as stored, as JSON (Django's serializer)."""
    return json.loads(serializers.serialize("json", [contact]))[0]


def _locations(contact_id: int) -> list[int]:
    return list(
        ContactLocation.objects.filter(contact_id=contact_id)
        .order_by("pk")
        .values_list("location_id", flat=True)
    )


def _fetch(user: Any, pk: Any, action: str, field: str) -> Contact:
    if not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationFailed({field: ["A contact id."]})
    contact = access.fetch(user, Contact.objects.all(), pk)
    access.require(user, action, contact)
    return contact


@transaction.atomic
def merge_contacts(
    *,
    acting_user: Any,
    into: int,
    others: Sequence[int],
    values: Mapping[str, Any] | None = None,
    keep_login: int | None = None,
) -> Merge:
    """Merge the contacts `others` (ids) into contact `into` (see the module); answers the Merge.
    NotFound for a contact the user may not see; Forbidden unless the user may change `into` and
    delete each of `others`; ValidationFailed for no others, a repeat, contacts of different
    customers, several portal logins and no `keep_login` among them, or `values` the contact's
    rules refuse (nothing is written then); Conflict for what the database or the portal's rules
    refuse."""
    if not isinstance(others, list | tuple) or not others:
        raise ValidationFailed({"others": ["The ids of the contacts to merge into the kept one."]})
    if len(set(others)) != len(others) or into in others:
        raise ValidationFailed({"others": ["Each contact once, and not the one kept."]})
    refused = sorted(set(values or {}) & VALUES_REFUSED)
    if refused:
        raise ValidationFailed(
            {
                "values": [
                    f"{', '.join(refused)}: not through a merge (make a contact primary on its page; the "
                    "surviving portal login is keep_login)."
                ]
            }
        )
    kept = _fetch(acting_user, into, access.CHANGE, "into")
    merged = [_fetch(acting_user, pk, access.DELETE, "others") for pk in others]
    strangers = [contact for contact in merged if contact.customer_id != kept.customer_id]
    if strangers:
        raise ValidationFailed(
            {"others": [f"{strangers[0].full_name} is a contact of another customer; move it first."]}
        )
    _require_merge_rights(acting_user, kept, merged)
    contact_services.lock_customer(kept.customer_id)
    kept = lock(kept)
    merged = [lock(contact) for contact in merged]
    login_from = _login_kept(kept, merged, keep_login)
    if login_from is not None and login_from is not kept:
        # The kept contact gets another login (and its own closes): a change of its portal access,
        # which only those who manage portal access make (and, for an approver, who may change an
        # approver's login).
        access.require(acting_user, access.MANAGE_PORTAL, kept)
        if kept.role_approver:
            access.require(acting_user, CHANGE_APPROVER_LOGIN, kept)

    record: dict[str, Any] = {"into_before": _row(kept), "moved": [], "links_added": [], "login": None}
    record["others"] = [{"id": c.pk, "row": _row(c), "locations": _locations(c.pk)} for c in merged]
    was_primary = any(contact.is_primary for contact in merged)
    with refusals_as_conflicts():
        for other in merged:
            record["moved"] += _move_references(other, kept, acting_user)
            held = set(_locations(kept.pk))
            added = [pk for pk in _locations(other.pk) if pk not in held]
            ContactLocation.objects.bulk_create(
                [ContactLocation(contact=kept, location_id=pk) for pk in added]
            )
            record["links_added"] += added
        kept.refresh_from_db()
        if login_from is not None and login_from is not kept:
            record["login"] = _move_login(login_from, kept, acting_user)
        for other in merged:
            other.refresh_from_db()
            contact_services.delete_contact(contact=other, acting_user=acting_user)
        values = {**taken_over(kept, merged), **(values or {})}
        if values:
            contact_services.update_contact(contact=kept, acting_user=acting_user, data=values)
        kept.refresh_from_db()
        if was_primary and not kept.is_primary:
            contact_services.make_primary(contact=kept, acting_user=acting_user)
    kept.refresh_from_db()
    record["into_version"] = kept.version
    return Merge.objects.create(
        into=kept,
        customer_id=kept.customer_id,
        into_name=kept.full_name[:201],
        others_names=", ".join(contact.full_name for contact in merged),
        user=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        record=record,
    )


# `values` a merge does not write: making a contact primary un-marks another contact, which an
# undo would not restore; the surviving login is chosen by `keep_login`.
VALUES_REFUSED = frozenset({"is_primary", "portal"})


def _require_merge_rights(acting_user: Any, kept: Contact, merged: list[Contact]) -> None:
    """Forbidden for a portal user merging its own contact (nobody changes their own portal access
    or deletes themselves), and for merging away an approver without the right to give and take
    approval authority (its approvals would name another person)."""
    own = access.portal_contact(acting_user)
    if own is not None and own.pk in {kept.pk, *(contact.pk for contact in merged)}:
        raise Forbidden("You cannot merge your own contact; a colleague or your service provider can.")
    for contact in merged:
        if contact.role_approver:
            access.require(acting_user, access.SET_APPROVAL_AUTHORITY, contact)


def taken_over(kept: Contact, merged: list[Contact]) -> dict[str, Any]:
    """What the kept contact takes over unless `values` say otherwise: every role any of the
    contacts holds, every notification any of them opted in to, the approval limit of a merged
    approver when the kept contact was none, a line manager when it had none. Only what differs
    from the kept contact's own."""
    everyone = [kept, *merged]
    combined: dict[str, Any] = {}
    roles = [role for role in ROLES if any(role in contact.roles for contact in everyone)]
    if roles != kept.roles:
        combined["roles"] = roles
    notify = {
        category: any(getattr(contact, f"notify_{category}") for contact in everyone)
        for category in NOTIFY_CATEGORIES
    }
    if any(on and not getattr(kept, f"notify_{category}") for category, on in notify.items()):
        combined["notify"] = notify
    approvers = [contact for contact in merged if contact.role_approver]
    if approvers and not kept.role_approver and kept.approval_limit is None:
        combined["approval_limit"] = approvers[0].approval_limit
    leaving = {contact.pk for contact in merged}
    managers = [
        contact.reports_to_id
        for contact in merged
        if contact.reports_to_id is not None
        and contact.reports_to_id != kept.pk
        and contact.reports_to_id not in leaving
    ]
    if kept.reports_to_id is None and managers:
        combined["reports_to"] = Contact.objects.get(pk=managers[0])
    return combined


def _login_kept(kept: Contact, merged: list[Contact], keep_login: int | None) -> Contact | None:
    """The contact whose portal login survives: `keep_login`'s; without it, the kept contact's, or
    the one login there is. ValidationFailed when it must be chosen, or names no login."""
    holders = [contact for contact in [kept, *merged] if contact.user_id is not None]  # the kept first
    if keep_login is not None:
        chosen = next((contact for contact in holders if contact.pk == keep_login), None)
        if chosen is None:
            raise ValidationFailed(
                {"keep_login": ["The id of a contact of this merge that has a portal login."]}
            )
        return chosen
    if len(holders) > 1:
        names = " and ".join(contact.full_name for contact in holders)
        raise ValidationFailed({"keep_login": [f"{names} each have a portal login; say whose survives."]})
    return holders[0] if holders else None


def _move_references(other: Contact, kept: Contact, acting_user: Any) -> list[dict[str, Any]]:
    """Point every reference to `other` at `kept`; answers what moved ({"model", "field", "ids",
    "from"} each), for an undo."""
    moved = []
    for model, name in references():
        rows = model._default_manager.filter(**{name: other})
        if model is Contact:
            rows = rows.exclude(pk=kept.pk)  # `kept` reporting to `other` is set right below
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            repoint(model, name, ids, kept.pk, acting_user)
            moved.append({"model": model._meta.label, "field": name, "ids": ids, "from": other.pk})
    if kept.reports_to_id == other.pk:
        Contact.objects.filter(pk=kept.pk).update(reports_to=None)
    runs = ImportRunItem.objects.filter(run__kind="contacts", object_id=other.pk)
    ids = list(runs.values_list("pk", flat=True))
    if ids:
        ImportRunItem.objects.filter(pk__in=ids).update(object_id=kept.pk)
        moved.append({"model": ImportRunItem._meta.label, "field": "object_id", "ids": ids, "from": other.pk})
    return moved


def repoint(model: type[models.Model], name: str, ids: list[int], target: int, acting_user: Any) -> None:
    """Set `name` of the rows `ids` of `model` to `target`, as any change of them: the version of
    a versioned row one up, a history record by `acting_user` for a model that keeps history."""
    attname: str = getattr(model._meta.get_field(name), "attname", name)
    if not hasattr(model, "history"):
        model._default_manager.filter(pk__in=ids).update(**{attname: target})
        return
    rows = list(model._default_manager.filter(pk__in=ids))
    fields = [attname]
    for row in rows:
        setattr(row, attname, target)
        if isinstance(row, Versioned):
            row.version = (row.version or 0) + 1
            fields = [attname, "version"]
    user = acting_user if getattr(acting_user, "is_authenticated", False) else None
    bulk_update_with_history(rows, model, fields, default_user=user)


def _move_login(source: Contact, kept: Contact, acting_user: Any) -> dict[str, Any]:
    """`source`'s portal login (and its portal access) becomes `kept`'s; `kept`'s own closes."""
    if kept.user is not None:
        close_portal_account(kept.user, contact=kept, acting_user=acting_user, reason="merged")
    user_id = source.user_id
    Contact.objects.filter(pk=source.pk).update(user=None)
    Contact.objects.filter(pk=kept.pk).update(
        user_id=user_id, **{name: getattr(source, name) for name in LOGIN_FIELDS}
    )
    return {"user": user_id, "from": source.pk}


@transaction.atomic
def undo_merge(*, merge: Merge, acting_user: Any) -> Merge:
    """Undo `merge` (see the module). Forbidden unless the user may change the kept contact and
    add contacts; Conflict, saying what, when it was undone already or anything it did has changed
    since."""
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict(f"This merge was undone on {timezone.localtime(merge.undone_at):%Y-%m-%d %H:%M}.")
    if merge.into is None:
        raise Conflict(f"{merge.into_name} was deleted after the merge: there is nothing to undo it from.")
    access.require(acting_user, access.CHANGE, merge.into)
    access.require_model(acting_user, access.ADD, Contact)
    record = merge.record
    _require_undo_rights(acting_user, merge.into, record)
    kept = lock(merge.into)
    if kept.version != record["into_version"]:
        raise Conflict(
            f"{kept.full_name} was changed after the merge; undo that change first, or merge no more."
        )
    for moved in record["moved"]:
        model = apps.get_model(moved["model"])
        attname = model._meta.get_field(moved["field"]).attname
        now = dict(model._default_manager.filter(pk__in=moved["ids"]).values_list("pk", attname))
        if len(now) != len(moved["ids"]) or any(value != kept.pk for value in now.values()):
            raise Conflict(
                f"A {model._meta.verbose_name} that the merge moved to {kept.full_name} was changed or "
                "deleted since; the merge can no longer be undone."
            )
    with refusals_as_conflicts():
        _restore_kept(kept, record, acting_user)
        ContactLocation.objects.filter(contact=kept, location_id__in=record["links_added"]).delete()
        for other in record["others"]:
            _restore_other(other, acting_user)
        for moved in record["moved"]:
            repoint(apps.get_model(moved["model"]), moved["field"], moved["ids"], moved["from"], acting_user)
    # An earlier merge into the same contact, which this one followed, can be undone next: the
    # contact is as that merge left it (but for its version, which the undo raised).
    kept.refresh_from_db()
    earlier_version = record["into_before"]["fields"]["version"]
    for earlier in Merge.objects.filter(into=kept, undone_at__isnull=True).exclude(pk=merge.pk):
        if earlier.record.get("into_version") == earlier_version:
            earlier.record["into_version"] = kept.version
            earlier.save(update_fields=["record"])
    merge.undone_at = timezone.now()
    merge.undone_by = acting_user if getattr(acting_user, "is_authenticated", False) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def _before(row: Mapping[str, Any]) -> Contact:
    """A contact as a merge recorded it (not saved)."""
    contact = next(serializers.deserialize("json", json.dumps([row]))).object
    assert isinstance(contact, Contact)
    return contact


def _api_values(contact: Contact) -> dict[str, Any]:
    """What an undo writes of `contact` that field rules guard, as the services take it."""
    return {
        "roles": contact.roles,
        "approval_limit": contact.approval_limit,
        "email": contact.email,
        "portal": {
            "enabled": contact.portal_enabled,
            "permissions": list(contact.portal_permissions or []),
            "support_start": contact.support_start,
            "support_end": contact.support_end,
        },
    }


def _require_undo_rights(acting_user: Any, kept: Contact, record: Mapping[str, Any]) -> None:
    """An undo writes the kept contact's values as they were and creates the merged-away contacts
    again: the same field rules as a PATCH and a POST of those values (approval authority, portal
    access, an approver's login). A portal user does not undo a merge of its own contact."""
    own = access.portal_contact(acting_user)
    if own is not None and own.pk in {kept.pk, *(other["id"] for other in record["others"])}:
        raise Forbidden(
            "You cannot undo a merge of your own contact; a colleague or your service provider can."
        )
    access.require_fields(acting_user, kept, _api_values(_before(record["into_before"])))
    for other in record["others"]:
        access.require_fields(acting_user, Contact, _api_values(_before(other["row"])))


def _restore_kept(kept: Contact, record: Mapping[str, Any], acting_user: Any) -> None:
    """`kept`'s columns as before the merge (its version one up, as any change): one history record."""
    before = _before(record["into_before"])
    skipped = {"id", "version", "created_at", "updated_at"}
    for field in Contact._meta.concrete_fields:
        if field.name not in skipped:
            setattr(kept, field.attname, getattr(before, field.attname))
    kept.version = (kept.version or 0) + 1
    set_acting_user(kept, acting_user)
    kept.save()


def _restore_other(other: Mapping[str, Any], acting_user: Any) -> None:
    """A merged-away contact back with its id, columns and locations, recorded in its history."""
    restored = next(serializers.deserialize("json", json.dumps([other["row"]])))
    restored.save()  # as stored: the row's own columns, derived ones included
    contact = Contact.objects.get(pk=other["id"])
    ContactLocation.objects.bulk_create(
        [ContactLocation(contact=contact, location_id=pk) for pk in other["locations"]]
    )
    set_acting_user(contact, acting_user)
    contact_history_records.create_historical_record(contact, "+")


# For the staff pages of a merge ------------------------------------------------------------------


def references_to(
    contact_ids: Sequence[int], *, kept: int | None = None
) -> list[tuple[type[models.Model], str, dict[int, int]]]:
    """What points at each of `contact_ids`, as a merge would move it away from a merged-away one:
    `(model, field, {contact id: rows})` for every reference of `references()` (in its order), then
    `(ContactLocation, "contact", {contact id: links})` for the location links; one query each. A
    contact's direct reports leave out `kept` (a merge clears that link, it does not move it).
    Contacts nothing points at are missing from the counts."""
    found: list[tuple[type[models.Model], str, dict[int, int]]] = []
    ids = list(contact_ids)
    pointers: list[tuple[type[models.Model], str]] = [*references(), (ContactLocation, "contact")]
    for model, name in pointers:
        rows = model._default_manager.filter(**{f"{name}__in": ids})
        if model is Contact and kept is not None:
            rows = rows.exclude(pk=kept)
        counted = rows.order_by().values_list(name).annotate(rows=models.Count("pk"))
        found.append((model, name, dict(counted)))
    return found


@transaction.atomic
def merge_contacts_as_seen(
    *,
    acting_user: Any,
    into: int,
    others: Sequence[int],
    seen: Mapping[int, int],
    values: Mapping[str, Any] | None = None,
    keep_login: int | None = None,
) -> Merge:
    """`merge_contacts`, but only while every contact is at the version the caller showed its user
    (`seen`: {contact id: version}; a contact missing from it is not compared): a page that chose
    the values from what it showed must not merge what changed since. The customer's row and the
    contacts are locked first, in the order `merge_contacts` locks them (`versions.lock`), so that
    nothing changes between the comparison and the merge. Stale (nothing written) for a contact
    changed since, NotFound for one the user may not see; otherwise as `merge_contacts`."""
    ids = [pk for pk in [into, *others] if isinstance(pk, int) and not isinstance(pk, bool) and pk in seen]
    if ids:
        visible = {
            contact.pk: contact
            for contact in access.restrict(acting_user, Contact.objects.filter(pk__in=ids), access.VIEW)
        }
        missing = [pk for pk in ids if pk not in visible]
        if missing:
            raise NotFound("Contact not found.")
        contact_services.lock_customer(visible[ids[0]].customer_id)
        for pk in ids:
            lock(visible[pk], expected_version=seen[pk])
    return merge_contacts(
        acting_user=acting_user, into=into, others=others, values=values, keep_login=keep_login
    )
