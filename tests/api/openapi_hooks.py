"""schemathesis hooks of the OpenAPI runs (`schemathesis.toml` loads this module; the suite's bounded
run and `make fuzz` share it).

They mend two limits of the generator, never a check: a request that schemathesis counts as valid
must be one the description calls valid.

- `If-Match`: the description gives its syntax (`*` or quoted entity tags, a pattern), but
  schemathesis cannot draw a header value with a double quote and seeds the optional header with
  a bare value (`If-Match: 0`) in requests it counts as valid. Such a value is dropped from a
  request meant to be valid; requests meant to be invalid keep it (and must get a 400).
- `cursor`: an opaque position only the `next` and `previous` links of a list give (the
  description says so); a made-up one is a 400 by design. It is dropped from requests meant to be
  valid; requests meant to be invalid keep it.
"""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from schemathesis import GenerationMode


def _meant_valid(case: Any) -> bool:
    """Whether schemathesis counts `case` as a valid request (its positive-data check applies)."""
    return case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE


def _described_pattern(case: Any, header: str) -> str:
    """The pattern the description gives the header's values (the served schema's, so that this
    module needs no Django)."""
    for parameter in case.operation.headers:
        if parameter.name == header:
            return str(parameter.definition.get("schema", {}).get("pattern", ""))
    return ""


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    headers = case.headers
    if headers and "If-Match" in headers and _meant_valid(case):
        value = headers["If-Match"]
        if not isinstance(value, str) or not re.fullmatch(_described_pattern(case, "If-Match"), value):
            del headers["If-Match"]
    query = case.query
    if query and "cursor" in query and _meant_valid(case):
        del query["cursor"]
