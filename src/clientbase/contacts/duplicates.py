"""Likely duplicates among the contacts of a customer, each with a score (0-100) and the reasons
that matched, from normalised signals:

- the same e-mail address (compared ignoring case) or the same phone number (any of the three,
  compared in E.164: typed in any format);
- similar names: the same name (`fold`: case, accents, apostrophes), the same name with and
  without umlauts (Müller, Mueller), first and last name swapped, and, for the same last name, a
  nickname of the first name (Bob, Robert; Bill, William: the `nicknames` package's table), a
  spelling variant (Jon, John: `_similar_spelling`, with `jellyfish`) or an initial (J., John).

`likely_duplicates` answers the contacts of a customer that a contact not yet saved would
duplicate (the create form asks as the user types); `duplicate_pairs` the pairs among a
customer's contacts. Both read candidates with a bounded query (the same customer and e-mail,
phone digits or last name), never every contact."""

from __future__ import annotations

import contextlib
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import jellyfish
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Lower

from clientbase import access
from clientbase.contacts.models import Contact
from clientbase.phones import format_phone, normalize_phone, split_extension
from clientbase.text import fold, starts_with, without_umlauts

# A pair scoring this much or more is a likely duplicate.
LIKELY = 40
# Candidates read for one comparison, at most (the newest first beyond that are left out).
CANDIDATES = 200
# Contacts of one customer compared in pairs, at most.
PAIRED_CONTACTS = 5000
# Contacts sharing one key (an address, a phone, a last name) compared with each other, at most:
# a larger block is a key too common to tell people apart, and comparing all its pairs would cost
# the square of its size.
BLOCK_LIMIT = 50

SAME_EMAIL = 70
SAME_PHONE = 50
SAME_NAME = 60
UMLAUTS = 55
SWAPPED = 50
NICKNAME = 50
SPELLING = 45
INITIAL = 40


@dataclass(frozen=True)
class Person:
    """What two contacts are compared by: names as typed, the e-mail address, phones in E.164."""

    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phones: tuple[str, ...] = ()

    @classmethod
    def of(cls, contact: Contact) -> Person:
        return cls(
            contact.first_name,
            contact.last_name,
            contact.email,
            tuple(
                _e164(value) for value in (contact.phone, contact.mobile, contact.secondary_phone) if value
            ),
        )

    @classmethod
    def typed(
        cls, *, first_name: str = "", last_name: str = "", email: str = "", phone: str = "", mobile: str = ""
    ) -> Person:
        """A contact not yet saved, as typed: a phone that is no number is left out."""
        phones: list[str] = []
        for number in (phone, mobile):
            if number.strip():
                with contextlib.suppress(ValidationError):
                    phones.append(_e164(normalize_phone(number)))
        return cls(first_name.strip(), last_name.strip(), email.strip(), tuple(dict.fromkeys(phones)))


@dataclass
class Match:
    """A stored contact and how much, and why, it looks like the one compared."""

    contact: Contact
    score: int
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contact": self.contact.pk,
            "name": self.contact.full_name,
            "score": self.score,
            "reasons": self.reasons,
        }


def _e164(value: str) -> str:
    """A stored phone as compared: in E.164 with its extension, if any (the extensions of one
    switchboard number are different people)."""
    return value


@functools.cache
def _nicknamer() -> Any:
    from nicknames import NickNamer

    return NickNamer()


def _name_group(first: str) -> frozenset[str]:
    """A first name with the names it is a nickname of and the nicknames it has (folded)."""
    namer = _nicknamer()
    return frozenset({first, *namer.canonicals_of(first), *namer.nicknames_of(first)})


def _similar_spelling(a: str, b: str) -> bool:
    """Spellings of one name (Jon, John; Steven, Stephen; Eric, Erik): the same Metaphone code and
    a Jaro-Winkler similarity of 0.87 or more (John and Joan, 0.867, stay apart), or a similarity
    of 0.94 or more (a typing error)."""
    if len(a) < 3 or len(b) < 3:
        return False
    similarity = jellyfish.jaro_winkler_similarity(a, b)
    return similarity >= 0.94 or (similarity >= 0.87 and jellyfish.metaphone(a) == jellyfish.metaphone(b))


def _initial(a: str, b: str) -> bool:
    """`a` is an initial (`J`, `J.`) of `b`, or `b` of `a`."""
    for short, long in ((a, b), (b, a)):
        letter = short.rstrip(".")
        if len(letter) == 1 and len(long) > 1 and long.startswith(letter):
            return True
    return False


def _name_reasons(a: Person, b: Person) -> tuple[int, list[str]]:
    first_a, last_a, first_b, last_b = (
        fold(v) for v in (a.first_name, a.last_name, b.first_name, b.last_name)
    )
    if not last_a or not last_b:
        return 0, []
    shown = f"{a.first_name} {a.last_name}".strip(), f"{b.first_name} {b.last_name}".strip()
    if first_a and (first_a, last_a) == (last_b, first_b) and first_a != last_a:
        return SWAPPED, [f"First and last name swapped: {shown[0]} / {shown[1]}."]
    same_last = last_a == last_b
    umlauts = not same_last and fold(without_umlauts(a.last_name)) == fold(without_umlauts(b.last_name))
    if not (same_last or umlauts):
        return 0, []
    if first_a != first_b and fold(without_umlauts(a.first_name)) == fold(without_umlauts(b.first_name)):
        first_b = first_a  # Søren, Soeren: one name, as for the last name
    if umlauts:
        spelled = f"{a.last_name} / {b.last_name}: the same name with and without umlauts."
        if first_a == first_b or not first_a or not first_b:
            return UMLAUTS, [spelled]
        return 0, []
    if first_a == first_b:
        if (
            a.first_name.casefold() + a.last_name.casefold()
            != b.first_name.casefold() + b.last_name.casefold()
        ):
            return SAME_NAME, [f"The same name written differently: {shown[0]} / {shown[1]}."]
        return SAME_NAME, [f"The same name: {shown[0]}."]
    if not first_a or not first_b:
        return 0, []
    if first_b in _name_group(first_a) or first_a in _name_group(first_b):
        return NICKNAME, [f"{a.first_name} and {b.first_name} are forms of one first name."]
    if _initial(first_a, first_b):
        return INITIAL, [f"{a.first_name} / {b.first_name}: an initial of the first name."]
    if _similar_spelling(first_a, first_b):
        return SPELLING, [f"{a.first_name} / {b.first_name}: similar spellings of the first name."]
    return 0, []


