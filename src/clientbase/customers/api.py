"""Customers, locations, assets and asset parts over REST."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clientbase.api.schema import answered_as, text_pattern
from clientbase.api.viewsets import ScopedModelViewSet, ScopedPrimaryKeyRelatedField, StrictModelSerializer
from clientbase.customers import selectors, services
from clientbase.customers.filters import (
    AssetFilterSet,
    AssetPartFilterSet,
    CustomerFilterSet,
    LocationFilterSet,
)
from clientbase.customers.models import ADDRESS_KEYS, Asset, AssetPart, Customer, Location
from clientbase.customers.websites import check_website
from clientbase.emails import check_email
from clientbase.phones import check_phone

# The address of the examples (the API docs).
ADDRESS_EXAMPLE = {"street": "1200 W Adams St", "city": "Chicago", "region": "IL", "postal_code": "60607"}


@extend_schema_field(
    {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    key: {"type": "string", "pattern": text_pattern(multiline=False, blank=True)}
                    for key in ADDRESS_KEYS
                },
                "additionalProperties": False,
            },
            {"type": "string", "maxLength": 0, "description": "Empty: no address (as `{}`)."},
        ],
        "example": ADDRESS_EXAMPLE,
    }
)
class AddressField(serializers.JSONField):
    """An address (`services.clean_address`): an object of its known parts, each a line of text;
    blank parts are left out."""


# What a customer's contact details must be beyond their shape (400 on the field), in the
# description of each write.
CONTACT_DETAIL_RULES = [
    "`email`: an e-mail address a mail server takes (`name@example.com`).",
    "`phone` (and a contact's `mobile` and `secondary_phone`): a valid phone number, with its "
    "country code (`+1 312 555 0142`) or written as CLIENTBASE_DEFAULT_REGION writes it.",
]


@answered_as(
    "A customer",
    {
        "id": 42,
        "number": "C-000042",
        "name": "Northwind Hospitals",
        "legal_name": "Northwind Health System, Inc.",
        "tax_id": "36-4123987",
        "status": "active",
        "email": "facilities@northwind.example",
        "phone": "+13125550100",
        "website": "https://northwind.example",
        "billing_address": ADDRESS_EXAMPLE,
        "notes": "",
        "primary_contact": 7,
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class CustomerSerializer(StrictModelSerializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50, validators=[check_phone])
    # Checked with the other fields, so that a body's every error is answered at once (the
    # service stores the normalised form).
    email = serializers.CharField(required=False, allow_blank=True, max_length=254, validators=[check_email])
    # Written with or without https:// ("example.com"), stored with it (`websites.normalize_website`).
    website = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[check_website]
    )
    billing_address = AddressField(required=False)
    # Annotated by contacts (`selectors.register_customer_annotation`); null without it.
    primary_contact = serializers.IntegerField(source="primary_contact_id", read_only=True, allow_null=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "number",
            "name",
            "legal_name",
            "tax_id",
            "status",
            "email",
            "phone",
            "website",
            "billing_address",
            "notes",
            "primary_contact",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "number", "created_at", "updated_at"]
        validators: list = []


@answered_as(
    "A location",
    {
        "id": 3,
        "customer": 42,
        "name": "North Campus",
        "code": "N-CAMPUS",
        "address": ADDRESS_EXAMPLE,
        "access_notes": "Visitor badge at the reception.",
        "is_active": True,
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class LocationSerializer(StrictModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    address = AddressField(required=False)

    class Meta:
        model = Location
        fields = [
            "id",
            "customer",
            "name",
            "code",
            "address",
            "access_notes",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []


@answered_as(
    "An asset",
    {
        "id": 9,
        "location": 3,
        "customer": 42,
        "name": "Chiller CH-2",
        "asset_tag": "NW-CH-2",
        "serial_number": "YK-55831",
        "manufacturer": "York",
        "model": "YMC2",
        "installed_on": "2019-05-14",
        "warranty_until": "2027-05-14",
        "status": "in_service",
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class AssetSerializer(StrictModelSerializer):
    location = ScopedPrimaryKeyRelatedField(queryset=Location.objects.all())
    customer = serializers.IntegerField(source="location.customer_id", read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "location",
            "customer",
            "name",
            "asset_tag",
            "serial_number",
            "manufacturer",
            "model",
            "installed_on",
            "warranty_until",
            "status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []


@answered_as(
    "An asset part",
    {
        "id": 12,
        "asset": 9,
        "name": "Compressor motor",
        "part_number": "025-43371",
        "serial_number": "M-88120",
        "installed_on": "2023-11-02",
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class AssetPartSerializer(StrictModelSerializer):
    asset = ScopedPrimaryKeyRelatedField(queryset=Asset.objects.select_related("location"))

    class Meta:
        model = AssetPart
        fields = [
            "id",
            "asset",
            "name",
            "part_number",
            "serial_number",
            "installed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list = []


class CustomerViewSet(ScopedModelViewSet):
    """Customers: `number` (`C-000042`) given on creation, contact details, billing address,
    `primary_contact` (the id of its primary contact, set through the contact). Filters: `status`,
    `search` (name, number)."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    instance_kwarg = "customer"
    schema_rules = {
        "write": [
            *CONTACT_DETAIL_RULES,
            "`website`: a web address, with or without `https://` (`example.com`); no other scheme.",
        ]
    }
    create_service = staticmethod(services.create_customer)
    update_service = staticmethod(services.update_customer)
    delete_service = staticmethod(services.delete_customer)

    def get_queryset(self):
        return selectors.customers_with_annotations(super().get_queryset())


class LocationViewSet(ScopedModelViewSet):
    """A customer's sites, with their address and access notes. Filters: `customer`, `is_active`,
    `search` (name, code, street, city)."""

    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    instance_kwarg = "location"
    schema_rules = {"write": ["`customer` never changes once the location exists."]}
    create_service = staticmethod(services.create_location)
    update_service = staticmethod(services.update_location)
    delete_service = staticmethod(services.delete_location)


class AssetViewSet(ScopedModelViewSet):
    """The equipment at a customer's sites (`customer` is its location's). Filters: `customer`,
    `location`, `status`, `search`."""

    queryset = Asset.objects.select_related("location")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    instance_kwarg = "asset"
    schema_rules = {"write": ["`location` changes only to another location of the asset's customer."]}
    create_service = staticmethod(services.create_asset)
    update_service = staticmethod(services.update_asset)
    delete_service = staticmethod(services.delete_asset)


class AssetPartViewSet(ScopedModelViewSet):
    """The parts of an asset, with their part and serial numbers. Filter: `asset`."""

    queryset = AssetPart.objects.select_related("asset__location")
    serializer_class = AssetPartSerializer
    filterset_class = AssetPartFilterSet
    instance_kwarg = "part"
    schema_rules = {"write": ["`asset` changes only to another asset of the part's customer."]}
    create_service = staticmethod(services.create_asset_part)
    update_service = staticmethod(services.update_asset_part)
    delete_service = staticmethod(services.delete_asset_part)
