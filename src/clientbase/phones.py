"""Phone numbers: any input format in, E.164 out, plus the digits that search matches against
(shared by customers, contacts and what builds on them).

A number with an extension keeps it, stored in the same column the RFC 3966 way: the E.164 number,
then `;ext=` and the extension's digits (`+13125550142;ext=12`). The stored text is thus also the
body of the number's `tel:` link, and `phonenumbers.parse(stored, None)` reads it back whole."""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clientbase.text import REMEMBERED
from clientbase.text import clean as clean_text

NON_DIGITS = re.compile(r"\D")

# The RFC 3966 parameter that carries an extension, as stored after the E.164 number.
EXTENSION_PARAMETER = ";ext="
# "+" and at most 15 digits (ITU-T E.164).
E164_MAX_LENGTH = 16
# The most digits the phone library reads as an extension (after an explicit label such as
# "ext." or ";ext="; its `ext_limit_after_explicit_label`).
EXTENSION_MAX_DIGITS = 20
# The longest stored number: E.164, then ";ext=" and the extension.
PHONE_MAX_LENGTH = E164_MAX_LENGTH + len(EXTENSION_PARAMETER) + EXTENSION_MAX_DIGITS


def normalize_phone(value: str | None, region: str | None = None) -> str:
    """Parse `value` with the default region (`CLIENTBASE_DEFAULT_REGION`, or `region`) and answer
    it in E.164, followed by `;ext=` and the digits of an extension when it has one (any spelling
    the phone library reads: "ext. 12", "x12", "#12", "extension 12", ";ext=12"), at most
    PHONE_MAX_LENGTH characters; '' for empty input. "(312) 555-0142 ext. 12" answers
    "+13125550142;ext=12".

    Raises ValidationError (code `invalid_phone`) when the text is not a phone number the phone
    library calls valid (not merely of a possible length; an extension makes no invalid number
    valid), the message naming the region assumed for a number written without its country code;
    or when it holds what no single-line text may (`clientbase.text`)."""
    text = (value or "").strip()
    if not text:
        return ""
    clean_text(text)
    return _normalized_phone(text, region or settings.CLIENTBASE_DEFAULT_REGION)


