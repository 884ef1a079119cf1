"""The staff page of the audit log (`/audit/`, administrators: `audit.view_auditevent`), and the
pages' 403 handler, which records every refusal before Django's 403 page answers it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from clientbase.audit import events
from clientbase.audit.filters import AuditEventFilterSet
from clientbase.audit.models import AuditEvent
from clientbase.pages import ListPage


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler403`: record the refusal (path, method, reason), then Django's 403 page."""
    events.record_refusal(request, str(exception), surface="pages")
    return defaults.permission_denied(request, exception)


class AuditEventListView(ListPage):
    """Security events, newest first, filtered by type and user."""

    section = "audit"
    model = AuditEvent
    queryset = AuditEvent.objects.all()
    filterset_class = AuditEventFilterSet
    template_name = "audit/list.html"
    partial_template_name = "audit/_partials/results.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            types=list(events.TYPES.items()),
            labels=events.TYPES,
            selected={"type": self.request.GET.get("type", ""), "user": self.request.GET.get("user", "")},
        )
        return context
