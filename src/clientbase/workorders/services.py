"""Every write to work orders, quotes and invoices, with the notifications each one causes.

The messages of an event are written by `clientbase.notifications.outbox.emit` inside the same
transaction as the change, so a change never commits without its messages, nor messages without
their change.

A work order moves through its lifecycle by a change of `status` (`update_work_order`), along the
table `WorkOrder.TRANSITIONS`; each step writes `work_order.updated`, completing it
`work_order.completed`. A step the table does not allow is a Conflict naming both statuses; a step
missing what it records is a ValidationFailed on that field (`check_lifecycle`).

A work order is done under at most one service contract of its customer (`contract`). A new one
gets the contract in force that covers its place on the day it is opened
(`clientbase.contracts.selectors.covering_contract`: asset, then location, then customer-wide, then
the latest start), unless the caller names one, or null for none: the caller's choice wins. A
contract of another customer is a ValidationFailed on `contract`. A later change of location or
asset leaves the contract as it is (it is what the work was agreed under; the edit page offers the
contract covering the new place, and says so when it differs); only a change of `contract` itself
changes it. The contract is the service provider's bookkeeping: a change of it alone notifies
nobody, and the mails never name it (their recipients may not be allowed to see contracts)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Mapping
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.contracts.selectors import covering_contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.errors import Conflict, Forbidden, NotFound, ValidationFailed
from clientbase.notifications import events, outbox
from clientbase.notifications.facts import money
from clientbase.notifications.routing import Routing, resolve_site_contact
from clientbase.versions import ExpectedVersion, lock
from clientbase.workorders import facts
from clientbase.workorders.models import Document, Invoice, Quote, WorkOrder
from clientbase.writes import apply_values, note_changes, refusals_as_conflicts, set_acting_user, validate

WORK_ORDER_FIELDS = (
    "customer",
    "location",
    "asset",
    "summary",
    "description",
    "status",
    "requested_by",
    "site_contact",
    "contract",
)
# What the steps of the lifecycle record, given with the change of status (the schedule and the
# technician also while the work order is scheduled or in progress: a new time, another technician).
SCHEDULE_FIELDS = ("scheduled_start", "scheduled_end")
LIFECYCLE_FIELDS = (*SCHEDULE_FIELDS, "technician", "completion_note", "cancel_reason")
# What a portal user's request may not set: the service provider schedules and staffs the work,
# and decides which of its contracts the work falls under.
PORTAL_REFUSED_FIELDS = (*LIFECYCLE_FIELDS, "contract")
DOCUMENT_FIELDS = ("customer", "work_order", "amount")
# A quote is also addressed to a contact of its customer.
QUOTE_FIELDS = (*DOCUMENT_FIELDS, "contact")
# A quote or an invoice, where a service answers the kind it was given.
D = TypeVar("D", bound=Document)
OPENING_STATUSES = (WorkOrder.Status.OPEN, WorkOrder.Status.SCHEDULED)
# Where a service leaves the routing of the messages it wrote (`notified`).
_NOTIFIED = "_workorders_notified"

# What the triggers of migration 0002 say, in words a user understands (registered with
# clientbase.errors by the app config).
CONSISTENCY_MESSAGES = {
    "work order location belongs to another customer": "The location belongs to another customer.",
    "work order asset is not at the work order location": "The asset is not at the work order's location.",
    "work order requester belongs to another customer": "The requester is a contact of another customer.",
    "work order site contact belongs to another customer": "The site contact is of another customer.",
    "work order belongs to another customer": "The work order belongs to another customer.",
    "quote contact belongs to another customer": "The quote is addressed to a contact of another customer.",
    # Migration 0006.
    "work order contract belongs to another customer": "The contract is of another customer; a work "
    "order is done under a contract of its own customer.",
    "contract named by work orders of another customer": "Work orders of the contract's customer name "
    "it; a contract they name stays with their customer.",
}


def _clean(data: Mapping[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ValidationFailed({name: ["Unknown field."] for name in unknown})
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _customer_of(data: Mapping[str, Any], acting_user: Any) -> Customer:
    customer = data.get("customer")
    if customer is None:
        raise ValidationFailed({"customer": ["This field is required."]})
    access.require_customer_in_scope(acting_user, customer.pk)
    return customer


def _name(contact: Contact | None) -> str:
    return contact.full_name if contact is not None else ""


# Work orders -----------------------------------------------------------------------------------


def _checks(changed: Collection[str] | None, name: str) -> bool:
    return changed is None or name in changed


def _check_work_order(work_order: WorkOrder, changed: Collection[str] | None = None) -> None:
    """The wizard's order: the customer, then a location of that customer, then an asset of that
    location; the contacts named and the contract are the customer's. Only the fields in `changed`
    are checked (None: a new work order, every field), as the database's triggers do: a contact
    that has since moved to another customer keeps the work order changeable, its name stays."""

    def checks(name: str) -> bool:
        return _checks(changed, name)

    errors: dict[str, list[str]] = {}
    location: Location | None = work_order.location
    asset: Asset | None = work_order.asset
    if location is not None and checks("location") and location.customer_id != work_order.customer_id:
        errors["location"] = [
            f"Location “{location.name}” belongs to another customer; choose one of theirs."
        ]
    if asset is not None and (checks("asset") or checks("location")):
        if location is None:
            errors["asset"] = ["Choose the location before the asset."]
        elif asset.location_id != location.pk:
            errors["asset"] = [
                f"Asset “{asset.name}” is not at location “{location.name}”; choose one there."
            ]
    for name in ("requested_by", "site_contact"):
        contact: Contact | None = getattr(work_order, name)
        if contact is not None and checks(name) and contact.customer_id != work_order.customer_id:
            errors[name] = [f"{contact.full_name} is not a contact of this customer."]
    contract: Contract | None = work_order.contract
    if contract is not None and checks("contract") and contract.customer_id != work_order.customer_id:
        errors["contract"] = [
            f"Contract {contract.number} “{contract.name}” is of another customer; choose one of this "
            "customer's contracts, or none."
        ]
    if checks("summary") and not work_order.summary:
        errors["summary"] = ["This field may not be blank."]
    if errors:
        raise ValidationFailed(errors)


def _with_relations(work_order_id: int) -> WorkOrder:
    return WorkOrder.objects.select_related("customer", "location", "asset", "contract").get(pk=work_order_id)


def _notify(work_order: WorkOrder, routing: Routing) -> None:
    setattr(work_order, _NOTIFIED, routing)


def notified(work_order: WorkOrder) -> Routing | None:
    """Who the service that answered `work_order` wrote messages to (its routing: recipients with
    their reasons, warnings); None when it wrote none (nothing changed)."""
    return getattr(work_order, _NOTIFIED, None)


def status_label(status: str) -> str:
    """A status as a sentence says it: "open", "in progress"."""
    return str(dict(WorkOrder.Status.choices).get(status, status)).lower()


def _listed(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def transition_refusal(work_order: WorkOrder, was: str, to: str) -> Conflict | None:
    """The Conflict of a step from status `was` to `to` that `WorkOrder.TRANSITIONS` does not
    allow, naming both (“Work order W-000012 cannot go from open to completed: from open it can go
    to scheduled, in progress or cancelled.”); None for an allowed step."""
    allowed = WorkOrder.TRANSITIONS.get(was, ())
    if to in allowed:
        return None
    start = f"Work order {work_order.number} cannot go from {status_label(was)} to {status_label(to)}"
    if not allowed:
        return Conflict(f"{start}: a {status_label(was)} work order is closed.")
    return Conflict(
        f"{start}: from {status_label(was)} it can go to {_listed([status_label(s) for s in allowed])}."
    )


def check_transition(work_order: WorkOrder, to: str) -> None:
    """Refuse a step of `work_order` from its status to `to`: ValidationFailed (on `status`) when
    `to` is no status, Conflict naming both statuses when `WorkOrder.TRANSITIONS` does not allow
    it. The pages ask before they offer the step's form; `update_work_order` asks again."""
    if to not in WorkOrder.TRANSITIONS:
        raise ValidationFailed({"status": [f"“{to}” is not a status of a work order."]})
    refusal = transition_refusal(work_order, work_order.status, to)
    if refusal is not None:
        raise refusal


