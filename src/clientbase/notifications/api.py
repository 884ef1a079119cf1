"""The notification preview, the outbox (`messages/`), the activity log (`activities/`), a
contact's test e-mail (`contacts/{id}/send-test-email/`) and the e-mail staff write to a contact
(`contacts/{id}/send-email/`)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clientbase import access
from clientbase.api.filters import ID_PARAMETER_SCHEMA, MAX_ID
from clientbase.api.schema import answered_as, text_pattern
from clientbase.api.viewsets import (
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from clientbase.contacts.api import ContactActionsViewSet
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer, Location
from clientbase.errors import Forbidden, ValidationFailed
from clientbase.notifications import services
from clientbase.notifications.events import EVENTS, LABELS, QUOTE_SENT
from clientbase.notifications.filters import ActivityFilterSet, MessageFilterSet
from clientbase.notifications.models import Activity, Message
from clientbase.notifications.routing import resolve_recipients

# Query parameters DRF itself reads (the renderer), passed over by the strict check.
FRAMEWORK_PARAMETERS = {"format"}


class PreviewQuerySerializer(StrictSerializer):
    event = serializers.ChoiceField(choices=list(EVENTS))
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    location = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["event"] == QUOTE_SENT and attrs.get("amount") is None:
            raise serializers.ValidationError({"amount": ["Required for quote.sent: the quote's amount."]})
        return attrs


class RecipientSerializer(serializers.Serializer):
    contact = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    reason = serializers.CharField()


class PreviewSerializer(serializers.Serializer):
    event = serializers.CharField()
    recipients = RecipientSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class NotificationPreviewView(APIView):
    """Who would get an event of a customer (at a location, for an amount), and why."""

    schema_rules = {"get": ["`location`: a location of `customer`.", "`amount`: required for quote.sent."]}

    @extend_schema(
        parameters=[
            OpenApiParameter("event", str, enum=list(EVENTS), required=True),
            OpenApiParameter("customer", dict(ID_PARAMETER_SCHEMA), required=True),
            OpenApiParameter("location", dict(ID_PARAMETER_SCHEMA), required=False),
            OpenApiParameter(
                "amount",
                {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,2})?$"},
                required=False,
                description="The quote's amount, e.g. `250.00`. Required for quote.sent.",
            ),
        ],
        responses={
            200: PreviewSerializer,
            400: OpenApiResponse(description="A bad or missing parameter"),
            404: OpenApiResponse(description="No such customer (or out of the caller's scope)"),
        },
    )
    def get(self, request: Request) -> Response:
        if not access.can(request.user, access.VIEW, Contact):
            raise Forbidden("You may not view contacts, so not whom they are notified about either.")
        params = {
            key: value for key, value in request.query_params.items() if key not in FRAMEWORK_PARAMETERS
        }
        query = PreviewQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        customer = access.fetch(request.user, Customer.objects.all(), data["customer"])
        location_id = data.get("location")
        if (
            location_id is not None
            and not Location.objects.filter(pk=location_id, customer=customer).exists()
        ):
            raise ValidationFailed(
                {"location": [f"No location {location_id} of customer {customer.number}."]}
            )
        routing = resolve_recipients(
            event=data["event"], customer_id=customer.pk, location_id=location_id, amount=data.get("amount")
        )
        return Response(
            {
                "event": routing.event,
                "recipients": [
                    {"contact": r.contact_id, "name": r.name, "email": r.email, "reason": r.reason}
                    for r in routing.recipients
                ],
                "warnings": routing.warnings,
            }
        )


@answered_as(
    "A message of the outbox",
    {
        "id": 88,
        "event": "work_order.created",
        "customer": 42,
        "contact": 7,
        "to": "dana.whitfield@northwind.example",
        "recipient_name": "Dana Whitfield",
        "subject": "Work order W-000031: Chiller CH-2 trips on high head pressure",
        "reason": "site contact of North Campus, opted into work order notifications",
        "status": "sent",
        "attempts": 1,
        "last_error": "",
        "next_attempt_at": None,
        "message_id": "<20260302091502.88@clientbase>",
        "created_at": "2026-03-02T09:15:00Z",
        "sent_at": "2026-03-02T09:15:02Z",
    },
)
class MessageSerializer(StrictModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id",
            "event",
            "customer",
            "contact",
            "to",
            "recipient_name",
            "subject",
            "reason",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "message_id",
            "created_at",
            "sent_at",
        ]
        read_only_fields = fields

    def get_fields(self) -> dict[str, serializers.Field]:
        # Every event the outbox holds, those other apps register (the portal's mails) included:
        # read when the serializer is made, after every app has registered its own.
        fields = super().get_fields()
        fields["event"] = serializers.ChoiceField(choices=list(LABELS.items()), read_only=True)
        return fields


class MessageViewSet(ScopedModelViewSet):
    """The outbound mail log (read-only): every message with its status and delivery attempts.
    Without EMAIL_HOST, messages stay `pending` here instead of being sent."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    filterset_class = MessageFilterSet
    http_method_names = ["get", "head", "options"]


