"""The search documents of contacts (`Contact.search_document`) kept true when their customer is
renamed: a contact's own fields are folded by `Contact.save()`, its customer's name here."""

from __future__ import annotations

from typing import Any

from clientbase.contacts.models import SEARCHED_FIELDS, Contact
from clientbase.customers.models import Customer

BATCH = 2000


def note_rename(sender: type[Customer], instance: Customer, update_fields: Any = None, **kwargs: Any) -> None:
    """`pre_save` of a customer: is its name about to change? (one query, only when the save may
    write the name)."""
    instance._search_renamed = instance.pk is not None and (  # type: ignore[attr-defined]
        (update_fields is None or "name" in update_fields)
        and Customer.objects.filter(pk=instance.pk).values_list("name", flat=True).first() != instance.name
    )


def refresh_search_documents(sender: type[Customer], instance: Customer, **kwargs: Any) -> None:
    """`post_save` of a renamed customer: its contacts' search documents, rewritten in batches
    of BATCH rows in the customer's transaction."""
    if not getattr(instance, "_search_renamed", False):
        return
    instance._search_renamed = False  # type: ignore[attr-defined]
    contacts = Contact.objects.filter(customer_id=instance.pk).only("pk", *SEARCHED_FIELDS, "search_document")
    changed: list[Contact] = []
    for contact in contacts.iterator(chunk_size=BATCH):
        document = contact.searched_text(customer_name=instance.name)
        if document != contact.search_document:
            contact.search_document = document
            changed.append(contact)
        if len(changed) >= BATCH:
            Contact.objects.bulk_update(changed, ["search_document"])
            changed.clear()
    if changed:
        Contact.objects.bulk_update(changed, ["search_document"])
