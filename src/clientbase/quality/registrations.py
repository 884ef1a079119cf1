"""What the quality app registers once the apps are loaded (`clientbase.app_config.App`): its
navigation entry and the findings sections of the customer and contact pages."""

from __future__ import annotations

from clientbase import periodic
from clientbase.contacts.views import register_contact_section
from clientbase.customers.views import register_customer_section
from clientbase.pages import NavItem, PageSection, register_nav_item
from clientbase.quality import snapshot
from clientbase.quality.views import (
    contact_findings_section,
    contact_merges_section,
    customer_findings_section,
)


def register() -> None:
    periodic.register("quality counts", snapshot.REFRESH_SECONDS, snapshot.refresh)
    register_nav_item(NavItem("quality", "Data quality", "quality:dashboard", "customers.Customer"))
    register_customer_section(
        PageSection(
            key="quality",
            title="Data quality",
            template_name="quality/_partials/findings.html",
            context=customer_findings_section,
        )
    )
    register_contact_section(
        PageSection(
            key="quality",
            title="Data quality",
            template_name="quality/_partials/findings.html",
            context=contact_findings_section,
        )
    )
    register_contact_section(
        PageSection(
            key="merges",
            title="Merged into this contact",
            template_name="quality/_partials/contact_merges.html",
            context=contact_merges_section,
        )
    )
