"""`GET reports/service/` (work orders per customer, location or asset, as JSON pages or a CSV/XLSX
file) and `GET reports/idle-assets/` (the assets without service for some months), for staff.

Refusals, in this order: 401 without a login; 403 for a user who may not report on work orders
(staff: the right to view work orders); 400 naming every bad or unknown parameter; 404 for a
`customer` that does not exist or is out of the caller's scope (as every customer filter of a
report answers); 403 for portal users (their figures are on the portal's reports page) and for
staff who may not view what the report lists (customers, locations or assets)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clientbase.api.filters import ID_PARAMETER_SCHEMA
from clientbase.api.pagination import MAX_PAGE, Pagination
from clientbase.audit.events import request_ip
from clientbase.errors import ValidationFailed
from clientbase.reports import params, selectors
from clientbase.reports.downloads import service_download
from clientbase.transfer.downloads import DownloadNegotiation
from clientbase.transfer.exporters import FORMATS

SERVICE_PARAMETERS = ("group_by", "customer", "from", "to", "format", "page", "page_size")
IDLE_PARAMETERS = ("months", "customer", "cursor", "page", "page_size")


def checked(query: Mapping[str, Any], known: tuple[str, ...], *readers: Callable[[], Any]) -> list[Any]:
    """What `readers` read from the query, once every parameter is known and good; else one
    ValidationFailed naming every bad or unknown parameter."""
    errors: dict[str, list[str]] = {}
    results = []
    for reader in (lambda: params.unknown_parameters(query, known), *readers):
        try:
            results.append(reader())
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    return results[1:]


def _named(name: str, fields: dict[str, serializers.Field], **kwargs: Any) -> Any:
    return inline_serializer(name, fields, **kwargs)


GROUP = _named(
    "ServiceReportGroup",
    {
        "id": serializers.IntegerField(
            allow_null=True, help_text="Null: work at no particular site or asset."
        ),
        "name": serializers.CharField(),
        "customer": _named(
            "ServiceReportGroupCustomer",
            {"id": serializers.IntegerField(), "name": serializers.CharField()},
            required=False,
            help_text="Grouped by location or asset: the group's customer.",
        ),
    },
)
SERVICE_ROW = _named(
    "ServiceReportRow",
    {
        "group": GROUP,
        "total": serializers.IntegerField(),
        "open": serializers.IntegerField(help_text="Open, scheduled or in progress."),
        "completed": serializers.IntegerField(),
        "cancelled": serializers.IntegerField(),
        "mean_days_to_complete": serializers.FloatField(
            allow_null=True,
            help_text="Mean days from creation to completion, one decimal; null: none completed.",
        ),
        "last_service": serializers.DateField(allow_null=True, help_text="Day of the latest completion."),
    },
)


def page_of(name: str, row: Any) -> Any:
    return inline_serializer(
        name,
        {
            "results": serializers.ListField(child=row),
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
        },
    )


REFUSALS = {
    400: OpenApiResponse(description="A bad or unknown parameter, named"),
    403: OpenApiResponse(description="May not report on work orders, or a portal user"),
    404: OpenApiResponse(description="No such customer (or out of scope)"),
}


def _optional(name: str, schema: dict[str, Any], description: str = "") -> OpenApiParameter:
    """An optional query parameter of a report; empty, it is not given (as `params` reads it)."""
    return OpenApiParameter(name, schema, required=False, description=description)


CUSTOMER = _optional("customer", dict(ID_PARAMETER_SCHEMA), "Only this customer's work.")
PAGE = _optional("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}, "A page by number.")
PAGE_SIZE = _optional("page_size", {"type": "integer", "minimum": 1, "maximum": 200}, "1-200, default 50.")
# A day as `params.parse_day` reads it: YYYY-MM-DD, from 1900-01-01 on.
DAY = {"type": "string", "format": "date", "pattern": "^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$"}


class ServiceReportView(APIView):
    """Work orders created in a period, per customer, location or asset: `{"results": [{"group":
    {"id", "name"}, "total", "open", "completed", "cancelled", "mean_days_to_complete",
    "last_service"}], "next", "previous"}`, grouped by location or asset the group naming its
    `customer` too; by total (largest first), then name; pages by number (`?page=`, `?page_size=`
    up to 200). With `format=csv|xlsx`, every group as a file (`reports.downloads`)."""

    content_negotiation_class = DownloadNegotiation
    schema_rules = {"get": ["`to` is not before `from`."]}
    empty_query_is_absent = True

    @extend_schema(
        parameters=[
            OpenApiParameter("group_by", str, enum=list(params.GROUP_BY), required=True),
            CUSTOMER,
            _optional("from", dict(DAY), "First day created (inclusive), from 1900-01-01 on."),
            _optional("to", dict(DAY), "Last day created (inclusive), from 1900-01-01 on."),
            _optional("format", {"type": "string", "enum": list(params.FORMATS)}, "A file instead of JSON."),
            PAGE,
            PAGE_SIZE,
        ],
        responses={
            200: page_of("ServiceReportPage", SERVICE_ROW),
            (200, FORMATS["csv"][0]): OpenApiTypes.BINARY,
            (200, FORMATS["xlsx"][0]): OpenApiTypes.BINARY,
            **REFUSALS,
        },
    )
    def get(self, request: Request) -> Response | StreamingHttpResponse | FileResponse:
        user = request.user
        selectors.require_reports(user)
        query, fmt = checked(
            request.query_params,
            SERVICE_PARAMETERS,
            lambda: params.service_query(request.query_params),
            lambda: params.download_format(request.query_params),
        )
        selectors.check_service_report(user, query)
        if fmt:
            return service_download(user, query, fmt, ip=request_ip(request), via="api")
        paginator = Pagination()
        rows = paginator.paginate_queryset(selectors.service_report(user, query), request, self)
        return paginator.get_paginated_response(
            [selectors.service_row(query.group_by, row).as_dict() for row in rows]
        )


class IdleAssetsView(APIView):
    """The assets without service for `months` months (1-120, default 12; see
    `reports.selectors`): `{"results": [{"asset": {"id", "name", "serial_number"}, "location":
    {"id", "name"}, "customer": {"id", "name"}, "installed_on", "last_service"}], "next",
    "previous"}`, by site, then name; pages by keyset (`?cursor=`) as the lists do."""

    empty_query_is_absent = True

    @extend_schema(
        parameters=[
            _optional(
                "months",
                {"type": "integer", "minimum": params.MONTHS_MIN, "maximum": params.MONTHS_MAX},
                "1-120, default 12.",
            ),
            CUSTOMER,
            _optional(
                "cursor",
                {"type": "string"},
                "A position: opaque, only as next/previous give it (any other is a 400).",
            ),
            PAGE,
            PAGE_SIZE,
        ],
        responses={
            200: page_of(
                "IdleAssetsPage",
                _named(
                    "IdleAsset",
                    {
                        "asset": _named(
                            "IdleAssetAsset",
                            {
                                "id": serializers.IntegerField(),
                                "name": serializers.CharField(),
                                "serial_number": serializers.CharField(),
                            },
                        ),
                        "location": _named(
                            "IdleAssetLocation",
                            {"id": serializers.IntegerField(), "name": serializers.CharField()},
                        ),
                        "customer": _named(
                            "IdleAssetCustomer",
                            {"id": serializers.IntegerField(), "name": serializers.CharField()},
                        ),
                        "installed_on": serializers.DateField(allow_null=True),
                        "last_service": serializers.DateField(
                            allow_null=True, help_text="Null: never serviced."
                        ),
                    },
                ),
            ),
            **REFUSALS,
        },
    )
    def get(self, request: Request) -> Response:
        user = request.user
        selectors.require_reports(user)
        (query,) = checked(
            request.query_params, IDLE_PARAMETERS, lambda: params.idle_query(request.query_params)
        )
        selectors.check_idle_assets(user, query)
        paginator = Pagination()
        assets = paginator.paginate_queryset(selectors.idle_assets(user, query), request, self)
        return paginator.get_paginated_response([selectors.idle_asset_dict(asset) for asset in assets])


urlpatterns = [
    path("reports/service/", ServiceReportView.as_view(), name="report-service"),
    path("reports/idle-assets/", IdleAssetsView.as_view(), name="report-idle-assets"),
]
