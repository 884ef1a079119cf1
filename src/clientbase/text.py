"""The rules every stored text follows, whichever way it came in (API, staff pages, portal pages,
import, command line): which characters a field refuses, and the one Unicode form text is kept in.

Single-line text, the `CharField`s (names, titles, subjects, codes, e-mail addresses, phone
numbers, external ids) and every text inside a `JSONField` (the lines of an address), refuses:

- every control character: C0 (U+0000 to U+001F, tab, line feed and carriage return included),
  DEL (U+007F) and C1 (U+0080 to U+009F). A line break in a name ends up in the `To:` header of every
  mail to that person, and mail servers refuse it;
- the line and paragraph separators U+2028 and U+2029;

multi-line text, the `TextField`s (notes, descriptions, access notes, bodies), accepts line feed,
carriage return and tab but refuses every other control character; and all text refuses:

- the invisible bidirectional controls U+061C, U+200E, U+200F, U+202A to U+202E and U+2066 to U+2069,
  which make text display in another order than it is stored (a file name or a number that reads
  as something else);
- the zero-width characters U+200B to U+200D, U+2060 and U+FEFF, which make two values look the same
  while they differ;
- unpaired surrogates (U+D800 to U+DFFF), which no database can store.

Text is stored in Unicode normalisation form NFC (`nfc`): the same name typed as one precomposed
character (“é”, U+00E9) or as a letter and a combining accent (“e” + U+0301, NFD) is stored as the
same characters, so the two are equal for searches, matching and uniqueness.

`clientbase.writes.apply_values` and `clientbase.writes.validate` apply these rules to every text
field of the model a service writes (`clean_instance`), so the refusal is the same field error
everywhere: 400 `{"field": ["..."]}` on the API, a message next to the field on a page and a row
error in an import."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

# Invisible characters that reorder the display of text (Unicode's bidirectional controls).
BIDI_CONTROLS = frozenset(
    ["\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))]
)
# Characters without width that make two strings look alike while they differ.
ZERO_WIDTH = frozenset(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"])
# What multi-line text may hold of the control characters.
MULTI_LINE_CONTROLS = frozenset("\n\r\t")
LINE_SEPARATORS = frozenset("\u2028\u2029")
# The code given with every refusal: `ValidationError.code`.
CODE = "forbidden_character"
# The most characters a multi-line text field (notes) holds, on every path (API, pages, import):
# what one spreadsheet cell holds (32,767, Excel's limit) less one, so that an export's formula
# guard still fits and every export imports back.
LONG_TEXT_MAX = 32_766

_NAMES = {"\t": "a tab", "\n": "a line break", "\r": "a line break", "\x00": "a NUL character"}


def nfc(value: str) -> str:
    """`value` in Unicode normalisation form NFC (how every text is stored)."""
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    name = unicodedata.name(char, "")
    return f"{code} {name}" if name else code


def problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with `value` (the first character refused, as a sentence naming it), or None
    when it may be stored. `multiline`: the rules of a `TextField` rather than a `CharField`."""
    if value.isascii() and value.isprintable():
        return None  # the common case, without looking at each character
    for char in value:
        if _is_control(char):
            if multiline and char in MULTI_LINE_CONTROLS:
                continue
            what = _NAMES.get(char, "a control character")
            if char in MULTI_LINE_CONTROLS:
                return f"Contains {what} ({_describe(char)}); this field is a single line."
            return f"Contains {what} ({_describe(char)}), which text may not hold."
        if char in LINE_SEPARATORS and not multiline:
            return f"Contains a line break ({_describe(char)}); this field is a single line."
        if char in BIDI_CONTROLS:
            return (
                f"Contains an invisible bidirectional control ({_describe(char)}), "
                "which changes how the text is displayed."
            )
        if char in ZERO_WIDTH:
            return (
                f"Contains an invisible zero-width character ({_describe(char)}), "
                "which makes different values look the same."
            )
        if 0xD800 <= ord(char) <= 0xDFFF:
            return f"Contains an unpaired surrogate ({_describe(char)}), which is not a character."
    return None


