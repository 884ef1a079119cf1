"""A customer's website: what people write ("example.com", "www.example.com/path") stored as the
address a browser opens ("https://example.com"). The one normaliser of the API, the staff form and
imports (`customers.services` applies it; serializers check with `check_website`)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from clientbase.text import clean

# A scheme written before "://" ("ftp://x"), or before ":" and no port number ("javascript:x",
# "mailto:x"; "example.com:8080" is a host and its port).
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)
_OTHER_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):(?!\d)", re.IGNORECASE)
WEB_SCHEMES = ("http", "https")
# The scheme added to an address written without one.
DEFAULT_SCHEME = "https"
EXAMPLE = (
    "Enter one such as example.com or https://www.example.com/contact (https:// is added when left out)."
)
INVALID = f"Not a website address. {EXAMPLE}"
_check_url = URLValidator(schemes=list(WEB_SCHEMES), message=INVALID)


def normalize_website(value: str) -> str:
    """`value` as stored: "" for blank; "https://" put before an address written without a
    scheme; the scheme and host in lower case. ValidationError (code "invalid") for anything
    that is not a web address: another scheme (`ftp://`, `javascript:`, `mailto:`), spaces, no
    host, a user name or password before the host; a character that no single-line text may
    hold is named (`clientbase.text.clean`)."""
    text = clean((value or "").strip())
    if not text:
        return ""
    scheme = _SCHEME.match(text) or _OTHER_SCHEME.match(text)
    if scheme is None:
        text = f"{DEFAULT_SCHEME}://{text}"
    elif scheme.group(1).lower() not in WEB_SCHEMES:
        raise ValidationError(
            f"Not a website address: it starts with “{scheme.group(1)}:”, a website's with http:// or "
            f"https://. {EXAMPLE}",
            code="invalid",
        )
    _check_url(text)
    parts = urlsplit(text)
    if "@" in parts.netloc:
        raise ValidationError(
            f"Not a website address: a user name or password before the host (…@{parts.hostname}) "
            f"hides where the link leads. {EXAMPLE}",
            code="invalid",
        )
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def check_website(value: str) -> None:
    """A validator (serializers, forms): ValidationError when `normalize_website` refuses `value`."""
    normalize_website(value)
