"""E-mail addresses: validated, trimmed, domain lower-cased."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.db import models
from email_validator import EmailNotValidError, validate_email

from clientbase.text import REMEMBERED
from clientbase.text import clean as clean_text


def normalize_email(value: str | None) -> str:
    """Answer the normalised address, '' for empty input; ValidationError when it is not one, or
    holds what no single-line text may (`clientbase.text`)."""
    text = (value or "").strip()
    if not text:
        return ""
    clean_text(text)
    return _normalized_email(text)


@functools.lru_cache(maxsize=REMEMBERED)
def _normalized_email(text: str) -> str:
    """`normalize_email` of a stripped, clean `text`, remembered: one address is read by the
    serializer and the model of one write; a refusal is not remembered."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValidationError(f"Enter a valid e-mail address: {error}", code="invalid_email") from error
    return result.normalized


def check_email(value: str) -> None:
    """A validator (serializers, forms): ValidationError when `normalize_email` refuses `value`."""
    normalize_email(value)


class NormalizedEmailField(models.EmailField):
    """An EmailField whose `full_clean()` normalises the address."""

    default_validators = []

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        return normalize_email(super().to_python(value))

    def to_canonical(self, value: str) -> str:
        """The stored form of `value` (`normalize_email`); ValidationError when it is none."""
        return normalize_email(value)
