"""What the notifications app registers once the apps are loaded (`clientbase.app_config.App`): what it
adds to the shared registries and to the pages of the apps below it."""

from __future__ import annotations

from clientbase import access
from clientbase.contacts.privacy import register_source
from clientbase.contacts.views import register_contact_section
from clientbase.customers.views import CustomerSection, register_customer_section
from clientbase.metrics import register_collector
from clientbase.notifications import metrics as outbox_metrics
from clientbase.notifications import secret_links, services
from clientbase.notifications.policies import POLICIES
from clientbase.notifications.privacy import SOURCE as PRIVACY_SOURCE
from clientbase.notifications.views import contact_activity_section, customer_activity_section
from clientbase.pages import NavItem, PageSection, register_nav_item


def register() -> None:
    access.register(*POLICIES)
    register_collector("outbox", outbox_metrics.collect)

    register_source(PRIVACY_SOURCE)
    secret_links.register(
        services.VERIFY_LINK,
        label="e-mail verification link",
        make=services.verification_link,
        url_name="verify-email",
        legacy_keys=("verify_url",),
    )
    register_nav_item(NavItem("outbox", "Outbox", "notifications:outbox", "notifications.Message"))
    register_contact_section(
        PageSection(
            key="activity",
            title="E-mail and activity",
            template_name="notifications/_partials/contact_activity.html",
            context=contact_activity_section,
        )
    )
    register_customer_section(
        CustomerSection(
            key="activity",
            title="Activity",
            template_name="notifications/_partials/customer_activity.html",
            context=customer_activity_section,
        )
    )
