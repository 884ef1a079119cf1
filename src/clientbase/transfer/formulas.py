"""Spreadsheet formula injection: what we write into CSV/XLSX cells, and its exact inverse on import.

Every cell first loses the characters no spreadsheet cell can hold (`clean`: the control characters
U+0000-U+001F other than tab, line feed and carriage return), so that nothing can vanish from a
cell after it was checked. Then:

- **CSV** (`neutralise`): a cell is run as a formula by spreadsheet programs when its first visible
  character is `=`, `+`, `-` or `@` (whatever whitespace, control or invisible format characters
  come before it: ` =`, `\\u200b=`), or when it starts, after spaces, with a tab or a carriage
  return; such a cell is written with a single quote before it. So that the inverse is exact, a text
  that itself starts with a single quote is prefixed as well.
- **XLSX** (`string_cell`): cells are typed strings, which no spreadsheet program runs, so no quote
  is needed; one is added only before a text that itself starts with a quote that `restore` would
  otherwise remove (`'=1+1` is written `''=1+1`), so that XLSX round trips are exact too.

`restore` removes one leading quote exactly where `neutralise` adds one:

    restore(neutralise(text)) == restore(string_cell(text)) == clean(text)   for every text

A lone apostrophe a user typed before ordinary text (`'hello`) is kept as it is."""

from __future__ import annotations

import re
import unicodedata

TRIGGERS = ("=", "+", "-", "@")
LEADING_TRIGGERS = ("\t", "\r")
QUOTE = "'"
# What XML 1.0, and so XLSX, cannot hold; openpyxl's ILLEGAL_CHARACTERS_RE.
UNHOLDABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def clean(text: str) -> str:
    """The text without the control characters no spreadsheet cell can hold (tab and line breaks
    stay)."""
    return UNHOLDABLE.sub("", text)


def _first_visible(text: str) -> str:
    """The first character that is not whitespace, a control or an invisible format character."""
    for char in text:
        if not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf")):
            return char
    return ""


def _needs_quote(text: str) -> bool:
    return (
        text.startswith(QUOTE)
        or _first_visible(text) in TRIGGERS
        or text.lstrip(" ").startswith(LEADING_TRIGGERS)
    )


def neutralise(text: str) -> str:
    """The text as a CSV export writes it into a cell: cleaned, then guarded."""
    text = clean(text)
    return QUOTE + text if _needs_quote(text) else text


def string_cell(text: str) -> str:
    """The text as an XLSX export writes it into a typed string cell: cleaned, and a quote added
    only where `restore` would remove one."""
    text = clean(text)
    return QUOTE + text if restore(text) != text else text


def restore(text: str) -> str:
    """The text an exported cell stood for (the inverse of `neutralise` and `string_cell`)."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text
