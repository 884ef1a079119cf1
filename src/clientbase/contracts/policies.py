"""The contracts app's rule, registered with `clientbase.access` by `ContractsConfig.ready()`.

Staff act through the Django permissions of each action, which the staff groups hold as migration
0003 grants them: Administrator everything; Dispatcher (who plans the visits a contract promises)
and Accounts receivable (who bills it) view, add, change and delete contracts; Technician views
them (what a visit is covered by). Portal users with `billing` (and so portal admins, who hold every
capability) read their own customer's contracts, on the portal's Contracts page and through
`contracts/` alike; other portal users may not view contracts at all (403), and another customer's
contract reads as not found (404). The notes are the service provider's own: portal users never
read them."""

from __future__ import annotations

from clientbase.access import VIEW, Policy

POLICIES = (
    Policy(
        model="contracts.contract",
        customer_path="customer_id",
        portal_capabilities={"billing": frozenset({VIEW})},
        staff_only_fields=("notes",),
    ),
)
