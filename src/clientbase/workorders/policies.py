"""The workorders app's rules, registered with `clientbase.access` by `WorkordersConfig.ready()`.

Portal users never see drafts of quotes and invoices. `reports` shows work orders and the figures
of invoices per site (the portal's reports page, action REPORT), never the invoices themselves:
those are `billing`'s, on the billing pages and the invoices endpoint alike. `create_work_order`
sees and raises work orders; a contact with the `approver` role sees the customer's quotes (whether
it may approve one is `workorders.services.approve_quote`'s call). Portal users read the name of a
work order's technician, never the id of the staff account behind it."""

from __future__ import annotations

from django.db.models import Q

from clientbase.access import ADD, REPORT, STANDARD_ACTIONS, VIEW, Policy, any_of

DRAFT = Q(status="draft")

POLICIES = (
    Policy(
        model="workorders.workorder",
        customer_path="customer_id",
        actions=(*STANDARD_ACTIONS, REPORT),
        staff={REPORT: any_of("workorders.view_workorder")},
        portal_capabilities={
            "reports": frozenset({VIEW, REPORT}),
            "create_work_order": frozenset({VIEW, ADD}),
        },
        staff_only_fields=("technician",),
    ),
    Policy(
        model="workorders.quote",
        customer_path="customer_id",
        portal_roles={"approver": frozenset({VIEW})},
        portal_hidden=DRAFT,
    ),
    Policy(
        model="workorders.invoice",
        customer_path="customer_id",
        actions=(*STANDARD_ACTIONS, REPORT),
        staff={REPORT: any_of("workorders.view_invoice")},
        portal_capabilities={"billing": frozenset({VIEW}), "reports": frozenset({REPORT})},
        portal_hidden=DRAFT,
    ),
)
