"""Customers, locations, assets and asset parts over REST."""

from __future__ import annotations

from rest_framework import serializers

from clientbase.api.viewsets import ScopedModelViewSet, ScopedPrimaryKeyRelatedField, StrictModelSerializer
from clientbase.customers import selectors, services
from clientbase.customers.filters import (
    AssetFilterSet,
    AssetPartFilterSet,
    CustomerFilterSet,
    LocationFilterSet,
)
from clientbase.customers.models import Asset, AssetPart, Customer, Location
from clientbase.customers.websites import check_website
from clientbase.emails import check_email
from clientbase.phones import check_phone


class CustomerSerializer(StrictModelSerializer):
    phone = serializers.CharField(required=False, allow_blank=True, max_length=50, validators=[check_phone])
    # Checked with the other fields, so that a body's every error is answered at once (the
    # service stores the normalised form).
    email = serializers.CharField(required=False, allow_blank=True, max_length=254, validators=[check_email])
    # Written with or without https:// ("example.com"), stored with it (`websites.normalize_website`).
    website = serializers.CharField(
        required=False, allow_blank=True, max_length=200, validators=[check_website]
    )
    billing_address = serializers.JSONField(required=False)
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


class LocationSerializer(StrictModelSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    address = serializers.JSONField(required=False)

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
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    instance_kwarg = "customer"
    create_service = staticmethod(services.create_customer)
    update_service = staticmethod(services.update_customer)
    delete_service = staticmethod(services.delete_customer)

    def get_queryset(self):
        return selectors.customers_with_annotations(super().get_queryset())


class LocationViewSet(ScopedModelViewSet):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_class = LocationFilterSet
    instance_kwarg = "location"
    create_service = staticmethod(services.create_location)
    update_service = staticmethod(services.update_location)
    delete_service = staticmethod(services.delete_location)


class AssetViewSet(ScopedModelViewSet):
    queryset = Asset.objects.select_related("location")
    serializer_class = AssetSerializer
    filterset_class = AssetFilterSet
    instance_kwarg = "asset"
    create_service = staticmethod(services.create_asset)
    update_service = staticmethod(services.update_asset)
    delete_service = staticmethod(services.delete_asset)


class AssetPartViewSet(ScopedModelViewSet):
    queryset = AssetPart.objects.select_related("asset__location")
    serializer_class = AssetPartSerializer
    filterset_class = AssetPartFilterSet
    instance_kwarg = "part"
    create_service = staticmethod(services.create_asset_part)
    update_service = staticmethod(services.update_asset_part)
    delete_service = staticmethod(services.delete_asset_part)