def compare(a: Person, b: Person) -> tuple[int, list[str]]:
    """How much `a` and `b` look like one person (0-100) and why."""
    score, reasons = _name_reasons(a, b)
    if a.email and b.email and a.email.lower() == b.email.lower():
        score += SAME_EMAIL
        reasons.append(f"The same e-mail address: {b.email}.")
    if shared := sorted(set(a.phones) & set(b.phones)):
        score += SAME_PHONE
        reasons.append(f"The same phone number: {format_phone(shared[0])}.")
    return min(score, 100), reasons


def _last_name_keys(last_name: str) -> list[str]:
    """The folded forms a stored last name may have: as typed, with umlauts spelled out, and with
    spelled-out umlauts read back (`Mueller` may be stored as `Müller`, folded `muller`)."""
    folded = fold(last_name)
    spelled = fold(without_umlauts(last_name))
    collapsed = re.sub(r"(?<=[aou])e", "", folded)
    return [key for key in dict.fromkeys([folded, spelled, collapsed]) if key]


def _candidates(
    user: Any, customer_id: int | None, people: Iterable[Person], exclude: int | None
) -> list[Contact]:
    """The contacts of `customer_id` (None: the contacts without one) `user` may see that share an
    e-mail address, a phone or a last name (also as a first name: swapped) with any of `people`."""
    condition = Q()
    for person in people:
        if person.email:
            condition |= Q(email_key=person.email.lower())
        for phone in person.phones:
            condition |= Q(phone_digits__contains=split_extension(phone)[0].lstrip("+"))
        for key in _last_name_keys(person.last_name):
            condition |= starts_with("folded_last_first", f"{key} ") | Q(folded_last_first=key)
            condition |= starts_with("folded_first_last", f"{key} ")
    if not condition:
        return []
    own = Q(customer__isnull=True) if customer_id is None else Q(customer_id=customer_id)
    queryset = access.restrict(user, Contact.objects.filter(own), access.VIEW)
    queryset = (
        queryset.annotate(email_key=Lower("email")).filter(condition).filter(status=Contact.Status.ACTIVE)
    )
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude)
    return list(queryset.order_by("-pk")[:CANDIDATES])


def likely_duplicates(
    user: Any, customer_id: int | None, person: Person, *, exclude: int | None = None, limit: int = 10
) -> list[Match]:
    """The contacts of `customer_id` that `person` (not yet saved; or contact `exclude`, being
    edited) likely duplicates, the likeliest first: two queries at most."""
    matches = []
    for contact in _candidates(user, customer_id, [person], exclude):
        score, reasons = compare(person, Person.of(contact))
        if score >= LIKELY:
            matches.append(Match(contact, score, reasons))
    matches.sort(key=lambda match: (-match.score, match.contact.pk))
    return matches[:limit]


@dataclass
class Pair:
    first: Contact
    second: Contact
    score: int
    reasons: list[str]


def duplicate_pairs(user: Any, customer_id: int, *, limit: int = 50) -> list[Pair]:
    """The likely duplicate pairs among the active contacts of `customer_id` that `user` may see
    (the first PAIRED_CONTACTS of them), the likeliest first. Contacts are compared only within a
    block sharing an e-mail address, a phone or a folded last name, of at most BLOCK_LIMIT
    contacts: never every pair, at most PAIRED_CONTACTS x BLOCK_LIMIT comparisons per key."""
    contacts: Sequence[Contact] = list(
        access.restrict(
            user, Contact.objects.filter(customer_id=customer_id, status=Contact.Status.ACTIVE), access.VIEW
        ).order_by("pk")[:PAIRED_CONTACTS]
    )
    blocks: dict[str, list[int]] = {}
    people = [Person.of(contact) for contact in contacts]
    for index, person in enumerate(people):
        keys = [f"e:{person.email.lower()}"] if person.email else []
        keys += [f"p:{phone}" for phone in person.phones]
        keys += [f"n:{key}" for key in _last_name_keys(person.last_name)]
        keys += [f"n:{key}" for key in _last_name_keys(person.first_name)]  # swapped names
        for key in keys:
            blocks.setdefault(key, []).append(index)
    compared: set[tuple[int, int]] = set()
    pairs = []
    for members in blocks.values():
        if len(members) > BLOCK_LIMIT:
            continue  # a key too common to tell people apart (a switchboard, a frequent surname)
        for i, j in itertools.combinations(members, 2):
            if (i, j) in compared:
                continue
            compared.add((i, j))
            score, reasons = compare(people[i], people[j])
            if score >= LIKELY:
                pairs.append(Pair(contacts[i], contacts[j], score, reasons))
    pairs.sort(key=lambda pair: (-pair.score, pair.first.pk, pair.second.pk))
    return pairs[:limit]
