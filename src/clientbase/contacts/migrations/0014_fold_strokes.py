from django.db import migrations
from django.db.models import Q

from clientbase.migration_checks import fill_columns
from clientbase.text import fold, search_document

SEARCHED_FIELDS = ("first_name", "last_name", "email", "title", "department")  # as written then
# Letters a search document held as they were before folding read them as plain letters.
FOLDED_BEFORE = "[łøđðħŧıæœþ]"


def document(contact):
    own = search_document(*(getattr(contact, name) for name in SEARCHED_FIELDS))
    customer = search_document(contact.customer.name) if contact.customer_id is not None else ""
    return f"{own}\n\n{customer}" if customer else own


class Migration(migrations.Migration):
    """Folding reads letters with a stroke as their letter (Łukasz as lukasz, Søren as soren and
    soeren): the search documents and folded names of the contacts holding one, in their own
    fields or their customer's name, are written again."""

    dependencies = [
        ("contacts", "0013_folded_names"),
        ("customers", "0008_fold_strokes"),
    ]

    operations = [
        fill_columns(
            "contacts",
            "Contact",
            {
                "search_document": document,
                "folded_last_first": lambda row: fold(f"{row.last_name} {row.first_name}"),
                "folded_first_last": lambda row: fold(f"{row.first_name} {row.last_name}"),
            },
            where=Q(search_document__regex=FOLDED_BEFORE),
        ),
    ]
