"""The JSON parser of every API endpoint: DRF's, after a check that the body is not nested deeper
than any request of this API needs.

Python's JSON decoder, DRF's serializers and the rendering of an answer all recurse once per level
of nesting: a body such as `[[[[...]]]]` 100,000 levels deep would end in a RecursionError (a
500) somewhere on the way. The depth is counted on the raw body first, in one pass without
recursion, and a body nested deeper than `MAX_DEPTH` is a 400 before anything parses it."""

from __future__ import annotations

import codecs
import io
import operator
import re
from collections.abc import Mapping
from itertools import accumulate, repeat
from typing import IO, Any

from django.conf import settings
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# The deepest nesting of arrays and objects a request body may have. The deepest body this API
# takes is two or three levels (a contact with its address and portal settings).
MAX_DEPTH = 32

# A JSON string, or an unterminated one up to the end of the body (so that no quote is scanned
# twice, whatever the body holds): removed before counting, since brackets inside it do not nest.
_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\\?\Z)', re.DOTALL)
# Every byte but the four brackets, deleted; then an opening bracket is a step up, a closing one down.
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[]{}")))
_STEPS = bytes.maketrans(b"[{]}", b"\x02\x02\x00\x00")


def nesting_depth(body: bytes) -> int:
    """How deeply the arrays and objects of the JSON `body` nest (0 for a bare value), in time
    linear in its length whatever it holds (the work is done by `re` and `bytes` in C, without
    recursion). Malformed JSON is left for the decoder to refuse."""
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    levels = accumulate(map(operator.sub, brackets.translate(_STEPS), repeat(1)))
    return max(0, max(levels, default=0))


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser refusing bodies nested deeper than `MAX_DEPTH` levels with a 400
    `{"detail": "JSON nested deeper than 32 levels; ..."}`. DRF hands it the request's body,
    which Django has already limited to `DATA_UPLOAD_MAX_MEMORY_SIZE`."""

    max_depth = MAX_DEPTH

    def parse(
        self,
        stream: IO[bytes],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        body = stream.read() if stream is not None else b""  # the body, within DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            # The depth is counted on UTF-8 (or any ASCII-compatible encoding); other encodings
            # are decoded and re-encoded first.
            if codecs.lookup(encoding).name not in {"utf-8", "ascii", "latin-1", "iso8859-1"}:
                body = body.decode(encoding).encode("utf-8")
                encoding = "utf-8"
        except (LookupError, UnicodeError) as error:
            raise ParseError(f"JSON parse error - {error}") from error
        if nesting_depth(body) > self.max_depth:
            raise ParseError(
                f"JSON nested deeper than {self.max_depth} levels; no request of this API needs more."
            )
        context = {**parser_context, "encoding": encoding}
        try:
            return super().parse(io.BytesIO(body), media_type, context)
        except RecursionError as error:  # not reached within MAX_DEPTH; a last wall
            raise ParseError("JSON nested too deeply.") from error
