"""The customers app's rules, registered with `clientbase.access` by `CustomersConfig.ready()`.

Staff act through the Django permissions of each action. Every portal user with current access
sees its own customer (the portal's home and profile pages name it); its locations only with a
capability whose pages list them (requesting service, reports, the contacts' sites), its assets
and their parts only with `create_work_order` (the request form lists the equipment).
"""

from __future__ import annotations

from clientbase.access import VIEW, Policy

SEE = frozenset({VIEW})

POLICIES = (
    # The notes are the service provider's own (how to deal with this customer), not the customer's.
    Policy(model="customers.customer", customer_path="id", portal_everyone=SEE, staff_only_fields=("notes",)),
    Policy(
        model="customers.location",
        customer_path="customer_id",
        portal_capabilities={"create_work_order": SEE, "reports": SEE, "edit_contacts": SEE},
    ),
    Policy(
        model="customers.asset",
        customer_path="location__customer_id",
        portal_capabilities={"create_work_order": SEE},
    ),
    Policy(
        model="customers.assetpart",
        customer_path="asset__location__customer_id",
        portal_capabilities={"create_work_order": SEE},
    ),
)
