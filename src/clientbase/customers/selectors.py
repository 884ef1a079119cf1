"""Reads of customers, locations and assets beyond `.get()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clientbase import history
from clientbase.customers.models import Asset, Customer, Location
from clientbase.phones import search_digits
from clientbase.text import fold

# Values other apps add to each customer the API answers: {attribute: a function answering the
# expression to annotate, e.g. a Subquery over `OuterRef("pk")`}. Contacts adds
# `primary_contact_id` (the API's `primary_contact`). Filled from an AppConfig.ready().
CUSTOMER_ANNOTATIONS: dict[str, Callable[[], Any]] = {}


def register_customer_annotation(name: str, expression: Callable[[], Any]) -> None:
    """Annotate every customer the API answers with `name` = `expression()`."""
    CUSTOMER_ANNOTATIONS[name] = expression


def customers_with_annotations(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Each customer with the values other apps registered (`CUSTOMER_ANNOTATIONS`), in the same
    query."""
    annotations = {name: expression() for name, expression in CUSTOMER_ANNOTATIONS.items()}
    return queryset.annotate(**annotations) if annotations else queryset


def search_customers(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """Customers whose number is `text`, or whose name, legal name or e-mail hold every word of it
    (compared folded: accents, case in every script, quote marks and umlaut spellings aside;
    `clientbase.text.fold`, `Customer.search_document`)."""
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(number__iexact=text) | _every_word(text))


def _every_word(text: str) -> Q:
    """Every folded word of `text` in `search_document` (nothing matches a text of no words)."""
    words = fold(text).split()
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for word in words:
        condition &= Q(search_document__contains=word)
    return condition


def find_customers(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """The staff search over customers (the start page, the customer list and the API's
    `?search=`): `search_customers`, or the customer's phone digits when `text` looks like a phone
    number in any format."""
    text = " ".join(text.split())
    if not text:
        return queryset
    matches = search_customers(queryset, text)
    digits = search_digits(text)
    if digits is not None:
        # Stored as E.164: national digits are its tail, less any trunk prefix ("0" in "020 …").
        matches = matches | queryset.filter(phone__contains=digits.lstrip("0"))
    return matches.order_by("name", "id")


def search_locations(queryset: QuerySet[Location], text: str) -> QuerySet[Location]:
    """Locations whose name, code, street or city hold every word of `text` (folded, as
    `search_customers` compares): the search of the start page, the location list and the API's
    `?search=`."""
    text = " ".join(text.split())
    if not text:
        return queryset
    return queryset.filter(_every_word(text))


def locations_with_equipment(queryset: QuerySet[Location]) -> QuerySet[Location]:
    """Locations with their assets and each asset's parts, in three queries whatever the count."""
    return queryset.prefetch_related(
        Prefetch("assets", queryset=Asset.objects.prefetch_related("parts")),
    )


def customer_history(customer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The latest recorded changes of a customer, newest first (`clientbase.history.entries`)."""
    return history.entries(Customer, Customer.history.filter(id=customer_id), limit=limit)