def clean(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC, a multi-line text's line breaks as line feeds (`\r\n` and `\r` written by
    other systems are the same break, and XLSX cells cannot keep a `\r`); ValidationError (code
    `forbidden_character`) naming the first character the rules above refuse."""
    message = problem(value, multiline=multiline)
    if message is not None:
        raise ValidationError(message, code=CODE)
    if multiline and "\r" in value:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    return nfc(value)


def scrub(value: str, *, multiline: bool = False) -> str:
    """`value` in NFC without the characters the rules above refuse, for text that is recorded
    rather than typed into a field (the name of an uploaded file)."""
    if problem(value, multiline=multiline) is None:
        return nfc(value)
    return nfc("".join(char for char in value if problem(char, multiline=multiline) is None))


def is_text_field(field: Any) -> bool:
    """Does `field` hold text these rules apply to (CharField, TextField, JSONField and their
    subclasses: e-mail, URL and phone fields)?"""
    return isinstance(field, models.CharField | models.TextField | models.JSONField)


def is_multiline(field: Any) -> bool:
    """A `TextField` holds several lines; every other text field (and a JSON text) holds one."""
    return isinstance(field, models.TextField)


def clean_value(field: Any, value: Any) -> Any:
    """`value` of `field` with its text in NFC; ValidationError naming what is refused. Texts inside
    JSON (objects and lists, e.g. an address) follow the single-line rules; a key names the text
    in the message (“street: Contains a line break ...”)."""
    if isinstance(value, str):
        return clean(value, multiline=is_multiline(field))
    if isinstance(field, models.JSONField):
        return _clean_json(value, "")
    return value


def _clean_json(value: Any, where: str) -> Any:
    if isinstance(value, str):
        message = problem(value)
        if message is not None:
            raise ValidationError(f"{where}: {message}" if where else message, code=CODE)
        return nfc(value)
    if isinstance(value, dict):
        return {_clean_json(key, where): _clean_json(item, str(key)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(item, where) for item in value]
    return value


def clean_instance(instance: models.Model, exclude: Iterable[str] = ()) -> dict[str, list[str]]:
    """Put every text field of `instance` (those in `exclude` aside) in NFC, in place; answer the
    refusals by field name (`{"last_name": ["Contains a line break ..."]}`), empty when none."""
    skipped = set(exclude)
    errors: dict[str, list[str]] = {}
    for field in instance._meta.concrete_fields:
        if field.name in skipped or not is_text_field(field):
            continue
        value = getattr(instance, field.attname)
        if value is None:
            continue
        try:
            cleaned = clean_value(field, value)
        except ValidationError as error:
            errors[field.name] = list(error.messages)
            continue
        if cleaned != value:
            setattr(instance, field.attname, cleaned)
    return errors


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and its noun, singular for one: counted(1, "row") == "1 row", counted(2, "row") ==
    "2 rows", counted(3, "entry", "entries") == "3 entries"; thousands separated."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def long_text_limit(field: str, *, table: str, label: str) -> models.CheckConstraint:
    """The database's rule that `field` holds at most LONG_TEXT_MAX characters: the constraint
    `<table>_<field>_length` for a model's `Meta.constraints`, refused as "<label> may have at most
    32,766 characters." (a multi-line text field is a `TextField(max_length=LONG_TEXT_MAX)`, which
    the API and forms check first)."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), LONG_TEXT_MAX),
        name=f"{table}_{field}_length",
        violation_error_message=f"{label} may have at most {LONG_TEXT_MAX:,} characters.",
    )


# Apostrophes and quote marks, which names are written with or without (O'Testy, O\u2019Testy, OTesty).
_QUOTE_MARKS = dict.fromkeys(map(ord, "'\u2019\u2018\u201b`\u00b4\u02bc\u02b9\"\u201c\u201d"))
# The spelling of umlauts without them (Müller, Mueller).
_UMLAUTS = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ø": "oe", "Ø": "Oe"}
)
# Letters with a stroke or joined, which Unicode does not decompose into a letter and a mark
# (Łukasz, Søren, Đorđe, Æsir, Œuvre, the dotless i), as people type them without.
_STROKES = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "ŧ": "t",
        "\u0131": "i",  # dotless i
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)


# Values parsed or folded are remembered, this many of each kind: a chunk of an import (2,000 rows)
# reads each value several times (checked, stored, indexed) and parses it once; bounded so that
# a long import's memory stays flat (65,536 of each held ~100 MB).
REMEMBERED = 8192


@functools.lru_cache(maxsize=REMEMBERED)
def fold(value: str) -> str:
    """`value` as search compares it: accents left out (`Lefèvre` -> `lefevre`), case folded in
    every script (`ОЛЬГА` -> `ольга`, `Straße` -> `strasse`), letters with a stroke as their
    letter (`Łukasz` -> `lukasz`, `Søren` -> `soren`), apostrophes and quote marks left
    out (`O\u2019Testy` -> `otesty`), compatibility forms unified (full-width letters, ligatures), runs
    of spaces as one. A search folds its words and looks for them in `search_document`s."""
    if value.isascii():  # nothing to decompose, no stroke letters: the common case, faster
        return " ".join(value.lower().translate(_QUOTE_MARKS).split())
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.casefold().translate(_QUOTE_MARKS).translate(_STROKES).split())


class FoldedKeyField(models.TextField):
    """A folded text (`fold`) that a search reads by prefix from an ordinary index, compared byte
    by byte: collation "C" on PostgreSQL (SQLite compares so by default), so that `starts_with`
    is exactly the values beginning with a prefix and the index's order is the order a page reads
    in, whatever the database's own collation. Kept by the model's `save()`, never edited."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("db_default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


def starts_with(field: str, prefix: str) -> Q:
    """`field` begins with `prefix`, as a range an ordinary index answers (`prefix <= field <
    prefix with its last character the next one`); for a FoldedKeyField, whose comparison is
    byte by byte."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return Q(**{f"{field}__gte": prefix})
    following = last + 1 if last + 1 != 0xD800 else 0xE000  # no surrogates
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(following)})


def without_umlauts(value: str) -> str:
    """`value` with its umlauts spelled out (`Müller` -> `Mueller`, `Søren` -> `Soeren`), as people
    write names on a keyboard without them."""
    return value.translate(_UMLAUTS)


def search_document(*values: str) -> str:
    """The folded text (`fold`) of `values`, one line each (none empty), plus the spelling without
    umlauts of a value that has them (`Müller` gives `muller` and `mueller`), so a search finds
    either form."""
    lines: list[str] = []
    for value in values:
        for spelling in dict.fromkeys([value, without_umlauts(value)]):
            folded = fold(spelling)
            if folded:
                lines.append(folded)
    return "\n".join(lines)
