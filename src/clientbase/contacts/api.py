"""Contacts over REST: CRUD, filters and search, make-primary, confirm-details, duplicate, move,
history, personal-data and erase.

The apps above contacts add their own actions on one contact (`contacts/{id}/<action>/`: the test
e-mail, portal invitations, the vCard) as viewsets built on `ContactActionsViewSet`, registered
under the same router prefix after `ContactViewSet`; contacts knows none of them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from clientbase import access
from clientbase.api.filters import MAX_ID
from clientbase.api.schema import answered_as
from clientbase.api.viewsets import (
    LeanRepresentation,
    ScopedGenericViewSet,
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
    StrictSerializer,
)
from clientbase.contacts import duplicates, privacy, selectors, services
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.models import NOTIFY_CATEGORIES, PORTAL_PERMISSIONS, ROLES, Contact
from clientbase.customers.api import ADDRESS_EXAMPLE, CONTACT_DETAIL_RULES, AddressField
from clientbase.customers.models import Customer, Location
from clientbase.emails import check_email
from clientbase.errors import Forbidden
from clientbase.phones import check_phone


class NotifySerializer(LeanRepresentation, StrictSerializer):
    work_orders = serializers.BooleanField(required=False)
    completions = serializers.BooleanField(required=False)
    quotes = serializers.BooleanField(required=False)
    invoices = serializers.BooleanField(required=False)


class PortalSerializer(LeanRepresentation, StrictSerializer):
    enabled = serializers.BooleanField(required=False)
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=PORTAL_PERMISSIONS), required=False, allow_empty=True
    )
    support_start = serializers.DateField(required=False, allow_null=True)
    support_end = serializers.DateField(required=False, allow_null=True)


@answered_as(
    "A contact",
    {
        "id": 7,
        "customer": 42,
        "salutation": "Ms.",
        "first_name": "Dana",
        "last_name": "Whitfield",
        "title": "Facilities Manager",
        "department": "Facilities",
        "roles": ["site", "approver"],
        "email": "dana.whitfield@northwind.example",
        "phone": "+13125550142",
        "mobile": "+13125550199",
        "secondary_phone": "",
        "preferred_channel": "email",
        "notes": "",
        "is_primary": True,
        "locations": [3],
        "reports_to": None,
        "address": ADDRESS_EXAMPLE,
        "status": "active",
        "approval_limit": "25000.00",
        "notify": {"work_orders": True, "completions": True, "quotes": True, "invoices": False},
        "email_status": "verified",
        "last_verified_at": "2026-02-11T14:02:00Z",
        "details_confirmed_at": "2026-02-20T10:30:00Z",
        "details_confirmed_by_name": "Sam Dispatcher",
        "portal": {"enabled": True, "permissions": ["admin"], "support_start": None, "support_end": None},
        "external_id": "ERP-1007",
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class ContactSerializer(LeanRepresentation, StrictModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all(), allow_null=True, required=False)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=ROLES), required=False, allow_empty=True
    )
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50, validators=[check_phone])
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=50, validators=[check_phone])
    secondary_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=50, validators=[check_phone]
    )
    # Checked with the other fields, so that a body's every error is answered at once (the
    # service stores the normalised form).
    email = serializers.CharField(required=False, allow_blank=True, max_length=254, validators=[check_email])
    locations = ScopedPrimaryKeyRelatedField(queryset=Location.objects.all(), many=True, required=False)
    reports_to = ScopedPrimaryKeyRelatedField(queryset=Contact.objects.all(), allow_null=True, required=False)
    address = AddressField(required=False)
    notify = NotifySerializer(required=False)
    portal = PortalSerializer(required=False)
    approval_limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, required=False
    )
    details_confirmed_by_name = serializers.SerializerMethodField(
        help_text="Who last confirmed the contact's details (`confirm-details/`): the user's full name, "
        "else the username; null when nobody has. A portal user reads a staff user as “Service "
        "provider staff”, as in the history."
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "salutation",
            "first_name",
            "last_name",
            "title",
            "department",
            "roles",
            "email",
            "phone",
            "mobile",
            "secondary_phone",
            "preferred_channel",
            "notes",
            "is_primary",
            "locations",
            "reports_to",
            "address",
            "status",
            "approval_limit",
            "notify",
            "email_status",
            "last_verified_at",
            "details_confirmed_at",
            "details_confirmed_by_name",
            "portal",
            "external_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "email_status",
            "last_verified_at",
            "details_confirmed_at",
            "created_at",
            "updated_at",
        ]
        validators: list[Any] = []

    def get_details_confirmed_by_name(self, contact: Contact) -> str | None:
        if not isinstance(contact, Contact):  # another kind of object (a dict): nobody confirmed it
            return None
        request = self.context.get("request")
        return confirmer_name(contact, getattr(request, "user", None))


def confirmer_name(contact: Contact, viewer: Any) -> str | None:
    """Who last confirmed `contact`'s details, as `viewer` may know it: the user's full name, else
    its username (None: never confirmed, or the user is gone). A portal viewer is told of staff as
    of the authors of the history (`selectors.history_actor`): "Service provider staff", and a
    portal user by its contact's name when of its own customer, else "A portal user". Reads
    `details_confirmed_by` (and for a portal viewer its contact): `with_confirmer` joins them."""
    user = contact.details_confirmed_by if contact.details_confirmed_by_id is not None else None
    if user is None:
        return None
    own = access.portal_contact(viewer) if viewer is not None else None
    if own is None:
        return str(user.get_full_name() or user.get_username())
    if access.is_staff(user):
        return selectors.STAFF_ACTOR
    actor: Contact | None = getattr(user, "contact", None)
    if actor is not None and actor.customer_id == own.customer_id:
        return actor.full_name
    return selectors.PORTAL_ACTOR


def with_confirmer(queryset: QuerySet[Contact], viewer: Any) -> QuerySet[Contact]:
    """`queryset` reading what `confirmer_name` answers for `viewer` in the same query."""
    if access.portal_contact(viewer) is not None:
        return queryset.select_related("details_confirmed_by__contact")
    return queryset.select_related("details_confirmed_by")


class MoveSerializer(StrictSerializer):
    customer = serializers.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        allow_null=True,
        help_text="The id of the customer the contact moves to; null: no customer.",
    )


class ContactHistorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    user = serializers.CharField(allow_null=True)
    changes = serializers.ListField(child=serializers.DictField())


class DuplicatesQuerySerializer(StrictSerializer):
    """`contacts/duplicates/`'s query: the details typed so far."""

    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    first_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=50, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=50, required=False, allow_blank=True)
    exclude = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    format = serializers.CharField(required=False)  # DRF's own