def is_technician(user: Any) -> bool:
    """Whether `user` may be a work order's technician: an active staff user."""
    return bool(user is not None and user.is_staff and user.is_active)


def technician_name(user: Any) -> str:
    """A technician as work orders name it: the full name, else the username."""
    return (user.get_full_name() or user.get_username())[:301] if user is not None else ""


# The moments a visit may be at: far enough from the ends of Python's dates that every time zone can
# show them.
VISIT_EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
VISIT_LATEST = datetime.datetime(3000, 1, 1, tzinfo=datetime.UTC)


def check_lifecycle(work_order: WorkOrder, was: str | None, changed: Collection[str]) -> None:
    """The rules of the lifecycle for a work order whose fields `changed` (already set on it),
    its status having been `was` (None for a new one, which starts from open):

    - a change of status follows `WorkOrder.TRANSITIONS` (Conflict naming both statuses);
    - scheduled needs `scheduled_start`; the end, when given, is not before the start, and has a
      start; only a scheduled or started work order has a schedule; a visit is from
      `VISIT_EARLIEST` and before `VISIT_LATEST`;
    - the technician is an active staff user;
    - `completion_note` is written with the completion only, `cancel_reason` with the
      cancellation only, and cancelling needs a reason that is not blank.

    Raises ValidationFailed with a message per field (after every rule had its say)."""
    now = work_order.status
    stepping = "status" in changed
    if stepping:
        refusal = transition_refusal(work_order, was or WorkOrder.Status.OPEN, now)
        if refusal is not None and not (was is None and now == WorkOrder.Status.OPEN):
            raise refusal
    errors: dict[str, list[str]] = {}
    start, end = work_order.scheduled_start, work_order.scheduled_end
    schedule_changed = [name for name in SCHEDULE_FIELDS if name in changed]
    if schedule_changed and now not in (WorkOrder.Status.SCHEDULED, WorkOrder.Status.IN_PROGRESS):
        for name in schedule_changed:
            errors[name] = [
                f"Only a scheduled or started work order has a schedule; this one is {status_label(now)}. "
                "Schedule it (status scheduled) to say when the visit is."
            ]
    elif now == WorkOrder.Status.SCHEDULED and start is None and (stepping or schedule_changed):
        errors["scheduled_start"] = [
            "Scheduling needs the start of the visit: when the technician is expected."
        ]
    for name in schedule_changed:
        moment = getattr(work_order, name)
        if name not in errors and moment is not None and not VISIT_EARLIEST <= moment < VISIT_LATEST:
            # A moment any time zone can show (far ones overflow when shown in another zone).
            errors[name] = [f"A visit between {VISIT_EARLIEST:%Y-%m-%d} and {VISIT_LATEST.year - 1}-12-31."]
    if "scheduled_end" not in errors and end is not None:
        if start is None:
            errors["scheduled_end"] = ["Give the start of the visit with its end."]
        elif end < start:
            errors["scheduled_end"] = ["The visit cannot end before it starts."]
    if (
        "technician" in changed
        and work_order.technician is not None
        and not is_technician(work_order.technician)
    ):
        errors["technician"] = [f"{technician_name(work_order.technician)} is not an active staff user."]
    completing = stepping and now == WorkOrder.Status.COMPLETED
    cancelling = stepping and now == WorkOrder.Status.CANCELLED
    if "completion_note" in changed and not completing:
        errors["completion_note"] = ["A completion note is written when the work order is completed."]
    if "cancel_reason" in changed and not cancelling:
        errors["cancel_reason"] = ["A reason is given when the work order is cancelled."]
    elif cancelling and not work_order.cancel_reason.strip():
        errors["cancel_reason"] = ["Say why the work order is cancelled."]
    if errors:
        raise ValidationFailed(errors)


