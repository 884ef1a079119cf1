"""`{{ quote.amount|money }}`: an amount in the installation's currency (`clientbase.money`); a
built-in of every template (settings.TEMPLATES), so no `{% load %}` is needed."""

from __future__ import annotations

from decimal import Decimal

from django import template

from clientbase.money import format_money

register = template.Library()


@register.filter(name="money")
def money(amount: Decimal | int | str | None) -> str:
    """`12450` → `$12,450.00`; None → ""."""
    return format_money(amount)
