"""Reads of customers, locations and assets beyond `.get()`."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery

from clientbase.customers.models import Customer


def customers_with_primary_contact(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Each customer annotated with `primary_contact_id`, in the same query."""
    from clientbase.contacts.models import Contact

    primary = Contact.objects.filter(customer=OuterRef("pk"), is_primary=True).values("pk")[:1]
    return queryset.annotate(primary_contact_id=Subquery(primary))


def search_customers(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """Customers whose name, legal name, number or e-mail contains `text`."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(name__icontains=text)
        | Q(legal_name__icontains=text)
        | Q(number__iexact=text)
        | Q(email__icontains=text)
    )
