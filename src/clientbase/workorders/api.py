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
from clientbase.api.schema import answered_as
from clientbase.api.viewsets import (
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from clientbase.contacts.models import Contact
from clientbase.contracts.models import Contract
from clientbase.customers.models import Asset, Customer, Location
from clientbase.workorders import services
from clientbase.workorders.filters import InvoiceFilterSet, QuoteFilterSet, WorkOrderFilterSet
from clientbase.workorders.models import Document, Invoice, Quote, WorkOrder

CONFLICT = OpenApiResponse(description="Conflict: the reason in `detail`, nothing changed")
# What a work order answers of its contract: only to callers who may view contracts.
CONTRACT_FIELDS = ("contract", "contract_number", "contract_name")


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


@answered_as(
    "A work order",
    {
        "id": 31,
        "number": "W-000031",
        "customer": 42,
        "location": 3,
        "asset": 9,
        "summary": "Chiller CH-2 trips on high head pressure",
        "description": "Tripped twice overnight; the condenser fan sounds rough.",
        "status": "scheduled",
        "requested_by": 7,
        "site_contact": 7,
        "contract": 5,
        "scheduled_start": "2026-03-03T07:00:00Z",
        "scheduled_end": "2026-03-03T10:00:00Z",
        "technician": 4,
        "completion_note": "",
        "cancel_reason": "",
        "requested_by_name": "Dana Whitfield",
        "site_contact_name": "Dana Whitfield",
        "technician_name": "Terry Technician",
        "contract_number": "K-000005",
        "contract_name": "Chiller maintenance 2026",
        "completed_at": None,
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T11:40:00Z",
    },
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
    contract = ScopedPrimaryKeyRelatedField(
        queryset=Contract.objects.all(),
        allow_null=True,
        required=False,
        help_text="The id of the customer's service contract the work is done under. Left out on "
        "creation: the contract in force today that covers the place (one naming the asset, then one "
        "naming the location, then a customer-wide one, then the latest start), or null when none "
        "does; null: none. A contract of another customer is a 400. A change of location or asset "
        "leaves it as it is. Answered only to callers who may view contracts; portal users never set it.",
    )
    contract_number = serializers.CharField(
        source="contract.number",
        read_only=True,
        allow_null=True,
        help_text="The contract's number, K-000042.",
    )
    contract_name = serializers.CharField(
        source="contract.name", read_only=True, allow_null=True, help_text="The contract's name."
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
            "contract_number",
            "contract_name",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "requested_by_name",
            "site_contact_name",
            "technician_name",
            "contract_number",
            "contract_name",
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


@answered_as(
    "A quote",
    {
        "id": 17,
        "number": "Q-000017",
        "customer": 42,
        "work_order": 31,
        "amount": "4850.00",
        "contact": 7,
        "contact_name": "Dana Whitfield",
        "status": "sent",
        "sent_at": "2026-03-02T12:00:00Z",
        "approved_by": None,
        "approved_by_name": "",
        "approved_at": None,
        "created_at": "2026-03-02T11:50:00Z",
        "updated_at": "2026-03-02T12:00:00Z",
    },
)
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


@answered_as(
    "An invoice",
    {
        "id": 23,
        "number": "I-000023",
        "customer": 42,
        "work_order": 31,
        "amount": "4850.00",
        "status": "issued",
        "issued_at": "2026-03-09T08:00:00Z",
        "created_at": "2026-03-06T16:20:00Z",
        "updated_at": "2026-03-09T08:00:00Z",
    },
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
    of order is a 409 naming both statuses, a missing field a 400 on it. A new work order gets the
    service contract covering its place (`contract`, with `contract_number` and `contract_name`),
    unless one, or null, is named. Filters: `customer`, `location`, `asset`, `status`,
    `requested_by`, `site_contact`, `technician`, `contract`, `created_from`, `created_to`,
    `scheduled_on` (dates in the server's time zone), `search`."""

    # The contract's number and name are answered beside its id, read in the same query.
    queryset = WorkOrder.objects.select_related("contract")
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilterSet
    instance_kwarg = "work_order"
    # What a well-formed write may still be refused for (400 on the field), in the description.
    schema_rules = {
        "write": [
            "`location`, `requested_by`, `site_contact` and `contract` belong to the work order's "
            "customer; `asset` stands at `location` (which it needs).",
            "`technician`: an active staff user.",
            "`scheduled_start` and `scheduled_end`: from 1900-01-01 and before 3000-01-01 (UTC); the "
            "end not before the start.",
            "`customer` never changes once the work order exists.",
            "A new work order is `open` or `scheduled`; a step of `status` needs its fields: "
            "`scheduled_start` to schedule, `cancel_reason` to cancel; `completion_note` only with "
            "completing, `cancel_reason` only with cancelling (a step the lifecycle does not allow "
            "is a 409).",
        ]
    }
    create_service = staticmethod(services.create_work_order)
    update_service = staticmethod(services.update_work_order)
    delete_service = staticmethod(services.delete_work_order)

    def get_serializer(self, *args: Any, **kwargs: Any) -> serializers.BaseSerializer:
        """Without the contract (`CONTRACT_FIELDS`) for a caller who may not view contracts (portal
        users without `billing`): it neither reads nor writes it (a 400 names the field). The
        schema describes the fields every staff user reads."""
        serializer = super().get_serializer(*args, **kwargs)
        if not getattr(self, "swagger_fake_view", False) and not access.can(
            self.request.user, access.VIEW, Contract
        ):
            target: Any = getattr(serializer, "child", serializer)
            for name in CONTRACT_FIELDS:
                target.fields.pop(name, None)
        return serializer


# Quotes or invoices: created as drafts (`create_service` takes the model's), changed and deleted
# only as drafts (409 once sent or issued). (A comment: the schema would publish a docstring as the
# description of every quote and invoice operation.)
class DocumentViewSet(ScopedModelViewSet):
    instance_kwarg = "document"
    # What a well-formed write may still be refused for (400 on the field), in the description.
    schema_rules = {
        "write": [
            "`work_order` (and a quote's `contact`) belong to the document's `customer`, which "
            "never changes once the document exists.",
        ],
        "approve": ["`contact`: an existing contact (whether it may approve is a 409 with the reason)."],
    }
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
    """Quotes to a customer (optionally for a work order, addressed to one of its contacts):
    created as drafts, changed and deleted only as drafts (409 once sent); `send/` and `approve/`."""

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
    """Invoices to a customer (optionally for a work order): created as drafts, changed and deleted
    only as drafts (409 once issued); `issue/` issues one."""

    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    create_service = staticmethod(partial(services.create_document, Invoice))

    @extend_schema(request=None, responses={200: InvoiceSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Issue a draft invoice; its billing contacts are notified."""
        return self.answer(services.issue_invoice(invoice=self.fetch(pk), acting_user=request.user))
