"""Spreadsheet formula injection: what we write into CSV/XLSX cells, and its exact inverse on import.

A cell whose text starts (after leading spaces) with `=`, `+`, `-`, `@`, a tab or a carriage return
is run as a formula by spreadsheet programs, so exports prefix it with a single quote. So that the
inverse is exact, a text that itself starts with a single quote is prefixed as well; `restore`
removes one leading quote exactly where `neutralise` adds one:

    restore(neutralise(text)) == text   for every text

A lone apostrophe a user typed before ordinary text (`'hello`) is kept as it is."""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(" ").startswith(TRIGGERS) or text.startswith(QUOTE)


def neutralise(text: str) -> str:
    """The text as an export writes it into a cell."""
    return QUOTE + text if _needs_quote(text) else text


def restore(text: str) -> str:
    """The text an exported cell stood for (the inverse of `neutralise`)."""
    if text.startswith(QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text
