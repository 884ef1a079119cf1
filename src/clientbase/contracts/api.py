"""Service contracts over REST: `contracts/`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from clientbase.api.schema import answered_as
from clientbase.api.viewsets import (
    LeanRepresentation,
    ScopedModelViewSet,
    ScopedPrimaryKeyRelatedField,
    StrictModelSerializer,
)
from clientbase.contracts import services
from clientbase.contracts.filters import ContractFilterSet
from clientbase.contracts.models import Contract
from clientbase.customers.models import Asset, Customer, Location


@answered_as(
    "A service contract",
    {
        "id": 5,
        "number": "K-000005",
        "customer": 42,
        "name": "Chiller maintenance 2026",
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "status": "active",
        "locations": [3],
        "assets": [],
        "visits_per_year": 4,
        "response_hours": 8,
        "notes": "",
        "created_at": "2026-03-02T09:15:00Z",
        "updated_at": "2026-03-02T09:15:00Z",
    },
)
class ContractSerializer(LeanRepresentation, StrictModelSerializer):
    number = serializers.CharField(read_only=True, help_text="K-000042, from the id.")
    customer = ScopedPrimaryKeyRelatedField(
        queryset=Customer.objects.all(),
        help_text="The customer's id; a contract never moves to another customer (400 on `customer`).",
    )
    status = serializers.ChoiceField(
        choices=Contract.Status.choices,
        read_only=True,
        help_text="Derived from today's date in the server's TIME_ZONE: `upcoming` before `start_date`, "
        "`active` from it through `end_date` (inclusive; none: open-ended), `expired` after it.",
    )
    locations = ScopedPrimaryKeyRelatedField(
        queryset=Location.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the customer's locations covered; with no location and no asset, every site "
        "of the customer. A location of another customer is a 400 naming it.",
    )
    assets = ScopedPrimaryKeyRelatedField(
        queryset=Asset.objects.all(),
        many=True,
        required=False,
        help_text="Ids of the customer's assets covered, wherever they stand. An asset of another "
        "customer is a 400 naming it.",
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "customer",
            "name",
            "start_date",
            "end_date",
            "status",
            "locations",
            "assets",
            "visits_per_year",
            "response_hours",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators: list[Any] = []


class ContractViewSet(ScopedModelViewSet):
    """Service contracts of customers: what is covered (`locations`, `assets`; none of either: every
    site of the customer), from `start_date` through `end_date` (none: open-ended), with
    `visits_per_year` and `response_hours`. Filters: `customer`, `location` (the contracts covering
    it: naming it or an asset there, and the customer-wide ones of its customer), `active`
    (`true`: in force today; `false`: upcoming or expired), `status`, `ending` (days: in force and
    ending within them, soonest first) and `search` (number or name). An end before the start, a
    covered location or asset of another customer, or a change of `customer` is a 400 on the field.
    Staff with the contracts permissions write; portal users with `billing` (or `admin`) read their
    own customer's contracts, without `notes`."""

    queryset = Contract.objects.all()
    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    instance_kwarg = "contract"
    listed_many = ("locations", "assets")
    # What a well-formed write may still be refused for (400 on the field), in the description.
    schema_rules = {
        "write": [
            "`end_date` is not before `start_date`.",
            "`locations` and `assets` belong to `customer`, which never changes once the contract exists.",
        ]
    }
    create_service = staticmethod(services.create_contract)
    update_service = staticmethod(services.update_contract)
    delete_service = staticmethod(services.delete_contract)
