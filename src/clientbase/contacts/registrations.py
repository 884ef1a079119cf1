"""What the contacts app registers once the apps are loaded (`clientbase.app_config.App`): what it
adds to the shared registries and to the pages of the apps below it."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save

from clientbase import access
from clientbase.contacts import search
from clientbase.contacts.policies import POLICIES
from clientbase.contacts.selectors import primary_contact_id
from clientbase.contacts.views import (
    customer_contacts_section,
    customer_list_primary_contacts,
    location_contacts_section,
)
from clientbase.customers.models import Customer
from clientbase.customers.selectors import register_customer_annotation
from clientbase.customers.views import (
    register_customer_column,
    register_customer_section,
    register_location_section,
)
from clientbase.pages import PageSection


def register() -> None:
    access.register(*POLICIES)
    pre_save.connect(search.note_rename, sender=Customer, dispatch_uid="contacts.search.note_rename")
    post_save.connect(
        search.refresh_search_documents, sender=Customer, dispatch_uid="contacts.search.refresh"
    )
    register_customer_annotation("primary_contact_id", primary_contact_id)
    register_customer_section(
        PageSection(
            key="contacts",
            title="Contacts",
            template_name="contacts/_partials/customer_contacts.html",
            details_template_name="contacts/_partials/customer_primary_contact.html",
            context=customer_contacts_section,
        ),
        before_locations=True,
    )
    register_location_section(
        PageSection(
            key="contacts",
            title="Contacts",
            template_name="contacts/_partials/location_contacts.html",
            context=location_contacts_section,
        )
    )
    register_customer_column(
        PageSection(
            key="primary-contact",
            title="Primary contact",
            template_name="contacts/_partials/customer_primary_contact_cell.html",
            context=customer_list_primary_contacts,
        )
    )