@extend_schema_view(
    list=extend_schema(summary="Contacts, filtered; with `search`, names beginning with it first"),
    create=extend_schema(summary="Create a contact", responses={201: ContactSerializer}),
)
class ContactViewSet(ScopedModelViewSet):
    """The people to call at customers and their sites: roles, one primary contact per customer,
    line managers, approval limits, notification opt-ins and portal access. Filters: `customer`,
    `location`, `role`, `status`, `is_primary`, `search` (names, e-mail addresses, phone digits;
    names beginning with it first). Some fields are changed only by those allowed to (403 naming
    the field): approval authority, portal access, `external_id`."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer
    filterset_class = ContactFilterSet
    instance_kwarg = "contact"
    listed_many = ("locations",)
    # What a well-formed request may still be refused for (400 on the field), in the description.
    schema_rules = {
        "write": [
            *CONTACT_DETAIL_RULES,
            "`locations` and `reports_to` belong to the contact's customer; `reports_to` forms no "
            "reporting cycle.",
            "`approval_limit` needs the `approver` role; `is_primary` a contact of a customer that is "
            "active.",
            "`portal`: access needs an e-mail address; `support_end` is not before `support_start`.",
            "`customer` never changes in an update (`move/` moves a contact).",
        ],
        "duplicates": CONTACT_DETAIL_RULES,
        "move": ["`customer`: not the contact's customer already."],
    }
    create_service = staticmethod(services.create_contact)
    update_service = staticmethod(services.update_contact)
    delete_service = staticmethod(services.delete_contact)

    def get_queryset(self):
        queryset = selectors.contacts_with_relations(super().get_queryset())
        if self.action in ("list", "retrieve"):
            # Answered by ContactSerializer alone, which reads the customer's id, not the customer.
            queryset = queryset.select_related(None)
        return with_confirmer(queryset, self.request.user)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not (
            access.can(request.user, access.CHANGE, Contact)
            or access.can(request.user, access.CHANGE_NOTES, Contact)
        ):
            raise Forbidden("You may not change contacts.")
        return super().update(request, *args, **kwargs)

    @extend_schema(
        parameters=[DuplicatesQuerySerializer, OpenApiParameter("format", exclude=True)],
        responses={
            200: inline_serializer(
                "LikelyDuplicate",
                {
                    "contact": serializers.IntegerField(),
                    "name": serializers.CharField(),
                    "score": serializers.IntegerField(min_value=0, max_value=100),
                    "reasons": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            ),
            400: OpenApiResponse(description="A bad parameter"),
            404: OpenApiResponse(description="No such customer"),
        },
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def duplicates(self, request: Request) -> Response:
        """The contacts of `customer` (none: the contacts without a customer) that a contact with
        these details, not yet saved (or contact `exclude`, being edited), likely duplicates: up
        to 10, the likeliest first, each `{"contact", "name", "score" (0-100), "reasons"}`
        (`contacts.duplicates`: the same e-mail or phone, nicknames, spellings, umlauts,
        accents, swapped names, initials; a score of 40 or more)."""
        if not access.can(request.user, access.VIEW, Contact):
            raise Forbidden("You may not view contacts.")
        query = DuplicatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        customer_id = data.get("customer")
        if customer_id is not None:
            customer_id = access.fetch(request.user, Customer.objects.all(), customer_id).pk
        person = duplicates.Person.typed(
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            email=data.get("email", ""),
            phone=data.get("phone", ""),
            mobile=data.get("mobile", ""),
        )
        matches = duplicates.likely_duplicates(request.user, customer_id, person, exclude=data.get("exclude"))
        return Response([match.as_dict() for match in matches])

    @extend_schema(
        request=None, responses={200: ContactSerializer, 409: OpenApiResponse(description="Conflict")}
    )
    @action(detail=True, methods=["post"], url_path="make-primary")
    def make_primary(self, request: Request, pk: str | None = None) -> Response:
        """Make this contact its customer's primary contact; the previous primary stops being one."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        contact = services.make_primary(contact=contact, acting_user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)

    @extend_schema(
        request=None,
        responses={
            200: ContactSerializer,
            403: OpenApiResponse(description="Not allowed to confirm the contact's details"),
            404: OpenApiResponse(description="No such contact"),
        },
    )
    @action(detail=True, methods=["post"], url_path="confirm-details")
    def confirm_details(self, request: Request, pk: str | None = None) -> Response:
        """Confirm that the contact's details are current: `details_confirmed_at` becomes now and
        `details_confirmed_by` the caller (its e-mail verification, `last_verified_at`, stays as
        it is). No body. For whoever may change the contact or only its notes (technicians), and
        portal users who may edit contacts."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        contact = services.confirm_details(contact=contact, acting_user=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)

    @extend_schema(request=None, responses={201: ContactSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str | None = None) -> Response:
        """A new contact copied from this one (not primary, no e-mail address, no portal access, no
        external id)."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        copy = services.duplicate_contact(contact=contact, acting_user=request.user)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=copy.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=MoveSerializer,
        responses={
            200: ContactSerializer,
            400: OpenApiResponse(description="Already the contact's customer"),
            403: OpenApiResponse(description="Not allowed to move contacts"),
            404: OpenApiResponse(description="No such contact or customer"),
        },
    )
    @action(detail=True, methods=["post"])
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Move the contact to another customer: the only way its customer changes. What belonged
        to the old customer ends in the same transaction: its portal access (login, sessions, API
        tokens), locations, line manager, direct reports' links to it, primary flag, approval
        authority and external_id. Staff who may change contacts and maintain customer-level
        contacts only."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        access.require(request.user, access.MOVE, contact)  # before the target is looked up
        body = MoveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer_id = body.validated_data["customer"]
        customer = (
            None if customer_id is None else access.fetch(request.user, Customer.objects.all(), customer_id)
        )
        contact = services.move_contact(
            acting_user=request.user,
            contact=contact,
            customer=customer,
            expected_version=self.expected_version(),
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)

    @extend_schema(
        responses={
            200: inline_serializer(
                "ContactHistoryPage",
                {
                    "results": ContactHistorySerializer(many=True),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                },
            )
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every recorded change of this contact, newest first: who, when, and what changed."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        entries = selectors.contact_history(contact.pk, viewer=request.user)
        page: Any = self.paginate_queryset(entries)  # type: ignore[arg-type]
        return self.get_paginated_response(ContactHistorySerializer(page, many=True).data)

    @extend_schema(
        responses={
            200: OpenApiResponse(description="Everything held about the person, as JSON."),
            403: OpenApiResponse(description="Not allowed to read personal data"),
            404: OpenApiResponse(description="No such contact"),
        },
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="personal-data", filterset_class=None)
    def personal_data(self, request: Request, pk: str | None = None) -> Response:
        """Everything held about this person: the record, its history, messages (secret links
        masked), activities, work orders and quotes, the portal login's facts. Staff who may
        change contacts and maintain customer-level contacts only; recorded in the audit log."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        return Response(privacy.personal_data(request.user, contact))

    @extend_schema(
        request=None,
        responses={
            200: ContactSerializer,
            403: OpenApiResponse(description="Not allowed to erase contacts"),
            404: OpenApiResponse(description="No such contact"),
        },
    )
    @action(detail=True, methods=["post"])
    def erase(self, request: Request, pk: str | None = None) -> Response:
        """Anonymise this person in place: the record and every history row of it, the messages
        addressed to it, its activities and the names stored on work orders and quotes; its portal
        access ends. Staff who may delete contacts only; recorded in the audit log."""
        contact = access.fetch(request.user, Contact.objects.all(), pk)
        contact = privacy.erase(request.user, contact)
        return Response(self.get_serializer(self.get_queryset().get(pk=contact.pk)).data)


class ContactActionsViewSet(ScopedGenericViewSet):
    """The base of the viewsets through which the apps above contacts add actions on one contact
    (`contacts/{id}/<action>/`), registered under the router prefix "contacts" after
    `ContactViewSet`. Subclasses hold only `@action(detail=True)` methods; through this base they
    answer as `ContactViewSet`'s own actions do: 403 for a caller who may not view contacts, 404
    for a contact missing or out of the caller's scope, a contact as `ContactSerializer` less the
    fields the caller never reads (`contact_data`), with its ETag."""

    queryset = Contact.objects.all()
    serializer_class = ContactSerializer

    def get_queryset(self):
        return with_confirmer(selectors.contacts_with_relations(super().get_queryset()), self.request.user)

    def contact_data(self, contact: Contact) -> Any:
        """`contact` as re-read and answered by `ContactViewSet` (`ContactSerializer`)."""
        return self.get_serializer(self.get_queryset().get(pk=contact.pk)).data


__all__ = ["NOTIFY_CATEGORIES", "ContactActionsViewSet", "ContactSerializer", "ContactViewSet"]