@transaction.atomic
def create_work_order(*, acting_user: Any, data: Mapping[str, Any]) -> WorkOrder:
    """Open a work order: customer, then location, then asset (each refused when it does not belong
    to the one before). `site_contact` defaults to the resolved site contact (see
    `clientbase.notifications.routing.resolve_site_contact`); a portal user is the requester unless
    another is named. `contract` (a Contract of the customer, or None for none) defaults to the
    contract in force today that covers the place (`covering_contract`; None when none does); one of
    another customer is a ValidationFailed on `contract`. It opens as `open`, or `scheduled` with
    `scheduled_start` (optionally `scheduled_end` and `technician`, `check_lifecycle`); a portal
    user's request opens as `open` and sets neither the lifecycle nor the contract (ValidationFailed
    on the field). Writes the `work_order.created` messages (`notified`)."""
    access.require_model(acting_user, access.ADD, WorkOrder)
    cleaned = _clean(data, (*WORK_ORDER_FIELDS, *LIFECYCLE_FIELDS))
    customer = _customer_of(cleaned, acting_user)
    work_order = WorkOrder()
    apply_values(work_order, cleaned, (*WORK_ORDER_FIELDS, *LIFECYCLE_FIELDS))
    if work_order.status not in OPENING_STATUSES:
        raise ValidationFailed({"status": ["A new work order is open or scheduled."]})
    portal = access.portal_contact(acting_user)
    if portal is not None:
        refused = {
            name: ["Set by the service provider."] for name in PORTAL_REFUSED_FIELDS if name in cleaned
        }
        if work_order.status != WorkOrder.Status.OPEN:
            refused["status"] = ["A request opens as open; the service provider schedules it."]
        if refused:
            raise ValidationFailed(refused)
    if "requested_by" not in cleaned and portal is not None:
        work_order.requested_by = portal
    _check_work_order(work_order)
    check_lifecycle(work_order, None, [name for name in ("status", *LIFECYCLE_FIELDS) if name in cleaned])
    if "site_contact" not in cleaned:
        work_order.site_contact = resolve_site_contact(
            customer_id=customer.pk, location_id=work_order.location_id
        )
    if "contract" not in cleaned:
        work_order.contract = covering_contract(
            customer=customer,
            location=work_order.location_id,
            asset=work_order.asset_id,
            on=timezone.localdate(),
        )
    work_order.requested_by_name = _name(work_order.requested_by)
    work_order.site_contact_name = _name(work_order.site_contact)
    work_order.technician_name = technician_name(work_order.technician)
    validate(work_order)
    set_acting_user(work_order, acting_user)
    with refusals_as_conflicts():
        work_order.save()
    _notify(
        work_order,
        outbox.emit(
            event=events.WORK_ORDER_CREATED,
            customer=customer,
            facts=facts.work_order_facts(work_order),
            location_id=work_order.location_id,
        ),
    )
    return work_order


