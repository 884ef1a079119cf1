"""`GET quality/` (the findings, a page at a time) and `GET quality/summary/` (how many objects
break each rule), for staff; scoped by the one authorization layer (`access.restrict`)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from clientbase import access
from clientbase.api.filters import ID_PARAMETER_SCHEMA, MAX_ID
from clientbase.api.viewsets import StrictSerializer
from clientbase.contacts.api import ContactSerializer
from clientbase.contacts.models import Contact
from clientbase.customers.models import Customer
from clientbase.errors import Forbidden, NotFound, ValidationFailed
from clientbase.keyset import BadCursor
from clientbase.quality import selectors
from clientbase.quality.merge import merge_contacts, undo_merge
from clientbase.quality.models import Merge
from clientbase.quality.rules import RULE_NAMES, Rule, Severity

FRAMEWORK_PARAMETERS = {"format"}
# The longest cursor `quality/` reads: its positions are short (a rule name and an id, encoded).
CURSOR_MAX_LENGTH = 1024


class QualityQuerySerializer(StrictSerializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    rule = serializers.ChoiceField(choices=list(RULE_NAMES), required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    # A position as `next` and `previous` give it (URL-safe base64 of a rule name and an id).
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=CURSOR_MAX_LENGTH)
    page_size = serializers.IntegerField(min_value=1, max_value=200, required=False)


class FindingObjectSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["customer", "location", "asset", "contact"])
    id = serializers.IntegerField()
    name = serializers.CharField()


class FindingSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(choices=list(RULE_NAMES))
    severity = serializers.ChoiceField(choices=Severity.choices)
    object = FindingObjectSerializer()
    customer = serializers.IntegerField(allow_null=True)
    message = serializers.CharField()
    fix_url = serializers.CharField()


def _query(request: Request) -> tuple[dict[str, Any], int | None, list[Rule]]:
    """The checked query parameters, the customer they name (404 when the user may not see it)
    and the rules they ask for; 403 for a user who may not view customers."""
    if not access.can(request.user, access.VIEW, Customer):
        raise Forbidden("You may not view customers, so not the quality of their data either.")
    params = {key: value for key, value in request.query_params.items() if key not in FRAMEWORK_PARAMETERS}
    query = QualityQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    data = dict(query.validated_data)
    customer = data.get("customer")
    if customer is not None:
        customer = access.fetch(request.user, Customer.objects.all(), customer).pk
    rules = selectors.visible_rules(request.user, rule=data.get("rule"), severity=data.get("severity"))
    return data, customer, rules


# The refusals of `quality/` and `quality/summary/` (`_query`).
REFUSALS = {
    400: OpenApiResponse(description="A bad parameter"),
    403: OpenApiResponse(description="May not view customers"),
    404: OpenApiResponse(description="No such customer"),
}

FILTERS = [
    OpenApiParameter(
        "customer",
        dict(ID_PARAMETER_SCHEMA),
        required=False,
        description="Only the findings of this customer.",
    ),
    OpenApiParameter("rule", str, enum=list(RULE_NAMES), required=False),
    OpenApiParameter("severity", str, enum=list(Severity.values), required=False),
]


class QualityView(APIView):
    """The data-quality findings the user may see, in the order of the rules, then of the
    objects: each `{"rule", "severity", "object": {"type", "id", "name"}, "customer", "message",
    "fix_url"}` (`fix_url`: the staff page that fixes it), scoped as every list is (a portal user:
    its own customer's). 403 for a user who may not view customers; a customer the user may not
    see is a 404."""

    @extend_schema(
        parameters=[
            *FILTERS,
            OpenApiParameter(
                "cursor",
                {"type": "string", "maxLength": CURSOR_MAX_LENGTH, "pattern": "^[A-Za-z0-9_-]*={0,2}$"},
                required=False,
                description="A position: opaque, only as next/previous give it (any other is a 400).",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": 200},
                required=False,
                description="1-200, default 50.",
            ),
        ],
        responses={
            200: inline_serializer(
                "QualityPage",
                {
                    "results": FindingSerializer(many=True),
                    "next": serializers.CharField(allow_null=True),
                    "previous": serializers.CharField(allow_null=True),
                },
            ),
            **REFUSALS,
        },
    )
    def get(self, request: Request) -> Response:
        data, customer, rules = _query(request)
        try:
            page = selectors.findings_page(
                request.user,
                rules,
                cursor=data.get("cursor") or "",
                size=data.get("page_size") or 50,
                customer=customer,
            )
        except BadCursor as error:
            raise ValidationFailed({"cursor": [str(error)]}) from None
        url = request.build_absolute_uri()

        def link(cursor: str | None) -> str | None:
            return None if cursor is None else replace_query_param(url, "cursor", cursor)

        return Response(
            {
                "results": [finding.as_dict() for finding in page.findings],
                "next": link(page.next),
                "previous": link(page.previous),
            }
        )


class QualitySummaryView(APIView):
    """How many objects the user may see break each rule: `{"counted_at", "rules": [{"rule",
    "severity", "label", "count"}]}`, every rule about a model the user may view, in order; scoped
    and refused as `quality/` is. For all customers and a user who sees every row, the counts a
    worker stored at `counted_at` (at most 15 minutes old; `quality.snapshot`), else counted now
    (`counted_at` null)."""

    @extend_schema(
        parameters=FILTERS,
        responses={
            200: inline_serializer(
                "QualitySummary",
                {
                    "counted_at": serializers.DateTimeField(allow_null=True),
                    "rules": inline_serializer(
                        "QualityRuleCount",
                        {
                            "rule": serializers.ChoiceField(choices=list(RULE_NAMES)),
                            "severity": serializers.ChoiceField(choices=Severity.choices),
                            "label": serializers.CharField(),
                            "count": serializers.IntegerField(),
                        },
                        many=True,
                    ),
                },
            ),
            **REFUSALS,
        },
    )
    def get(self, request: Request) -> Response:
        _data, customer, rules = _query(request)
        counted, at = selectors.dashboard_counts(request.user, rules, customer=customer)
        return Response(
            {
                "counted_at": serializers.DateTimeField().to_representation(at) if at else None,
                "rules": [
                    {
                        "rule": rule.name,
                        "severity": rule.severity,
                        "label": rule.label,
                        "count": counted[rule.name],
                    }
                    for rule in rules
                ],
            }
        )


# Merges -------------------------------------------------------------------------------------------


class MergeRequestSerializer(StrictSerializer):
    into = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The contact kept.")
    others = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=20,
        help_text="The contacts merged into it (then deleted), of the same customer.",
    )
    values = serializers.DictField(
        required=False,
        default=dict,
        help_text="Fields of the kept contact to set, chosen field by field (as a PATCH of it).",
    )
    keep_login = serializers.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="The contact whose portal login survives, when more than one has one.",
    )


class MergeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    into = serializers.IntegerField(allow_null=True)
    into_name = serializers.CharField()
    others = serializers.ListField(child=serializers.IntegerField())
    others_names = serializers.CharField()
    moved = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField()
    undone_at = serializers.DateTimeField(allow_null=True)


def merge_answer(merge: Merge) -> dict[str, Any]:
    """A merge as the API answers it: what moved is counted per model and field."""
    return {
        "id": merge.pk,
        "into": merge.into_id,
        "into_name": merge.into_name,
        "others": [other["id"] for other in merge.record.get("others", [])],
        "others_names": merge.others_names,
        "moved": [
            {
                "model": moved["model"],
                "field": moved["field"],
                "count": len(moved["ids"]),
                "from": moved["from"],
            }
            for moved in merge.record.get("moved", [])
        ],
        "created_at": serializers.DateTimeField().to_representation(merge.created_at),
        "undone_at": serializers.DateTimeField().to_representation(merge.undone_at)
        if merge.undone_at
        else None,
    }


def still_of_its_customer() -> Q:
    """Merges whose kept contact still belongs to the customer it was merged at."""
    return Q(customer__isnull=True, into__customer__isnull=True) | Q(into__customer_id=F("customer_id"))


def visible_merge(user: Any, pk: Any) -> Merge:
    """The merge `pk` when the user may see its kept contact (404 otherwise)."""
    if not access.can(user, access.VIEW, Contact):
        raise Forbidden("You may not view contacts, so not their merges either.")
    visible = access.restrict(user, Contact.objects.all(), access.VIEW)
    merge = Merge.objects.filter(pk=pk, into__in=visible).filter(still_of_its_customer()).first()
    if merge is None:
        raise NotFound(f"No merge {pk}.")
    return merge


def checked_values(kept: Contact, values: dict[str, Any], request: Any) -> tuple[dict[str, Any], Any]:
    """A merge's `values` checked as a PATCH of the kept contact checks them (`ContactSerializer`,
    partial): (the validated values, the serializer's errors by field, empty when none). The API's
    merge and the merge page both check so."""
    if not values:
        return {}, {}
    checked = ContactSerializer(kept, data=values, partial=True, context={"request": request})
    if not checked.is_valid():
        return {}, checked.errors
    return dict(checked.validated_data), {}


class ContactMergeView(APIView):
    """Merge contacts of one customer into one (`quality.merge.merge_contacts`): every reference
    moves to the kept contact, `values` are written to it, the others are deleted; answers the
    merge record (201), which `merges/{id}/undo/` undoes while nothing has changed since."""

    schema_rules = {
        "post": [
            "`others`: each contact once, not the one kept, all of the kept contact's customer.",
            "`values`: fields of a contact as a PATCH of the kept one takes them (its rules apply, "
            "refusals nested under `values`), not `is_primary` nor `portal`.",
            "`keep_login`: needed when more than one of them has a portal login, and one of them.",
        ]
    }

    @extend_schema(
        request=MergeRequestSerializer,
        responses={
            201: MergeSerializer,
            400: OpenApiResponse(description="Bad input: ids, values, contacts of different customers"),
            403: OpenApiResponse(description="May not change the kept contact or delete the others"),
            404: OpenApiResponse(description="No such contact"),
            409: OpenApiResponse(description="A rule refused"),
        },
    )
    def post(self, request: Request) -> Response:
        if not access.can(request.user, access.VIEW, Contact):
            raise Forbidden("You may not view contacts.")
        body = MergeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        kept = access.fetch(request.user, Contact.objects.all(), data["into"])
        values, errors = checked_values(kept, data["values"], request)
        if errors:
            raise serializers.ValidationError({"values": errors})
        merge = merge_contacts(
            acting_user=request.user,
            into=kept.pk,
            others=data["others"],
            values=values,
            keep_login=data.get("keep_login"),
        )
        return Response(merge_answer(merge), status=status.HTTP_201_CREATED)


class MergeDetailView(APIView):
    """A merge record (its kept contact visible to the caller, else 404)."""

    @extend_schema(responses={200: MergeSerializer, 404: OpenApiResponse(description="No such merge")})
    def get(self, request: Request, pk: int) -> Response:
        return Response(merge_answer(visible_merge(request.user, pk)))


class MergeUndoView(APIView):
    """Undo a merge (`quality.merge.undo_merge`): 409 with the reason when anything it did has
    changed since, or it was undone already."""

    @extend_schema(
        request=None,
        responses={
            200: MergeSerializer,
            403: OpenApiResponse(description="May not change the kept contact or add contacts"),
            404: OpenApiResponse(description="No such merge"),
            409: OpenApiResponse(description="Changed since, or undone already"),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        merge = undo_merge(merge=visible_merge(request.user, pk), acting_user=request.user)
        return Response(merge_answer(merge))
