"""`GET quality/` (the findings, a page at a time) and `GET quality/summary/` (how many objects
break each rule), for staff; scoped by the one authorization layer (`access.restrict`)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from clientbase import access
from clientbase.api.filters import MAX_ID
from clientbase.api.viewsets import StrictSerializer
from clientbase.customers.models import Customer
from clientbase.errors import Forbidden, ValidationFailed
from clientbase.keyset import BadCursor
from clientbase.quality import selectors
from clientbase.quality.rules import RULE_NAMES, Severity

FRAMEWORK_PARAMETERS = {"format"}


class QualityQuerySerializer(StrictSerializer):
    customer = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    rule = serializers.ChoiceField(choices=list(RULE_NAMES), required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=4096)
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


def _query(request: Request) -> tuple[dict[str, Any], int | None]:
    """The checked query parameters and the customer they name (404 when the user may not see
    it); 403 for a user who may not view customers."""
    if not access.can(request.user, access.VIEW, Customer):
        raise Forbidden("You may not view customers, so not the quality of their data either.")
    params = {key: value for key, value in request.query_params.items() if key not in FRAMEWORK_PARAMETERS}
    query = QualityQuerySerializer(data=params)
    query.is_valid(raise_exception=True)
    data = dict(query.validated_data)
    customer = data.get("customer")
    if customer is not None:
        customer = access.fetch(request.user, Customer.objects.all(), customer).pk
    return data, customer


FILTERS = [
    OpenApiParameter("customer", int, required=False, description="Only the findings of this customer."),
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
            OpenApiParameter("cursor", str, required=False, description="A position: follow next/previous."),
            OpenApiParameter("page_size", int, required=False, description="1-200, default 50."),
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
            400: OpenApiResponse(description="A bad parameter"),
            403: OpenApiResponse(description="May not view customers"),
            404: OpenApiResponse(description="No such customer"),
        },
    )
    def get(self, request: Request) -> Response:
        data, customer = _query(request)
        rules = selectors.visible_rules(request.user, rule=data.get("rule"), severity=data.get("severity"))
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
    """How many objects the user may see break each rule: `{"rules": [{"rule", "severity",
    "label", "count"}]}`, every rule about a model the user may view, in order; scoped and refused
    as `quality/` is."""

    @extend_schema(
        parameters=FILTERS,
        responses={
            200: inline_serializer(
                "QualitySummary",
                {
                    "rules": inline_serializer(
                        "QualityRuleCount",
                        {
                            "rule": serializers.ChoiceField(choices=list(RULE_NAMES)),
                            "severity": serializers.ChoiceField(choices=Severity.choices),
                            "label": serializers.CharField(),
                            "count": serializers.IntegerField(),
                        },
                        many=True,
                    )
                },
            ),
            400: OpenApiResponse(description="A bad parameter"),
            403: OpenApiResponse(description="May not view customers"),
            404: OpenApiResponse(description="No such customer"),
        },
    )
    def get(self, request: Request) -> Response:
        data, customer = _query(request)
        rules = selectors.visible_rules(request.user, rule=data.get("rule"), severity=data.get("severity"))
        counted = selectors.counts(request.user, rules, customer=customer)
        return Response(
            {
                "rules": [
                    {
                        "rule": rule.name,
                        "severity": rule.severity,
                        "label": rule.label,
                        "count": counted[rule.name],
                    }
                    for rule in rules
                ]
            }
        )
