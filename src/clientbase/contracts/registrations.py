"""What the contracts app registers once the apps are loaded (`clientbase.app_config.App`): its
access policy, the words of its triggers, its part of a person's personal data, its navigation entry
and the section of the customer page."""

from __future__ import annotations

from clientbase import access
from clientbase.contacts.privacy import register_source
from clientbase.contracts.policies import POLICIES
from clientbase.contracts.privacy import SOURCE as PRIVACY_SOURCE
from clientbase.contracts.services import CONSISTENCY_MESSAGES
from clientbase.contracts.views import customer_contracts_section
from clientbase.customers.views import CustomerSection, register_customer_section
from clientbase.errors import register_constraint_messages
from clientbase.pages import NavItem, register_nav_item


def register() -> None:
    access.register(*POLICIES)
    register_constraint_messages(CONSISTENCY_MESSAGES)
    register_source(PRIVACY_SOURCE)
    register_nav_item(NavItem("contracts", "Contracts", "contracts:contract-list", "contracts.Contract"))
    register_customer_section(
        CustomerSection(
            key="contracts",
            title="Contracts",
            template_name="contracts/_partials/customer_contracts.html",
            context=customer_contracts_section,
        )
    )
