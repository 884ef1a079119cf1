"""Reads of customers, locations and assets beyond `.get()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clientbase import history
from clientbase.customers.models import Asset, Customer, Location
from clientbase.keyset import Tier, tiered
from clientbase.phones import search_digits
from clientbase.search import TRIGRAM, every_word, folded_words, is_short
from clientbase.text import fold, starts_with

# The order of each tier of a customer or location search.
ORDER = ("folded_name", "id")

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
    """Customers matching `text`, compared folded (`clientbase.text.fold`: accents, case in every
    script, quote marks and umlaut spellings aside), in tiers (`clientbase.search`): those whose
    name begins with it; then those whose number is it, or, for 3 characters or more, whose name,
    legal name or e-mail hold every word of it (`search_document`) or whose phone holds the digits
    of a phone number in any format. Each tier by name. The staff search of the start page, the
    customer list and the API's `?search=`."""
    text = " ".join(text.split())
    if not text:
        return queryset
    folded = fold(text)
    table = Customer._meta.db_table
    rest = Q(number__iexact=text)
    if not is_short(text):
        rest |= every_word(table, folded_words(text))
    digits = search_digits(text)
    if digits is not None:
        # Stored as E.164: national digits are its tail, less any trunk prefix ("0" in "020 …").
        national = digits.lstrip("0")
        if national:  # "000" asks for no digits: it matches no phone, not every one
            short = len(national) < TRIGRAM
            rest |= Q(phone__contains=national) if short else every_word(table, [national], "phone")
    tiers = [Tier(rest, ORDER)]
    if folded:
        tiers.insert(0, Tier(starts_with("folded_name", folded), ORDER))
    return tiered(queryset, tiers)


def search_locations(queryset: QuerySet[Location], text: str) -> QuerySet[Location]:
    """Locations matching `text` as `search_customers` compares: those whose name begins with it,
    then, for 3 characters or more, those whose name, code, street or city hold every word of it;
    each tier by name. The search of the start page, the location list and the API's `?search=`."""
    text = " ".join(text.split())
    if not text:
        return queryset
    folded = fold(text)
    if not folded:
        return queryset.none()
    tiers = [Tier(starts_with("folded_name", folded), ORDER)]
    if not is_short(text):
        tiers.append(Tier(every_word(Location._meta.db_table, folded_words(text)), ORDER))
    return tiered(queryset, tiers)


def locations_with_equipment(queryset: QuerySet[Location]) -> QuerySet[Location]:
    """Locations with their assets and each asset's parts, in three queries whatever the count."""
    return queryset.prefetch_related(
        Prefetch("assets", queryset=Asset.objects.prefetch_related("parts")),
    )


def customer_history(customer_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """The latest recorded changes of a customer, newest first (`clientbase.history.entries`)."""
    return history.entries(Customer, Customer.history.filter(id=customer_id), limit=limit)
