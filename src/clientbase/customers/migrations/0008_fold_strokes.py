from django.db import migrations
from django.db.models import Q

from clientbase.migration_checks import fill_columns
from clientbase.text import fold, search_document

# Letters a search document held as they were before folding read them as plain letters.
FOLDED_BEFORE = "[łøđðħŧıæœþ]"


def customer_values(customer):
    return [customer.name, customer.legal_name, customer.email]


def location_values(location):
    address = location.address if isinstance(location.address, dict) else {}
    return [location.name, location.code, str(address.get("street") or ""), str(address.get("city") or "")]


class Migration(migrations.Migration):
    """Folding reads letters with a stroke as their letter (Łódź as lodz, Søren as soren and
    soeren): the search documents and folded names of the customers and locations holding one are
    written again."""

    dependencies = [
        ("customers", "0007_folded_names"),
    ]

    operations = [
        fill_columns(
            "customers",
            "Customer",
            {
                "search_document": lambda row: search_document(*customer_values(row)),
                "folded_name": lambda row: fold(row.name),
            },
            where=Q(search_document__regex=FOLDED_BEFORE),
        ),
        fill_columns(
            "customers",
            "Location",
            {
                "search_document": lambda row: search_document(*location_values(row)),
                "folded_name": lambda row: fold(row.name),
            },
            where=Q(search_document__regex=FOLDED_BEFORE),
        ),
    ]
