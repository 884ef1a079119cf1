from django.db import migrations, models

from clientbase.migration_checks import trigram_index
from clientbase.sqlite_rebuild import restore_triggers, set_triggers_aside
from clientbase.text import search_document

SEARCHED_FIELDS = ("first_name", "last_name", "email", "title", "department")  # as written then
BATCH = 2000


def fill_documents(apps, schema_editor) -> None:
    """Every stored contact's search document, in batches."""
    contact_model = apps.get_model("contacts", "Contact")
    contacts = contact_model.objects.select_related("customer").only(*SEARCHED_FIELDS, "customer__name")
    batch = []
    for contact in contacts.iterator(chunk_size=BATCH):
        own = search_document(*(getattr(contact, name) for name in SEARCHED_FIELDS))
        customer = search_document(contact.customer.name) if contact.customer_id is not None else ""
        contact.search_document = f"{own}\n\n{customer}" if customer else own
        batch.append(contact)
        if len(batch) >= BATCH:
            contact_model.objects.bulk_update(batch, ["search_document"])
            batch.clear()
    if batch:
        contact_model.objects.bulk_update(batch, ["search_document"])


class Migration(migrations.Migration):
    """Contacts gain `search_document`: the folded text a search matches (`Contact.save`); on
    PostgreSQL it and the phone digits get trigram indexes."""

    dependencies = [
        ("contacts", "0011_long_text_limits"),
        ("customers", "0006_search_documents"),
    ]

    operations = [
        set_triggers_aside(),
        migrations.AddField(
            model_name="contact",
            name="search_document",
            field=models.TextField(blank=True, default="", db_default="", editable=False),
        ),
        restore_triggers(),
        migrations.RunPython(fill_documents, migrations.RunPython.noop),
        trigram_index("contacts_contact", "search_document"),
        trigram_index("contacts_contact", "phone_digits"),
    ]
