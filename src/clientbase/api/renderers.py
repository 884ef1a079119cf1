"""DRF's browsable API under the site's Content Security Policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csp.constants import UNSAFE_INLINE
from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """The browsable API pages (an API URL opened in a browser). DRF's templates carry a few inline
    style attributes (and, with Pygments, a highlighting style block), so these pages alone allow
    inline styles. Styles only: scripts stay this site's files (DRF's are), as on every page."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": [UNSAFE_INLINE]}
        return super().render(data, accepted_media_type, renderer_context)