def _describe(work_order: WorkOrder, name: str) -> str:
    if name == "status":
        return str(work_order.get_status_display())
    if name == "technician":
        return work_order.technician_name or "—"
    value = getattr(work_order, name)
    if isinstance(value, Contact):
        return value.full_name
    if isinstance(value, datetime.datetime):
        return facts.moment(value)
    return str(value) if value is not None else "—"


CHANGE_LABELS = {
    "summary": "Summary",
    "description": "Description",
    "status": "Status",
    "location": "Location",
    "asset": "Asset",
    "site_contact": "Site contact",
    "requested_by": "Requested by",
    "scheduled_start": "Scheduled start",
    "scheduled_end": "Scheduled end",
    "technician": "Technician",
    "completion_note": "Completion note",
    "cancel_reason": "Reason for cancelling",
}


@transaction.atomic
def update_work_order(
    *,
    work_order: WorkOrder,
    acting_user: Any,
    data: Mapping[str, Any],
    expected_version: ExpectedVersion = None,
) -> WorkOrder:
    """Change the given fields (`WORK_ORDER_FIELDS` and `LIFECYCLE_FIELDS`); a change of `status`
    is a step of the lifecycle (`check_lifecycle`): Conflict naming both statuses for a step
    `WorkOrder.TRANSITIONS` does not allow, ValidationFailed on the field a step misses. Completing
    records `completed_at`; going back to open from scheduled clears the schedule. A completed or
    cancelled work order is closed and changes no more (Conflict). `contract` changes only when
    given (a Contract of the customer, or None; another customer's is a ValidationFailed on it),
    never with the location or asset. Writes `work_order.completed` when the status becomes
    completed, `work_order.updated` for any other change but one of the contract alone
    (`notified`). Stale when `expected_version` is given and no longer current
    (`clientbase.versions.lock`)."""
    access.require(acting_user, access.CHANGE, work_order)
    cleaned = _clean(data, (*WORK_ORDER_FIELDS, *LIFECYCLE_FIELDS))
    work_order = lock(work_order, expected_version=expected_version)
    work_order = WorkOrder.objects.select_related(
        "customer", "location", "asset", "requested_by", "site_contact", "technician", "contract"
    ).get(pk=work_order.pk)
    was = work_order.status
    if work_order.is_closed:
        if "status" in cleaned and cleaned["status"] != was and cleaned["status"] in WorkOrder.TRANSITIONS:
            check_transition(work_order, cleaned["status"])
        raise Conflict(
            f"Work order {work_order.number} is {work_order.get_status_display().lower()}; "
            "a closed work order cannot be changed."
        )
    if "customer" in cleaned and cleaned["customer"].pk != work_order.customer_id:
        raise ValidationFailed({"customer": ["A work order cannot move to another customer."]})
    if "status" in cleaned and cleaned["status"] not in WorkOrder.TRANSITIONS:
        raise ValidationFailed({"status": [f"“{cleaned['status']}” is not a status of a work order."]})
    before = {name: _describe(work_order, name) for name in CHANGE_LABELS}
    changed = apply_values(
        work_order, cleaned, [f for f in (*WORK_ORDER_FIELDS, *LIFECYCLE_FIELDS) if f != "customer"]
    )
    if not changed:
        note_changes(work_order, changed)
        return work_order
    _check_work_order(work_order, changed)
    check_lifecycle(work_order, was, changed)
    if "status" in changed and work_order.status == WorkOrder.Status.OPEN:
        # Back to open: the visit is off (a schedule given with the step was refused above).
        for name in SCHEDULE_FIELDS:
            if getattr(work_order, name) is not None:
                setattr(work_order, name, None)
                changed.append(name)
    if "requested_by" in changed:
        work_order.requested_by_name = _name(work_order.requested_by)
        changed.append("requested_by_name")
    if "site_contact" in changed:
        work_order.site_contact_name = _name(work_order.site_contact)
        changed.append("site_contact_name")
    if "technician" in changed:
        work_order.technician_name = technician_name(work_order.technician)
        changed.append("technician_name")
    completed = "status" in changed and work_order.status == WorkOrder.Status.COMPLETED
    if completed:
        work_order.completed_at = timezone.now()
        changed.append("completed_at")
    validate(work_order)
    set_acting_user(work_order, acting_user)
    with refusals_as_conflicts():
        work_order.save(update_fields=[*changed, "updated_at"])
    work_order = _with_relations(work_order.pk)
    if set(changed) == {"contract"}:
        # The provider's bookkeeping: nobody is told (see the module).
        note_changes(work_order, changed)
        return work_order
    changes = [
        {"field": label, "old": before[name], "new": _describe(work_order, name)}
        for name, label in CHANGE_LABELS.items()
        if name in changed and name != "description"
    ]
    if "description" in changed:
        changes.append({"field": "Description", "old": "", "new": "changed"})
    routing = outbox.emit(
        event=events.WORK_ORDER_COMPLETED if completed else events.WORK_ORDER_UPDATED,
        customer=work_order.customer,
        facts=facts.work_order_facts(
            work_order,
            changes,
            done=WorkOrder.STEP_DONE[work_order.status] if "status" in changed else "updated",
        ),
        location_id=work_order.location_id,
    )
    note_changes(work_order, changed)
    _notify(work_order, routing)
    return work_order