@answered_as(
    "An activity",
    {
        "id": 51,
        "customer": 42,
        "contact": 7,
        "contact_name": "Dana Whitfield",
        "kind": "call",
        "summary": "Confirmed Tuesday's chiller visit",
        "body": "Access through the loading dock; badge at the reception.",
        "message": None,
        "user": "dispatcher",
        "created_at": "2026-03-02T10:05:00Z",
    },
)
class ActivitySerializer(StrictModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), allow_null=True, required=False)
    contact = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), allow_null=True, required=False)
    kind = serializers.ChoiceField(choices=[Activity.Kind.CALL, Activity.Kind.NOTE, Activity.Kind.MESSAGE])
    user = serializers.CharField(source="user.username", read_only=True, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "customer",
            "contact",
            "contact_name",
            "kind",
            "summary",
            "body",
            "message",
            "user",
            "created_at",
        ]
        read_only_fields = ["id", "contact_name", "message", "user", "created_at"]
        validators: list[Any] = []


class ActivityViewSet(ScopedModelViewSet):
    """The log of a contact or customer (`?contact=`, `?customer=`): messages sent, and the calls
    and notes staff record here (`POST` with kind `call` or `note`)."""

    queryset = Activity.objects.select_related("user")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet
    schema_rules = {
        "create": [
            "`kind`: `call` or `note` (messages are recorded when they are sent).",
            "`customer` or `contact` (or both): what the entry is about; a `contact` of another "
            "`customer` is refused.",
        ]
    }
    http_method_names = ["get", "post", "head", "options"]
    create_service = staticmethod(services.record_activity)


# The subject and body of a written e-mail, checked by the service (every error at once) and
# described as the service checks them.
@extend_schema_field(
    {
        "type": "string",
        "maxLength": services.EMAIL_SUBJECT_MAX,
        "pattern": text_pattern(multiline=False, blank=False),
    }
)
class EmailSubjectField(serializers.CharField):
    pass


@extend_schema_field(
    {
        "type": "string",
        "maxLength": services.EMAIL_BODY_MAX,
        "pattern": text_pattern(multiline=True, blank=False),
    }
)
class EmailBodyField(serializers.CharField):
    pass


class SendEmailSerializer(StrictSerializer):
    """What `POST contacts/{id}/send-email/` takes; the rules of both fields are the service's."""

    subject = EmailSubjectField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"One line, at most {services.EMAIL_SUBJECT_MAX} characters.",
    )
    body = EmailBodyField(
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"Plain text, line breaks kept, at most {services.EMAIL_BODY_MAX:,} characters.",
    )


class SentEmailSerializer(serializers.Serializer):
    """The e-mail queued: the outbox message (`messages/{id}/`) and the activity recording it."""

    message = serializers.IntegerField(source="message_id", help_text="The outbox message's id.")
    status = serializers.ChoiceField(
        source="message.status",
        choices=Message.Status.choices,
        help_text="`pending` until the worker sends it.",
    )
    to = serializers.CharField(source="message.to")
    subject = serializers.CharField(source="message.subject")
    activity = serializers.IntegerField(source="pk", help_text="The activity's id (`activities/{id}/`).")


class ContactTestEmailViewSet(ContactActionsViewSet):
    """The e-mail actions of a contact on `contacts/{id}/` (registered under the router prefix
    "contacts", after the contacts' own viewset): the test e-mail, and the e-mail staff write."""

    @extend_schema(
        request=None,
        responses={
            202: MessageSerializer,
            409: OpenApiResponse(description="No e-mail"),
            429: OpenApiResponse(
                description="A test e-mail to this contact was queued less than "
                "CLIENTBASE_TEST_EMAIL_INTERVAL seconds ago, or the caller asked for "
                "CLIENTBASE_TEST_EMAIL_PER_HOUR within the hour; nothing was queued. `Retry-After` "
                "says when to try again."
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="send-test-email")
    def send_test_email(self, request: Request, pk: str | None = None) -> Response:
        """Queue a test e-mail whose link verifies the address; a bounce marks it bounced."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        message = services.send_test_email(
            contact=contact, acting_user=request.user, base_url=request.build_absolute_uri("/")
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=SendEmailSerializer,
        responses={
            202: SentEmailSerializer,
            400: OpenApiResponse(description="A blank or too long subject or body, a character refused"),
            403: OpenApiResponse(description="Not staff, or may not record activities"),
            404: OpenApiResponse(description="No such contact in the caller's scope"),
            409: OpenApiResponse(
                description="The contact is inactive, has no address, or its address bounced"
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="send-email")
    def send_email(self, request: Request, pk: str | None = None) -> Response:
        """Queue an e-mail written to the contact (`services.send_email`): in the outbox, sent by
        the worker whatever the contact's notification choices, and recorded in its activity
        history with the writer. Answers 202 with the message, its status and the activity."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        data = SendEmailSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.send_email(
            acting_user=request.user,
            contact=contact,
            subject=data.validated_data["subject"],
            body=data.validated_data["body"],
        )
        response = Response(SentEmailSerializer(activity).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = reverse("api:message-detail", args=[activity.message_id])
        return response
