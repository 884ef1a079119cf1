"""What file downloads over the API share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request


class DownloadNegotiation(BaseContentNegotiation):
    """For endpoints that answer a file: `?format=` names the file type (not a DRF renderer), and
    an `Accept: text/vcard` or `text/csv` is welcome; what is rendered (errors) is JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> Any:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> Any:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def attachment(filename: str) -> str:
    """A Content-Disposition value for `filename` (ASCII names only: ours are slugs)."""
    return f'attachment; filename="{filename}"'