@functools.lru_cache(maxsize=REMEMBERED)
def _normalized_phone(text: str, region: str) -> str:
    """`normalize_phone` of a stripped, clean `text` in `region`, remembered: one value is read by
    the serializer, the model and the search digits of one write, and a refusal is not remembered."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(f"“{text}” is not a phone number.", code="invalid_phone") from error
    if not phonenumbers.is_valid_number(number):
        # Valid, not merely of a possible length: "06 98 09 92 46" (a French mobile written
        # nationally) has as many digits as a US number but is none, and is not made one.
        if text.startswith("+"):
            message = f"“{text}” is not a valid phone number of the country its code names."
        else:
            message = (
                f"“{text}” is not a valid phone number in region {region}; "
                "give the country code (+...) for numbers abroad."
            )
        raise ValidationError(message, code="invalid_phone")
    stored = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if number.extension:  # in ASCII digits, as RFC 3966 writes them (the library keeps "١٢" as is)
        stored += EXTENSION_PARAMETER + "".join(str(unicodedata.digit(char)) for char in number.extension)
    if len(stored) > PHONE_MAX_LENGTH:
        # The library's own limits keep to this; the check keeps the column's length whatever.
        raise ValidationError(
            f"“{text}” is too long a phone number: an extension has at most {EXTENSION_MAX_DIGITS} digits.",
            code="invalid_phone",
        )
    return stored


def check_phone(value: str) -> None:
    """A validator (serializers, forms): ValidationError when `normalize_phone` refuses `value`."""
    normalize_phone(value)


def split_extension(stored: str) -> tuple[str, str]:
    """(the E.164 number, the extension's digits or '') of a stored number:
    "+13125550142;ext=12" answers ("+13125550142", "12"), "+13125550142" ("+13125550142", "")."""
    number, _, extension = (stored or "").partition(EXTENSION_PARAMETER)
    return number, extension


def phone_search_digits(*numbers: str) -> str:
    """Digits of each stored number both internationally and nationally written (with the trunk
    prefix), so that digits typed in any format are a substring of this text: "+13125550142"
    answers "13125550142 3125550142".

    An extension is left out ("+13125550142;ext=12" answers the same as "+13125550142"): its
    digits glued to the number's would match no number typed, and as words of their own they
    would make any short run of digits look like this number (the personal-data rules of
    `clientbase.contacts.privacy` take these digits as the mentions of a person's numbers)."""
    variants: list[str] = []
    for stored in numbers:
        e164, _extension = split_extension(stored)
        if e164:
            variants += _digit_forms(e164)
    return " ".join(dict.fromkeys(variants))


@functools.lru_cache(maxsize=REMEMBERED)
def _digit_forms(e164: str) -> tuple[str, ...]:
    """The digits of `e164` written internationally, then nationally when the library reads it."""
    international = NON_DIGITS.sub("", e164)
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return (international,)
    national = NON_DIGITS.sub("", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL))
    return (international, national)


def digits_of(text: str) -> str:
    return NON_DIGITS.sub("", text or "")


# A search text of fewer digits than this is not matched against phone numbers.
MIN_PHONE_DIGITS = 3


# An extension written after a number, as people type it: "x12", "ext. 5", "extension 5", "#3".
TYPED_EXTENSION = re.compile(r"\s*(?:ext\.?|extension|x|#)\s*\d+\s*$", re.IGNORECASE)
TRUNK_IN_BRACKETS = re.compile(r"\(0\)")


def search_digits(text: str) -> str | None:
    """The digits a search text asks for among stored numbers (`phone_search_digits`), or None
    when the text is no phone number: digits and phone punctuation only, a `tel:` link (its
    parameters such as `;ext=` left out) or a number as stored (its `;ext=` left out), with at
    least MIN_PHONE_DIGITS digits. An international call prefix (`00`, `011`) stands for the "+"
    and is dropped, so "0044 20 7946 0018", "011 44 20 7946 0018", "+44 (0)20 7946 0018" and
    "+44 20 7946 0018" ask for the same digits; an extension as typed ("x12", "ext. 5") is left
    out."""
    stripped = text.strip()
    if stripped[:4].lower() == "tel:":
        stripped = stripped[4:].split(";", 1)[0]
    elif EXTENSION_PARAMETER in stripped.lower():
        stripped = stripped[: stripped.lower().index(EXTENSION_PARAMETER)]
    # An extension as typed ("x12", "ext. 5", "#3") asks for the number before it; a trunk
    # prefix in brackets after the country code ("+44 (0)20 ...") is not dialled from abroad.
    stripped = TRUNK_IN_BRACKETS.sub(" ", TYPED_EXTENSION.sub("", stripped))
    if not looks_like_phone(stripped):
        return None
    digits = digits_of(stripped)
    if not stripped.startswith("+"):
        for prefix in ("011", "00"):
            if digits.startswith(prefix) and len(digits) > len(prefix) + MIN_PHONE_DIGITS:
                digits = digits[len(prefix) :]
                break
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def looks_like_phone(text: str) -> bool:
    """Text made of digits and phone punctuation only: '(312) 555-01', '+44 20 7946'."""
    stripped = text.strip()
    return bool(stripped) and all(ch.isdigit() or ch in " +-().,/" for ch in stripped)


def format_phone(stored: str) -> str:
    """A readable international rendering of a stored number (for pages and vCards), its
    extension after " ext. ": "+13125550142;ext=12" answers "+1 312-555-0142 ext. 12" (the same
    words for every country, where the library would write some with " x"). Text that does not
    parse is answered as it is."""
    if not stored:
        return ""
    try:
        parsed = phonenumbers.parse(stored, None)
    except phonenumbers.NumberParseException:
        return stored
    extension = parsed.extension
    parsed.extension = None
    text = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return f"{text} ext. {extension}" if extension else text


class PhoneNumberField(models.CharField):
    """A CharField that stores E.164, with `;ext=` and an extension's digits when the number has
    one (`normalize_phone`); `full_clean()` normalises any accepted input format."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value)

    def to_canonical(self, value: str) -> str:
        """The stored form of `value` (`normalize_phone`); ValidationError when it is none."""
        return normalize_phone(value)
