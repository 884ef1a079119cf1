"""Work orders, quotes and invoices over REST, with the quote and invoice actions."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clientbase import access
from clientbase.api.viewsets import (
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from clientbase.contacts.models import Contact
from clientbase.customers.models import Asset, Customer, Location
from clientbase.workorders import services
from clientbase.workorders.filters import InvoiceFilterSet, QuoteFilterSet, WorkOrderFilterSet
from clientbase.workorders.models import Document, Invoice, Quote, WorkOrder

CONFLICT = OpenApiResponse(description="Conflict: the reason in `detail`, nothing changed")


def _lifecycle_help() -> str:
    steps = "; ".join(
        f"{status} → {' | '.join(following) or 'closed'}"
        for status, following in WorkOrder.TRANSITIONS.items()
    )
    return (
        f"The lifecycle, changed by PATCH: {steps}. A step the table does not allow is a 409 naming "
        "both statuses. Scheduling needs `scheduled_start`, cancelling a `cancel_reason` (400 on the "
        "field); completing records `completed_at` and the `completion_note` sent with it."
    )


class WorkOrderSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(
        choices=WorkOrder.Status.choices, required=False, help_text=_lifecycle_help()
    )
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    location = ScopedPrimaryKeyRelatedField(queryset=Location.objects.all(), allow_null=True, required=False)
    asset = ScopedPrimaryKeyRelatedField(queryset=Asset.objects.all(), allow_null=True, required=False)
    requested_by = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(), allow_null=True, required=False
    )
    site_contact = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        allow_null=True,
        required=False,
        help_text="Defaults to the location's site contact, else a customer-level site contact, "
        "else the primary contact.",
    )
    technician = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(),
        allow_null=True,
        required=False,
        help_text="The id of the staff user who does the work (an active staff user).",
    )

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            *services.WORK_ORDER_FIELDS,
            *services.LIFECYCLE_FIELDS,
            "requested_by_name",
            "site_contact_name",
            "technician_name",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "requested_by_name",
            "site_contact_name",
            "technician_name",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []


def document_fields(model: type[Document], recorded: list[str]) -> tuple[list[str], list[str]]:
    """The fields of a quote or invoice serializer, and those of them that are read-only: the id and
    number, what a draft of `model` is written with (`services.document_fields`), then `recorded`
    (its status and what its actions record) and the times of creation and of the last change."""
    read_only = [*recorded, "created_at", "updated_at"]
    return ["id", "number", *services.document_fields(model), *read_only], ["id", *read_only]


# A quote or an invoice: written as a draft with its customer, work order and amount; its status
# changes by its actions only. (A comment: the schema would publish a docstring as both kinds'.)
class DocumentSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    work_order = ScopedPrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), allow_null=True, required=False
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        validators: list[Any] = []


class QuoteSerializer(DocumentSerializer):
    contact = ScopedPrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        allow_null=True,
        required=False,
        help_text="The contact of the quote's customer it is addressed to (its name stays in "
        "`contact_name` when the contact is deleted); a contact of another customer is a 400.",
    )

    class Meta(DocumentSerializer.Meta):
        model = Quote
        fields, read_only_fields = document_fields(
            Quote, ["contact_name", "status", "sent_at", "approved_by", "approved_by_name", "approved_at"]
        )


class InvoiceSerializer(DocumentSerializer):
    class Meta(DocumentSerializer.Meta):
        model = Invoice
        fields, read_only_fields = document_fields(Invoice, ["status", "issued_at"])


class ApprovalSerializer(StrictSerializer):
    contact = serializers.IntegerField(min_value=1, help_text="The id of the contact who approves.")


class WorkOrderViewSet(ScopedModelViewSet):
    """Work orders. Creating one notifies the customer's contacts who opted in (see
    `GET notifications/preview/`); so does a change, and completing it. Their lifecycle is a change
    of `status` by PATCH: open → scheduled (with `scheduled_start`, optionally `scheduled_end` and
    `technician`) → in_progress → completed (with a `completion_note`), or cancelled (with a
    `cancel_reason`) from any state that is not closed; scheduled may go back to open. A step out
    of order is a 409 naming both statuses, a missing field a 400 on it. Filters: `customer`,
    `location`, `asset`, `status`, `requested_by`, `site_contact`, `technician`, `created_from`,
    `created_to`, `scheduled_on` (dates in the server's time zone), `search`."""

    queryset = WorkOrder.objects.all()
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilterSet
    instance_kwarg = "work_order"
    create_service = staticmethod(services.create_work_order)
    update_service = staticmethod(services.update_work_order)
    delete_service = staticmethod(services.delete_work_order)


# Quotes or invoices: created as drafts (`create_service` takes the model's), changed and deleted
# only as drafts (409 once sent or issued). (A comment: the schema would publish a docstring as the
# description of every quote and invoice operation.)
class DocumentViewSet(ScopedModelViewSet):
    instance_kwarg = "document"
    update_service = staticmethod(services.update_document)
    delete_service = staticmethod(services.delete_document)

    def fetch(self, pk: str | None) -> Any:
        """The document `pk` names, among those the user may see (404 otherwise)."""
        return access.fetch(self.request.user, self.queryset.all(), pk)

    def answer(self, document: Document) -> Response:
        """`document` as its action answers it: all its fields."""
        serializer = self.get_serializer_class()
        return Response(serializer(document, context=self.get_serializer_context()).data)


class QuoteViewSet(DocumentViewSet):
    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet
    create_service = staticmethod(partial(services.create_document, Quote))

    @extend_schema(request=None, responses={200: QuoteSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft quote to the approvers whose limit covers its amount (409 when none does)."""
        return self.answer(services.send_quote(quote=self.fetch(pk), acting_user=request.user))

    @extend_schema(request=ApprovalSerializer, responses={200: QuoteSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Record a contact's approval of a sent quote. 409 with the reason, and nothing changed,
        when the contact is inactive, of another customer, not an approver, or its limit is below
        the amount."""
        quote = self.fetch(pk)
        body = ApprovalSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        contact = body.validated_data["contact"]
        return self.answer(services.approve_quote(quote=quote, contact=contact, acting_user=request.user))


class InvoiceViewSet(DocumentViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    create_service = staticmethod(partial(services.create_document, Invoice))

    @extend_schema(request=None, responses={200: InvoiceSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Issue a draft invoice; its billing contacts are notified."""
        return self.answer(services.issue_invoice(invoice=self.fetch(pk), acting_user=request.user))
