"""What the transfer app registers once the apps are loaded (`clientbase.app_config.App`): what it
adds to the shared registries and to the pages of the apps below it."""

from __future__ import annotations

from clientbase.contacts.privacy import register_source
from clientbase.contacts.views import ContactSection, register_contact_section
from clientbase.metrics import register_collector
from clientbase.pages import NavItem, register_nav_item
from clientbase.transfer import metrics as import_metrics
from clientbase.transfer.privacy import SOURCE as PRIVACY_SOURCE
from clientbase.transfer.views import contact_export_section


def register() -> None:
    register_source(PRIVACY_SOURCE)
    register_collector("imports", import_metrics.collect)
    register_nav_item(NavItem("imports", "Imports", "transfer:import-list", "transfer.ImportRun"))
    register_contact_section(
        ContactSection(
            key="vcard",
            title="Export",
            template_name="transfer/_partials/contact_export.html",
            context=contact_export_section,
        )
    )
