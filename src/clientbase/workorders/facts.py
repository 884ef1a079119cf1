"""The facts the notifications of work orders, quotes and invoices show, taken as a snapshot when
the change happens, by the rules of `clientbase.notifications.facts` (only what every recipient
of the event may see; plain text, JSON-serialisable)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from clientbase.notifications.facts import asset_facts, customer_facts, location_facts, money
from clientbase.workorders.models import Invoice, Quote, WorkOrder


def moment(value: datetime.datetime | None) -> str:
    """A date and time as mails and change lists write it, in the server's time zone:
    "2026-03-04 09:30 CET"; "" for None."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


def work_order_facts(
    work_order: WorkOrder, changes: list[dict[str, str]] | None = None, *, done: str = "updated"
) -> dict[str, Any]:
    """A work order with its customer, location and asset, and what its lifecycle recorded: the
    visit (`scheduled_start`, `scheduled_end`, as `moment` writes them), the technician's name, the
    completion note and the reason for cancelling (each "" when none); `changes` lists what an
    update changed as {"field", "old", "new"} in words (the completion note with the completion,
    which is how the completion mail shows it); `done` what the update did, in the past tense
    ("updated", or a step's word of `WorkOrder.STEP_DONE`: "cancelled"), which its mail is titled
    with."""
    return {
        "number": work_order.number,
        "done": done,
        "summary": work_order.summary,
        "description": work_order.description,
        "status": work_order.get_status_display(),
        "site_contact_name": work_order.site_contact_name,
        "requested_by_name": work_order.requested_by_name,
        "scheduled_start": moment(work_order.scheduled_start),
        "scheduled_end": moment(work_order.scheduled_end),
        "technician_name": work_order.technician_name,
        "completion_note": work_order.completion_note,
        "cancel_reason": work_order.cancel_reason,
        "changes": changes or [],
        **customer_facts(work_order.customer),
        **location_facts(work_order.location),
        **asset_facts(work_order.asset),
    }


def _related_work_order(work_order: WorkOrder | None) -> dict[str, Any]:
    if work_order is None:
        return {"work_order": None, **location_facts(None), **asset_facts(None)}
    return {
        "work_order": {"number": work_order.number, "summary": work_order.summary},
        **location_facts(work_order.location),
        **asset_facts(work_order.asset),
    }


def quote_facts(quote: Quote) -> dict[str, Any]:
    """A quote with its customer, its work order, and the name of the contact it is addressed to."""
    return {
        "number": quote.number,
        "amount": money(quote.amount),
        "contact_name": quote.contact_name,
        **customer_facts(quote.customer),
        **_related_work_order(quote.work_order),
    }


def invoice_facts(invoice: Invoice) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "amount": money(invoice.amount),
        **customer_facts(invoice.customer),
        **_related_work_order(invoice.work_order),
    }
