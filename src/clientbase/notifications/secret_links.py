"""Secret links in queued mail: stored as a marker, made only when the worker sends the mail.

A link that lets its holder act as someone (the portal's set-password link, the test e-mail's
verification link) must never be readable from the outbox, whoever may read messages. So the
service that queues such a mail puts `marker(kind, **params)` into the message's `context` instead
of the link: the name of the kind of link and the facts needed to make it later (whose account,
the site address), never the secret itself. Then:

- `reveal(context)` is used by the worker alone (`clientbase.notifications.mail.build_email`), at
  send time: each marker becomes the real link, made now by its kind's `make`. A kind refuses
  (`LinkExpired`) when the link it would make is no longer meant to work (the account changed
  since the mail was queued); the worker then fails that message with the reason.
- `mask(context)` is used by every other rendering (the staff outbox page, the Django admin): each
  marker becomes a placeholder such as "[set-password link, sent only in the mail]". Rows written
  before markers existed may still hold a link as text: the context keys such links were kept
  under, and any text that contains a registered kind's URL, are masked the same way.

Apps register their kinds with `register()` when they are ready (`AppConfig.ready`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

# The key that tells a marker from other context values (a JSON object holding it is a marker).
MARKER_KEY = "__secret_link__"
# What stands in for a URL segment when the pattern of a kind's URL is derived from its route.
_SEGMENT = "SECRETSEGMENT"


class LinkExpired(Exception):
    """The link of a marker would no longer work (or was never meant to by now): the mail that
    carries it is not sent. The message says why, for the outbox's `last_error`."""


@dataclass(frozen=True)
class SecretLinkKind:
    """One kind of secret link.

    `label` names it in placeholders ("set-password link"); `make(params)` answers the absolute
    URL from a marker's params (raising `LinkExpired` when it must not be made any more);
    `url_name` and `url_args` (the number of path arguments) let `mask` recognise such a link
    written as text; `legacy_keys` are the context keys such links were stored under as text."""

    name: str
    label: str
    make: Callable[[Mapping[str, Any]], str]
    url_name: str
    url_args: int = 1
    legacy_keys: tuple[str, ...] = ()
    _pattern: list[re.Pattern[str]] = field(default_factory=list, compare=False, repr=False)

    @property
    def placeholder(self) -> str:
        return placeholder(self.label)

    def pattern(self) -> re.Pattern[str]:
        """The link as text, with or without scheme and host (made once the URLconf is loaded)."""
        if not self._pattern:
            path = reverse(self.url_name, args=[_SEGMENT] * self.url_args)
            body = re.escape(path).replace(_SEGMENT, r"[^/\s\"'<>]+")
            self._pattern.append(re.compile(r"(?:[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s\"'<>]+)?" + body))
        return self._pattern[0]


KINDS: dict[str, SecretLinkKind] = {}


def placeholder(label: str) -> str:
    return f"[{label}, sent only in the mail]"


def register(
    name: str,
    *,
    label: str,
    make: Callable[[Mapping[str, Any]], str],
    url_name: str,
    url_args: int = 1,
    legacy_keys: tuple[str, ...] = (),
) -> None:
    """Make a kind of secret link known (idempotent: the first registration of a name stays)."""
    KINDS.setdefault(
        name,
        SecretLinkKind(
            name=name, label=label, make=make, url_name=url_name, url_args=url_args, legacy_keys=legacy_keys
        ),
    )


def marker(kind: str, **params: Any) -> dict[str, Any]:
    """What a message's context holds in place of a secret link of `kind`: `params` are the facts
    its `make` needs at send time (JSON values, nothing secret). Raises KeyError for an unknown
    kind, so a link is never stored by mistake as a marker nothing can make."""
    if kind not in KINDS:
        raise KeyError(f"Unknown kind of secret link: {kind!r}")
    return {MARKER_KEY: kind, **params}


def is_marker(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get(MARKER_KEY), str)


def _placeholder_for_marker(value: Mapping[str, Any]) -> str:
    kind = KINDS.get(value[MARKER_KEY])
    return kind.placeholder if kind is not None else placeholder("secret link")


def _legacy_keys() -> dict[str, str]:
    return {key: kind.placeholder for kind in KINDS.values() for key in kind.legacy_keys}


def mask_text(text: str) -> str:
    """`text` with every secret link of a registered kind written in it replaced by its
    placeholder (for text shown anywhere but the mail itself)."""
    for kind in KINDS.values():
        text = kind.pattern().sub(kind.placeholder, text)
    return text


def _mask(value: Any, legacy: Mapping[str, str], key: str | None) -> Any:
    if is_marker(value):
        return _placeholder_for_marker(value)
    if isinstance(value, Mapping):
        return {k: _mask(v, legacy, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(item, legacy, None) for item in value]
    if isinstance(value, str):
        if key is not None and key in legacy and value:
            return legacy[key]
        return mask_text(value)
    return value


def mask(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a message's context fit to show anyone: every marker, every value of a key that
    held secret links as text, and every secret link inside any text, replaced by a placeholder."""
    return dict(_mask(dict(context), _legacy_keys(), None))


def _reveal(value: Any) -> Any:
    if is_marker(value):
        kind = KINDS.get(value[MARKER_KEY])
        if kind is None:
            raise LinkExpired(f"it carries a kind of link this site cannot make ({value[MARKER_KEY]!r})")
        params = {k: v for k, v in value.items() if k != MARKER_KEY}
        return kind.make(params)
    if isinstance(value, Mapping):
        return {k: _reveal(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_reveal(item) for item in value]
    return value


def reveal(context: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a message's context with every marker made into its real link, now. For the
    worker sending the mail only; raises `LinkExpired` when a link must not be made any more.
    Links stored as text by older versions go out as they are."""
    return dict(_reveal(dict(context)))
