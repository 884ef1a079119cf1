"""Phone numbers: any input format in, E.164 out, plus the digits that search matches against
(shared by customers, contacts and what builds on them)."""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from clientbase.text import clean as clean_text

NON_DIGITS = re.compile(r"\D")


def normalize_phone(value: str | None, region: str | None = None) -> str:
    """Parse `value` with the default region (`CLIENTBASE_DEFAULT_REGION`, or `region`) and answer
    it in E.164; '' for empty input.

    Raises ValidationError (code `invalid_phone`) when the text is not a phone number the phone
    library calls valid (not merely of a possible length), the message naming the region assumed
    for a number written without its country code; or when it holds what no single-line text may
    (`clientbase.text`)."""
    text = (value or "").strip()
    if not text:
        return ""
    clean_text(text)
    region = region or settings.CLIENTBASE_DEFAULT_REGION
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
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_digits(*numbers: str) -> str:
    """Digits of each E.164 number both internationally and nationally written (with the trunk
    prefix), so that digits typed in any format are a substring of this text."""
    variants: list[str] = []
    for e164 in numbers:
        if not e164:
            continue
        variants.append(NON_DIGITS.sub("", e164))
        try:
            parsed = phonenumbers.parse(e164, None)
        except phonenumbers.NumberParseException:
            continue
        national = NON_DIGITS.sub(
            "", phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        )
        if national not in variants:
            variants.append(national)
    return " ".join(dict.fromkeys(variants))


def digits_of(text: str) -> str:
    return NON_DIGITS.sub("", text or "")


# A search text of fewer digits than this is not matched against phone numbers.
MIN_PHONE_DIGITS = 3


def search_digits(text: str) -> str | None:
    """The digits a search text asks for among stored numbers (`phone_search_digits`), or None
    when the text is no phone number: digits and phone punctuation only, or a `tel:` link (its
    parameters such as `;ext=` left out), with at least MIN_PHONE_DIGITS digits. An international
    call prefix (`00`, `011`) stands for the "+" and is dropped, so "0044 20 7946 0018",
    "011 44 20 7946 0018" and "+44 20 7946 0018" ask for the same digits."""
    stripped = text.strip()
    if stripped[:4].lower() == "tel:":
        stripped = stripped[4:].split(";", 1)[0]
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


def format_phone(e164: str) -> str:
    """A readable international rendering of a stored number (for pages and vCards)."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


class PhoneNumberField(models.CharField):
    """A CharField that stores E.164; `full_clean()` normalises any accepted input format."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_phone(value)
