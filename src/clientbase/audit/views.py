"""The staff page of the audit log (`/audit/`, administrators: `audit.view_auditevent`), the
pages' 403 handler, which records every refusal before Django's 403 page answers it, and the
CSRF failure view (`CSRF_FAILURE_VIEW`), which does the same for a request refused by Django's
CSRF check."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults

from clientbase import text
from clientbase.audit import events
from clientbase.audit.filters import AuditEventFilterSet
from clientbase.audit.models import AuditEvent
from clientbase.pages import ListPage


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler403`: record the refusal (path, method, reason), then Django's 403 page."""
    events.record_refusal(request, str(exception), surface="pages")
    return defaults.permission_denied(request, exception)


def csrf_failure(
    request: HttpRequest, reason: str = "", template_name: str = csrf.CSRF_FAILURE_TEMPLATE_NAME
) -> HttpResponse:
    """`CSRF_FAILURE_VIEW`: a request refused by Django's CSRF check (a page's form posted without
    its token, or from another origin) is a refusal like any other 403. It is recorded as
    `access.denied` with detail `{"reason": "csrf", "check": Django's reason, "path", "method",
    "surface": "pages"}`, the user when signed in and the client's address, one row per refused
    request (as a failed sign-in is), and answered exactly as Django's own
    `django.views.csrf.csrf_failure` answers it (its page, 403). The API's CSRF refusals (a
    session-authenticated write without the token) are recorded by its exception handler."""
    events.record(
        events.PERMISSION_DENIED,
        user=getattr(request, "user", None),
        ip=events.request_ip(request),
        detail={
            "reason": "csrf",
            # Both may carry what the client sent (its Origin header, its path): kept as text.
            "check": text.scrub(str(reason))[:200],
            "path": text.scrub(str(request.path))[:500],
            "method": request.method,
            "surface": "pages",
        },
    )
    return csrf.csrf_failure(request, reason, template_name)


class AuditEventListView(ListPage):
    """Security events, newest first, filtered by type and user."""

    section = "audit"
    model = AuditEvent
    filterset_class = AuditEventFilterSet
    template_name = "audit/list.html"
    partial_template_name = "audit/_partials/results.html"
    url_name = "audit:list"
    things = "events"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(types=list(events.TYPES.items()), **kwargs)
