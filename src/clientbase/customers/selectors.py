"""Reads of customers, locations and assets beyond `.get()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clientbase import history
from clientbase.customers.models import Asset, Customer, Location
from clientbase.keyset import Tier, tiered
from clientbase.phones import MIN_PHONE_DIGITS, search_digits
from clientbase.search import every_word, folded_prefix, folded_words, is_short
from clientbase.text import starts_with

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
    name begins with it; then those whose number is it (holds it, for 3 characters or more: the
    digits of "C-000042" without the letter), or, for 3 characters or more, whose name,
    legal name or e-mail hold every word of it (`search_document`) or whose phone holds the digits
    of a phone number in any format. Each tier by name. The staff search of the start page, the
    customer list and the API's `?search=`."""
    text = " ".join(text.split())
    if not text:
        return queryset
    folded = folded_prefix(text)
    table = Customer._meta.db_table
    # A number in full ("C-000042") or in part ("000042", "C-0000"), from 3 characters.
    rest = Q(number__iexact=text) if is_short(text) else Q(number__icontains=text)
    if not is_short(text):
        rest |= every_word(table, folded_words(text))
    digits = search_digits(text)
    if digits is not None:
        # Stored as E.164: national digits are its tail, less any trunk prefix ("0" in "020 …");
        # fewer than a phone number's least digits left ("000001") ask for no phone at all.
        national = digits.lstrip("0")
        if len(national) >= MIN_PHONE_DIGITS:
            rest |= every_word(table, [national], "phone")
    tiers = [Tier(rest, ORDER)]
    if folded:
        tiers.insert(0, Tier(starts_with("folded_name", folded), ORDER))
    return tiered(queryset, tiers)


def search_locations(queryset: QuerySet[Location], text: str) -> QuerySet[Location]:
    """Locations matching `text` as `search_customers` compares: those whose code is it, those
    whose name begins with it, then, for 3 characters or more, those whose name, code, street or
    city hold every word of it; each tier by name. The search of the start page, the location
    list and the API's `?search=`."""
    text = " ".join(text.split())
    if not text:
        return queryset
    folded = folded_prefix(text)
    if not folded:
        return queryset.none()
    # A code in full first, however short ("HQ"); then names by prefix, then words anywhere.
    tiers = [
        Tier(Q(code__iexact=text), ORDER),
        Tier(starts_with("folded_name", folded), ORDER),
    ]
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
