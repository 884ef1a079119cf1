"""Amounts of money as people read them: the currency and thousands separators, `$12,450.00`.

The currency is one for the installation, `CLIENTBASE_CURRENCY` (an ISO 4217 code, default `USD`;
an unknown code stops the start with ImproperlyConfigured, `clientbase.settings`); amounts are
stored as decimals without a currency. The format follows the site's language (`LANGUAGE_CODE`)
through Babel's locale data (CLDR), so `EUR` shows as `€1,234.50` in English."""

from __future__ import annotations

import re
from decimal import Decimal

from babel.numbers import format_currency
from django.conf import settings
from django.utils.translation import to_locale

_LETTERS_THEN_DIGIT = re.compile(r"([^\W\d_])(\d)")


def format_money(amount: Decimal | int | str | None, currency: str | None = None) -> str:
    """`Decimal("12450")` → `"$12,450.00"` (in CLIENTBASE_CURRENCY unless `currency` names another
    ISO 4217 code); None or "" → "" (no amount). Raises decimal.InvalidOperation for a text that is
    not a number."""
    if amount is None or amount == "":
        return ""
    text = format_currency(
        Decimal(amount),
        currency or settings.CLIENTBASE_CURRENCY,
        locale=to_locale(settings.LANGUAGE_CODE),
    )
    # CLDR's currency spacing, which Babel leaves out: a symbol of letters is parted from the digits
    # by a no-break space ("CHF 1,000.00"), a sign such as "$" is not.
    return _LETTERS_THEN_DIGIT.sub("\\1\xa0\\2", text)
