"""The columns of an import, described once: for each column its name, where its value goes in the
API body, how a cell is read, what a blank cell does, the other headers that name it, its help
text and an example. The kinds (`kinds.py`), the header check and mapping, the templates and the
upload page's column list are all made from these descriptions.

Headers are recognised ignoring case, spaces and punctuation (`First Name`, `first_name` and
`FIRST-NAME` are one header), under the column's name, the label the staff pages show and common
spellings of other programs (`E-mail Address`, `Mobile Phone`, `Company`); a `mapping`
(`{"file column": "column or empty to ignore"}`) names the rest."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from clientbase.errors import ValidationFailed
from clientbase.text import nfc
from clientbase.transfer.formulas import restore

TRUE_WORDS = {"true", "yes", "y", "1", "x"}
FALSE_WORDS = {"false", "no", "n", "0"}
PUNCTUATION = re.compile(r"[\W_]+")
SHOWN_NAMES = 10


class RowError(Exception):
    """What is wrong with one row: [(field, message)]."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        super().__init__("; ".join(message for _, message in errors))


class HeaderRefused(ValidationFailed):
    """A header with columns that are not recognised or name one column twice: a mapping can place
    them (the import page then asks for one)."""


class _Keep:
    """The `cleared` of a column whose blank cell never clears (true/false, fixed choices)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()

Blank = Literal["keep", "clear"]
BLANK_CHOICES: tuple[Blank, ...] = ("keep", "clear")


def text(value: str) -> str:
    """A cell as the text it stands for: an exported formula guard removed, in NFC (so a value
    matches the stored one whatever Unicode form the file has it in; `clientbase.text`)."""
    return nfc(restore(value))


def as_text(value: str, column: str) -> str:
    return text(value)


def as_stripped(value: str, column: str) -> str:
    return text(value).strip()


def as_boolean(value: str, column: str) -> bool:
    word = text(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise RowError([(column, f"Write true or false, not “{value}”.")])


def as_date(value: str, column: str) -> str:
    """A date cell: `2026-01-31`, also when a spreadsheet gives the date with a time of day
    (`2026-01-31 14:30`, `2026-01-31T00:00:00`): the time is left out. The API checks the date."""
    return re.split(r"[ T]", text(value).strip(), maxsplit=1)[0]


def word_list(value: str, column: str = "") -> list[str]:
    """`site, billing` -> ["site", "billing"]; an empty cell is an empty list."""
    return [part.strip() for part in text(value).split(",") if part.strip()]


Role = Literal["value", "key", "customer", "locations", "assets", "ignored"]


@dataclass(frozen=True)
class Column:
    """One column of an import.

    `path`: where the value goes in the API body (`("notify", "quotes")`); empty = `(name,)`.
    `read`: `(cell, column name) -> value`, RowError for a cell it cannot read.
    `cleared`: the value a blank cell gives with `blank=clear` (KEEP: a blank never clears).
    `role`: "value" (goes into the body), "key" (only matches a stored object: `id`, `number`),
    "customer"/"locations"/"assets" (looked up within the user's scope by the kind), "ignored" (exported for
    reading, never imported: `customer_name`).
    `aliases`: other headers that name the column (the page's label, other programs' spellings).
    `exact`: only the header written exactly as `name` names it (`id`: other programs' "ID"
    columns are their own ids).
    `fallback_for`: an ignored column read as that column when the file lacks it (`customer_name`
    names the customer in a file without a `customer` column)."""

    name: str
    help: str
    read: Callable[[str, str], Any] = as_text
    path: tuple[str, ...] = ()
    cleared: Any = ""
    role: Role = "value"
    aliases: tuple[str, ...] = ()
    example: str = ""
    exact: bool = False
    fallback_for: str = ""

    @property
    def target(self) -> tuple[str, ...]:
        return self.path or (self.name,)


def header_key(header: str) -> str:
    """A header as recognised: case, spaces and punctuation ignored (`E-mail Address` ->
    `emailaddress`)."""
    return PUNCTUATION.sub("", nfc(header).casefold())


def first_names(names: list[str], shown: int = SHOWN_NAMES) -> str:
    """`a, b, c` or, for a long list, `a, b, ... and 39,990 more`."""
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


class Columns:
    """The columns of one kind, in file order, with the headers that name each."""

    def __init__(self, kind: str, columns: Iterable[Column]):
        self.kind = kind
        self.all = tuple(columns)
        self.by_name = {column.name: column for column in self.all}
        recognised: dict[str, set[str]] = {}
        self.exact = {column.name for column in self.all if column.exact}
        for column in self.all:
            if column.exact:
                continue
            for header in (column.name, *column.aliases):
                recognised.setdefault(header_key(header), set()).add(column.name)
        # A spelling that could name two columns names neither.
        self.recognised = {key: names.pop() for key, names in recognised.items() if len(names) == 1}

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.all)

    def recognise(self, header: str) -> str | None:
        """The column a file's header names, or None."""
        if header.strip() in self.exact:
            return header.strip()
        return self.recognised.get(header_key(header))

    def parse_mapping(self, mapping: Mapping[str, Any] | str | None) -> dict[str, str | None]:
        """`mapping` (a mapping or its JSON text) as {file column: column name or None to ignore};
        ValidationFailed on `mapping` for anything else or a column name this kind lacks."""
        if mapping is None or mapping == "":
            return {}
        if isinstance(mapping, str):
            try:
                mapping = json.loads(mapping)
            except ValueError:
                mapping = None
        if not isinstance(mapping, Mapping) or not all(
            isinstance(key, str) and (value is None or isinstance(value, str))
            for key, value in mapping.items()
        ):
            raise ValidationFailed(
                {"mapping": ['A JSON object: {"file column": "column, or empty to ignore the column"}.']}
            )
        parsed: dict[str, str | None] = {}
        unknown: list[str] = []
        for header, target in mapping.items():
            name = (target or "").strip()
            if not name:
                parsed[header] = None
            elif name in self.by_name:
                parsed[header] = name
            else:
                unknown.append(f"“{name}”")
        if unknown:
            raise ValidationFailed(
                {
                    "mapping": [
                        f"A {self.kind} import has no column {first_names(unknown)}; "
                        f"its columns are: {', '.join(self.names)}."
                    ]
                }
            )
        return parsed

    def resolve(self, header: list[str], mapping: Mapping[str, str | None] | None = None) -> list[str | None]:
        """The column each file column stands for (None: ignored), from `mapping` first, then the
        recognised headers. Refuses the whole file (ValidationFailed on `file`) for headers it
        cannot place or two file columns for one column (HeaderRefused), or a mapping naming a
        header the file lacks (on `mapping`)."""
        # A mapping names a file column as written, case and surrounding spaces aside; a name that
        # could be two columns of the file, or that the mapping gives twice, places neither.
        given = {name.strip().casefold(): target for name, target in (mapping or {}).items()}
        present = Counter(column.strip().casefold() for column in header)
        mapped = Counter(name.strip().casefold() for name in mapping or {})
        twice = sorted(
            f"“{name}”"
            for name in mapping or {}
            if present[name.strip().casefold()] > 1 or mapped[name.strip().casefold()] > 1
        )
        if twice:
            raise ValidationFailed(
                {
                    "mapping": [
                        f"More than one column of the file, or of the mapping, is named {first_names(twice)} "
                        "(case aside); give the file's columns different names."
                    ]
                }
            )
        missing = [f"“{name}”" for name in (mapping or {}) if not present[name.strip().casefold()]]
        if missing:
            raise ValidationFailed(
                {
                    "mapping": [
                        f"The file has no column {first_names(missing)}; "
                        f"its columns are: {', '.join(header)}."
                    ]
                }
            )
        names: list[str | None] = []
        unknown: list[str] = []
        for column in header:
            if column.strip().casefold() in given:
                names.append(given[column.strip().casefold()])
                continue
            name = self.recognise(column)
            if name is None:
                unknown.append(column)
            names.append(name)
        repeated = sorted(name for name, count in Counter(n for n in names if n).items() if count > 1)
        problems = []
        if unknown:
            problems.append(f"Unknown columns: {first_names(unknown)}.")
        if repeated:
            problems.append(f"Repeated columns: {first_names(repeated)}.")
        if problems:
            raise HeaderRefused(
                {
                    "file": [
                        " ".join(problems)
                        + f" The columns of a {self.kind} import are: {', '.join(self.names)}"
                        + (
                            " (map other columns to one of them, or to nothing to ignore them)."
                            if unknown
                            else "."
                        )
                    ]
                }
            )
        placed = set(names)
        for index, name in enumerate(names):
            spec = self.by_name[name] if name is not None else None
            if spec is not None and spec.role == "ignored":
                names[index] = (
                    spec.fallback_for if spec.fallback_for and spec.fallback_for not in placed else None
                )
        return names

    def help(self) -> dict[str, str]:
        return {column.name: column.help for column in self.all}