@transaction.atomic
def delete_work_order(
    *, work_order: WorkOrder, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    """Delete a work order that is not completed and has no quotes or invoices."""
    access.require(acting_user, access.DELETE, work_order)
    work_order = lock(work_order, expected_version=expected_version)
    if work_order.status == WorkOrder.Status.COMPLETED:
        raise Conflict("A completed work order is part of the customer's history and cannot be deleted.")
    set_acting_user(work_order, acting_user)
    with refusals_as_conflicts():
        work_order.delete()


# Quotes and invoices ---------------------------------------------------------------------------


def document_fields(model: type[Document]) -> tuple[str, ...]:
    """What a draft of `model` is written with: `QUOTE_FIELDS` for quotes (their addressee),
    `DOCUMENT_FIELDS` for invoices."""
    return QUOTE_FIELDS if issubclass(model, Quote) else DOCUMENT_FIELDS


def _check_document(document: Document, changed: Collection[str] | None = None) -> None:
    """A draft's work order and addressee are its customer's; only the fields in `changed` are
    checked (None: a new draft, every field), as the database's triggers do."""
    errors: dict[str, list[str]] = {}
    work_order = document.work_order
    if (
        work_order is not None
        and _checks(changed, "work_order")
        and work_order.customer_id != document.customer_id
    ):
        errors["work_order"] = [f"Work order {work_order.number} belongs to another customer."]
    contact: Contact | None = getattr(document, "contact", None)
    if contact is not None and _checks(changed, "contact") and contact.customer_id != document.customer_id:
        errors["contact"] = [f"{contact.full_name} is not a contact of this customer."]
    if document.amount is not None and document.amount < 0:
        errors["amount"] = ["The amount may not be negative."]
    if errors:
        raise ValidationFailed(errors)


def _require_draft(document: Document, only: str) -> None:
    """Conflict “Quote Q-000042 is sent; only {only}.” unless `document` is a draft."""
    if not document.is_draft:
        noun = str(document._meta.verbose_name).capitalize()
        raise Conflict(f"{noun} {document.number} is {document.status}; only {only}.")


def _draft_to_act_on(document: D, acting_user: Any) -> D:
    """`document` read again with its row locked, for the action that takes a draft further
    (sending, issuing): Forbidden without the permission to change it, Conflict when it is no
    longer a draft."""
    access.require(acting_user, access.CHANGE, document)
    document = lock(document)
    _require_draft(document, f"a draft {document._meta.verbose_name} can be {document.AFTER_DRAFT}")
    return document


def _emit(event: str, document: D, facts_of: Callable[[D], dict[str, Any]], **options: Any) -> Routing:
    """Write the messages of `event` about `document` (read again with its customer and work order,
    whose facts `facts_of` takes), routed by the location of its work order; `options` go to
    `outbox.emit` (an `amount`)."""
    document = (
        type(document)
        .objects.select_related("customer", "work_order__location", "work_order__asset")
        .get(pk=document.pk)
    )
    work_order = document.work_order
    return outbox.emit(
        event=event,
        customer=document.customer,
        facts=facts_of(document),
        location_id=work_order.location_id if work_order is not None else None,
        **options,
    )


@transaction.atomic
def create_document(model: type[D], *, acting_user: Any, data: Mapping[str, Any]) -> D:
    """A draft quote or invoice (`model`) for a customer, optionally for one of its work orders:
    `data` holds `customer`, `amount` and optionally `work_order`; a quote optionally `contact`, the
    contact of the customer it is addressed to (its name kept beside it). ValidationFailed on the
    field of a work order or contact of another customer. Nobody is notified."""
    access.require_model(acting_user, access.ADD, model)
    fields = document_fields(model)
    cleaned = _clean(data, fields)
    _customer_of(cleaned, acting_user)
    if cleaned.get("amount") is None:
        raise ValidationFailed({"amount": ["This field is required."]})
    document = model()
    apply_values(document, cleaned, fields)
    _check_document(document)
    if isinstance(document, Quote):
        document.contact_name = _name(document.contact)
    validate(document)
    set_acting_user(document, acting_user)
    with refusals_as_conflicts():
        document.save()
    return document


@transaction.atomic
def update_document(
    *, document: D, acting_user: Any, data: Mapping[str, Any], expected_version: ExpectedVersion = None
) -> D:
    """Change a draft quote's or invoice's work order or amount, or a quote's addressee (`contact`,
    a contact of its customer); a sent quote or an issued invoice changes no more (Conflict). Stale
    when `expected_version` is given and no longer current (`clientbase.versions.lock`)."""
    access.require(acting_user, access.CHANGE, document)
    fields = document_fields(type(document))
    cleaned = _clean(data, fields)
    document = lock(document, expected_version=expected_version)
    _require_draft(document, "a draft can be changed")
    if "customer" in cleaned and cleaned["customer"].pk != document.customer_id:
        raise ValidationFailed({"customer": ["Create it for the other customer instead."]})
    if "amount" in cleaned and cleaned["amount"] is None:
        raise ValidationFailed({"amount": ["This field may not be null."]})
    changed = apply_values(document, cleaned, [name for name in fields if name != "customer"])
    if not changed:
        note_changes(document, changed)
        return document
    _check_document(document, changed)
    if "contact" in changed and isinstance(document, Quote):
        document.contact_name = _name(document.contact)
        changed.append("contact_name")
    validate(document)
    set_acting_user(document, acting_user)
    with refusals_as_conflicts():
        document.save(update_fields=[*changed, "updated_at"])
    note_changes(document, changed)
    return document


def update_quote(*, quote: Quote, **options: Any) -> Quote:
    """Change a draft quote: `update_document`, with `acting_user`, `data` and `expected_version`."""
    return update_document(document=quote, **options)


def update_invoice(*, invoice: Invoice, **options: Any) -> Invoice:
    """Change a draft invoice: `update_document`, with `acting_user`, `data` and `expected_version`."""
    return update_document(document=invoice, **options)


@transaction.atomic
def delete_document(
    *, document: Document, acting_user: Any, expected_version: ExpectedVersion = None
) -> None:
    """Delete a draft quote or invoice; a sent quote or an issued invoice stays (Conflict). Stale
    when `expected_version` is given and no longer current (`clientbase.versions.lock`)."""
    access.require(acting_user, access.DELETE, document)
    document = lock(document, expected_version=expected_version)
    _require_draft(document, "a draft can be deleted")
    set_acting_user(document, acting_user)
    with refusals_as_conflicts():
        document.delete()


@transaction.atomic
def send_quote(*, quote: Quote, acting_user: Any) -> Quote:
    """Send a draft quote to the customer's approvers whose limit covers the amount (the
    `quote.sent` messages). Refused, with nothing changed, when no approver qualifies: a quote
    nobody may approve is not sent."""
    quote = _draft_to_act_on(quote, acting_user)
    routing = _emit(events.QUOTE_SENT, quote, facts.quote_facts, amount=quote.amount)
    if not routing.recipients:
        raise Conflict(" ".join(["The quote was not sent.", *routing.warnings]))
    quote.status = Quote.Status.SENT
    quote.sent_at = timezone.now()
    set_acting_user(quote, acting_user)
    with refusals_as_conflicts():
        quote.save(update_fields=["status", "sent_at", "updated_at"])
    return quote


@transaction.atomic
def approve_quote(*, quote: Quote, contact: Contact | int, acting_user: Any) -> Quote:
    """Record the approval of a sent quote by `contact` (a contact or its id).

    Staff record it with the permission to change quotes; a portal user approves only as itself,
    and only quotes of its own customer. Either way the contact must be active, of the quote's
    customer, hold the `approver` role, and have no limit or one at least the amount; otherwise a
    Conflict says which, and nothing changes."""
    contact_id = contact.pk if isinstance(contact, Contact) else contact
    portal = access.portal_contact(acting_user)
    if portal is not None:
        if not access.portal_access_is_current(portal) or quote.customer_id != portal.customer_id:
            raise NotFound("Quote not found.")
        if contact_id != portal.pk:
            raise Forbidden("In the portal you approve quotes in your own name only.")
    else:
        access.require(acting_user, access.CHANGE, quote)
    quote = lock(quote)
    found = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if found is None:
        raise ValidationFailed({"contact": [f"There is no contact {contact_id}."]})
    contact = found
    name = contact.full_name
    if quote.status != Quote.Status.SENT:
        raise Conflict(f"Quote {quote.number} is {quote.status}; only a sent quote can be approved.")
    if contact.status != Contact.Status.ACTIVE:
        raise Conflict(f"{name} is inactive and cannot approve quotes.")
    if contact.customer_id != quote.customer_id:
        raise Conflict(f"{name} is a contact of another customer and cannot approve this quote.")
    if not contact.role_approver:
        raise Conflict(f"{name} has no approval authority (the approver role).")
    if contact.approval_limit is not None and contact.approval_limit < quote.amount:
        raise Conflict(
            f"{name}'s approval limit of {money(contact.approval_limit)} is below the quote's "
            f"amount of {money(quote.amount)}."
        )
    quote.status = Quote.Status.APPROVED
    quote.approved_by = contact
    quote.approved_by_name = name
    quote.approved_at = timezone.now()
    set_acting_user(quote, acting_user)
    with refusals_as_conflicts():
        quote.save(update_fields=["status", "approved_by", "approved_by_name", "approved_at", "updated_at"])
    return quote


@transaction.atomic
def issue_invoice(*, invoice: Invoice, acting_user: Any) -> Invoice:
    """Issue a draft invoice: the `invoice.issued` messages go to the customer's billing contacts
    (or, when nobody opted in, its primary contact)."""
    invoice = _draft_to_act_on(invoice, acting_user)
    invoice.status = Invoice.Status.ISSUED
    invoice.issued_at = timezone.now()
    set_acting_user(invoice, acting_user)
    with refusals_as_conflicts():
        invoice.save(update_fields=["status", "issued_at", "updated_at"])
    _emit(events.INVOICE_ISSUED, invoice, facts.invoice_facts)
    return invoice
