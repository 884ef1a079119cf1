"""`GET /api/v1/audit-events/`: the audit log, read-only, for those holding
`audit.view_auditevent` (the Administrator group); 403 for other staff and portal users."""

from __future__ import annotations

from rest_framework import serializers

from clientbase.api.schema import answered_as
from clientbase.api.viewsets import ScopedModelViewSet
from clientbase.audit.filters import AuditEventFilterSet
from clientbase.audit.models import AuditEvent


@answered_as(
    "An audit event",
    {
        "id": 1204,
        "at": "2026-03-02T09:14:51Z",
        "type": "auth.login",
        "user": "dispatcher",
        "ip": "203.0.113.7",
        "object": "",
        "object_repr": "",
        "detail": {"via": "api"},
    },
)
class AuditEventSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="username", read_only=True)

    class Meta:
        model = AuditEvent
        fields = ["id", "at", "type", "user", "ip", "object", "object_repr", "detail"]
        read_only_fields = fields


class AuditEventViewSet(ScopedModelViewSet):
    """Security events, newest first: `{"id", "at", "type", "user" (username), "ip", "object"
    ("app.model:id" or ""), "object_repr", "detail"}`; filters `type`, `user`, `from`, `to`."""

    queryset = AuditEvent.objects.all()
    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    http_method_names = ["get", "head", "options"]
