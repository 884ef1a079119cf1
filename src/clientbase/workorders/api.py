"""Work orders, quotes and invoices over REST, with the quote and invoice actions."""

from __future__ import annotations

from typing import Any

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
from clientbase.workorders.models import Invoice, Quote, WorkOrder

CONFLICT = OpenApiResponse(description="Conflict: the reason in `detail`, nothing changed")


class WorkOrderSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)
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

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "customer",
            "location",
            "asset",
            "summary",
            "description",
            "status",
            "requested_by",
            "requested_by_name",
            "site_contact",
            "site_contact_name",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "requested_by_name",
            "site_contact_name",
            "completed_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []


class QuoteSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    work_order = ScopedPrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), allow_null=True, required=False
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "customer",
            "work_order",
            "amount",
            "status",
            "sent_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "sent_at",
            "approved_by",
            "approved_by_name",
            "approved_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []


class InvoiceSerializer(StrictModelSerializer):
    number = serializers.CharField(read_only=True)
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    work_order = ScopedPrimaryKeyRelatedField(
        queryset=WorkOrder.objects.all(), allow_null=True, required=False
    )
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "customer",
            "work_order",
            "amount",
            "status",
            "issued_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "status", "issued_at", "created_at", "updated_at"]
        validators: list[Any] = []


class ApprovalSerializer(StrictSerializer):
    contact = serializers.IntegerField(min_value=1, help_text="The id of the contact who approves.")


class WorkOrderViewSet(ScopedModelViewSet):
    """Work orders. Creating one notifies the customer's contacts who opted in (see
    `GET notifications/preview/`); so does a change, and completing it."""

    queryset = WorkOrder.objects.all()
    serializer_class = WorkOrderSerializer
    filterset_class = WorkOrderFilterSet
    instance_kwarg = "work_order"
    create_service = staticmethod(services.create_work_order)
    update_service = staticmethod(services.update_work_order)
    delete_service = staticmethod(services.delete_work_order)


class QuoteViewSet(ScopedModelViewSet):
    queryset = Quote.objects.all()
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilterSet
    instance_kwarg = "quote"
    create_service = staticmethod(services.create_quote)
    update_service = staticmethod(services.update_quote)
    delete_service = staticmethod(services.delete_quote)

    @extend_schema(request=None, responses={200: QuoteSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: str | None = None) -> Response:
        """Send a draft quote to the approvers whose limit covers its amount (409 when none does)."""
        quote = access.fetch(request.user, Quote.objects.all(), pk)
        quote = services.send_quote(quote=quote, acting_user=request.user)
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data)

    @extend_schema(request=ApprovalSerializer, responses={200: QuoteSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Record a contact's approval of a sent quote. 409 with the reason, and nothing changed,
        when the contact is inactive, of another customer, not an approver, or its limit is below
        the amount."""
        quote = access.fetch(request.user, Quote.objects.all(), pk)
        body = ApprovalSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        quote = services.approve_quote(
            quote=quote, contact=body.validated_data["contact"], acting_user=request.user
        )
        return Response(QuoteSerializer(quote, context=self.get_serializer_context()).data)


class InvoiceViewSet(ScopedModelViewSet):
    queryset = Invoice.objects.all()
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilterSet
    instance_kwarg = "invoice"
    create_service = staticmethod(services.create_invoice)
    update_service = staticmethod(services.update_invoice)
    delete_service = staticmethod(services.delete_invoice)

    @extend_schema(request=None, responses={200: InvoiceSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Issue a draft invoice; its billing contacts are notified."""
        invoice = access.fetch(request.user, Invoice.objects.all(), pk)
        invoice = services.issue_invoice(invoice=invoice, acting_user=request.user)
        return Response(InvoiceSerializer(invoice, context=self.get_serializer_context()).data)
