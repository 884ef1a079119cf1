"""What the workorders app registers once the apps are loaded (`clientbase.app_config.App`): what it
adds to the shared registries and to the pages of the apps below it."""

from __future__ import annotations

from clientbase import access
from clientbase.contacts.privacy import register_source
from clientbase.contacts.views import ContactSection, register_contact_section
from clientbase.contracts.views import register_contract_section
from clientbase.customers.views import (
    CustomerSection,
    register_asset_section,
    register_customer_section,
    register_location_section,
)
from clientbase.errors import register_constraint_messages
from clientbase.pages import NavItem, PageSection, register_nav_item
from clientbase.workorders.business_hours import business_hours
from clientbase.workorders.policies import POLICIES
from clientbase.workorders.privacy import SOURCE as PRIVACY_SOURCE
from clientbase.workorders.services import CONSISTENCY_MESSAGES
from clientbase.workorders.views import (
    asset_history_section,
    contact_work_section,
    contract_work_orders_section,
    customer_invoices_section,
    customer_quotes_section,
    customer_section,
    location_history_section,
)


def register() -> None:
    # A malformed CLIENTBASE_BUSINESS_HOURS stops the start here, not the first work-order page.
    business_hours()
    access.register(*POLICIES)
    register_constraint_messages(CONSISTENCY_MESSAGES)

    register_source(PRIVACY_SOURCE)

    register_nav_item(
        NavItem("work-orders", "Work orders", "workorders:work-order-list", "workorders.WorkOrder")
    )
    register_nav_item(NavItem("quotes", "Quotes", "workorders:quote-list", "workorders.Quote"))
    register_nav_item(NavItem("invoices", "Invoices", "workorders:invoice-list", "workorders.Invoice"))
    register_customer_section(
        CustomerSection(
            key="work-orders",
            title="Work orders",
            template_name="workorders/_partials/customer_work_orders.html",
            context=customer_section,
        )
    )
    register_customer_section(
        CustomerSection(
            key="quotes",
            title="Quotes",
            template_name="workorders/_partials/customer_quotes.html",
            context=customer_quotes_section,
        )
    )
    register_customer_section(
        CustomerSection(
            key="invoices",
            title="Invoices",
            template_name="workorders/_partials/customer_invoices.html",
            context=customer_invoices_section,
        )
    )
    register_location_section(
        PageSection(
            key="service-history",
            title="Service history",
            template_name="workorders/_partials/place_service_history.html",
            context=location_history_section,
        )
    )
    register_asset_section(
        PageSection(
            key="service-history",
            title="Service history",
            template_name="workorders/_partials/place_service_history.html",
            context=asset_history_section,
        )
    )
    register_contract_section(
        PageSection(
            key="work-orders",
            title="Work orders",
            template_name="workorders/_partials/contract_work_orders.html",
            context=contract_work_orders_section,
        )
    )
    register_contact_section(
        ContactSection(
            key="work-and-quotes",
            title="Work orders and quotes",
            template_name="workorders/_partials/contact_work.html",
            context=contact_work_section,
        )
    )
