"""How searches read, for contacts, customers and locations alike.

A search text is folded (`clientbase.text.fold`: accents, case in every script, quote marks) and
answered in tiers, each a `clientbase.keyset.Tier` read with its own `LIMIT`:

1. prefix matches on a folded name (`FoldedKeyField`), read in order from an ordinary index, so
   even a one-letter search stops after a page of rows;
2. then, to fill the page, rows holding every word anywhere in their `search_document` (or the
   phone digits asked for), read from a trigram index: PostgreSQL's pg_trgm GIN index on the
   column itself, SQLite's FTS5 trigram table `<table>_fts` kept by triggers
   (`clientbase.migration_checks.sqlite_trigram_table`). A text of 1-2 characters takes the prefix
   tiers only: a trigram index cannot answer it, and any substring of two letters matches a good
   part of a million names.

Nothing counts the matches or ranks every one of them, so a search of a common fragment costs
what a rare one costs."""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from clientbase.keyset import IndexRead, Tier
from clientbase.text import fold

# The shortest word a trigram index answers.
TRIGRAM = 3
# Characters LIKE reads as wildcards (and its escape): such a word is matched without the index.
_LIKE_SPECIAL = frozenset("%_\\")
# What separates the words of a search text: spaces and punctuation no stored word holds.
_SEPARATORS = re.compile(r"[\s,;:()\[\]{}<>/|!?*+=\"]+")
# Punctuation at the ends of a word (but `@`, which begins or ends an e-mail fragment).
_EDGES = re.compile(r"^[^\w@]+|[^\w@]+$")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)


def _words(text: str) -> list[str]:
    """The folded words of `text` in order (repeats kept): `fold`, a leading `mailto:` left out,
    split at spaces and at punctuation that no stored word holds (`Okafor, Tomas`, `(chen)`,
    `okafor/tomas`), each word without punctuation at its ends (`Blvd.`, `-x-`) but for `@`
    (`smith@`, `@gmail.com`); inner hyphens, dots and `@` stay (`jean-luc`, `j.mueller@x.de`)."""
    text = _MAILTO.sub("", text.strip())
    words = (_EDGES.sub("", word) for word in _SEPARATORS.split(fold(text)))
    return [word for word in words if word]


def folded_words(text: str) -> list[str]:
    """The distinct folded words of `text` (`_words`), in order; [] for a text of nothing but
    spaces, punctuation and quote marks."""
    return list(dict.fromkeys(_words(text)))


def folded_prefix(text: str) -> str:
    """`text` as the prefix tiers compare it with a folded name: its words (`_words`) joined by
    one space (`Okafor, Tomas` -> `okafor tomas`)."""
    return " ".join(_words(text))


def is_short(text: str) -> bool:
    """Whether `text` is too short for substring search (fewer than TRIGRAM characters in its
    folded words): it is answered by prefix only."""
    return len("".join(_words(text))) < TRIGRAM


def anywhere(table: str, words: list[str], column: str = "search_document") -> Tier:
    """The tier of the rows of `table` whose `column` holds every one of `words` (folded)
    anywhere, by id; no rows for no words. On SQLite, words of 3 characters or more are read from
    the FTS5 trigram table `<table>_fts` in rowid order (`IndexRead`: a page stops after a page of
    matches however many there are); the others, and every word on PostgreSQL (whose trigram index
    is on the column), are `LIKE '%word%'` on the column. Its `rule` answers the same rows as one
    condition, for other readers."""
    if not words:
        return Tier(Q(pk__in=[]), ("id",))
    own = Q()
    indexed = []
    for word in words:
        if connection.vendor == "sqlite" and len(word) >= TRIGRAM and not _LIKE_SPECIAL & set(word):
            indexed.append(word)
        else:
            own &= Q(**{f"{column}__contains": word})
    if not indexed:
        return Tier(own, ("id",))
    # Table and column names come from the code; the words are parameters.
    fts = f"{table}_fts"
    where = " AND ".join([f"{fts}.{column} LIKE %s"] * len(indexed))
    params = tuple(f"%{word}%" for word in indexed)
    union = own & Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {where}", params))  # noqa: S608, S611
    return Tier(own, ("id",), read=IndexRead(fts, where, params), union=union)


def every_word(table: str, words: list[str], column: str = "search_document") -> Q:
    """Rows of `table` whose `column` holds every one of `words` anywhere (`anywhere`), as one
    condition: for a tier that adds other conditions to it."""
    rule = anywhere(table, words, column).rule
    assert rule is not None
    return rule
