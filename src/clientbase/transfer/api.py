"""Imports and exports over REST: `POST imports/` (the report of API.md), past imports and their
revert, import templates, `GET exports/contacts/` and `GET exports/contracts/`, and one contact as a vCard
(`GET contacts/{id}/vcard/`, an action on a contact registered under the router prefix "contacts"
after the contacts' own viewset)."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clientbase import access
from clientbase.api.filters import ID_PARAMETER_SCHEMA, SEARCH_MAX_LENGTH, check_booleans
from clientbase.api.schema import answered_as
from clientbase.api.viewsets import StrictSerializer
from clientbase.audit.events import request_ip
from clientbase.contacts.api import ContactActionsViewSet
from clientbase.contacts.filters import ContactFilterSet
from clientbase.contacts.models import ROLES, Contact
from clientbase.contracts.filters import MAX_ENDING_DAYS, ContractFilterSet
from clientbase.contracts.models import Contract
from clientbase.errors import Forbidden, NotFound, ValidationFailed
from clientbase.transfer import exporters, selectors, services
from clientbase.transfer.downloads import DownloadNegotiation, attachment
from clientbase.transfer.kinds import KINDS
from clientbase.transfer.models import ImportRun
from clientbase.transfer.uploads import validate_upload_size
from clientbase.transfer.vcard import vcard_response, vcards


class ImportRequestSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text="A CSV (UTF-8, UTF-16 or Windows-1252; , ; or tab) or XLSX file, within the upload "
        "limits (CLIENTBASE_UPLOAD_MAX_BYTES, CLIENTBASE_IMPORT_MAX_ROWS, ...; docs/import-export.md).",
        validators=[validate_upload_size],
    )
    kind = serializers.ChoiceField(choices=list(KINDS), default="contacts")
    dry_run = serializers.BooleanField(default=False)
    match = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Match keys in order, e.g. `id,external_id,email` (the default for contacts).",
    )
    blank = serializers.ChoiceField(
        choices=["keep", "clear"],
        default="keep",
        help_text="What a blank cell does: `keep` leaves the stored value, `clear` clears it.",
    )
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text='JSON `{"file column": "column, or empty to ignore it"}` for headers that are not '
        "recognised (docs/import-export.md).",
    )


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="As a spreadsheet numbers it: the header is row 1.")
    field = serializers.CharField(help_text="The column; empty when the whole row is refused.")
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    dry_run = serializers.BooleanField()
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    errors = ImportErrorSerializer(many=True)  # type: ignore[assignment]  # a field, popped by DRF


@answered_as(
    "A past import",
    {
        "id": 6,
        "kind": "contacts",
        "filename": "contacts-march.csv",
        "user": "accounts",
        "match": "id,external_id,email",
        "status": "applied",
        "created": 12,
        "updated": 3,
        "unchanged": 40,
        "error_count": 1,
        "errors": [{"row": 17, "field": "email", "message": "Enter a valid e-mail address."}],
        "started_at": "2026-03-02T09:00:00Z",
        "finished_at": "2026-03-02T09:00:04Z",
        "reverted_at": None,
        "reverted_by": None,
    },
)
class ImportRunSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.get_username", allow_null=True, default=None, read_only=True)
    reverted_by = serializers.CharField(
        source="reverted_by.get_username", allow_null=True, default=None, read_only=True
    )
    errors = ImportErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "filename",
            "user",
            "match",
            "status",
            "created",
            "updated",
            "unchanged",
            "error_count",
            "errors",
            "started_at",
            "finished_at",
            "reverted_at",
            "reverted_by",
        ]
        read_only_fields = fields


class ImportListView(GenericAPIView):
    """`GET imports/`: past imports; `POST imports/`: import a file."""

    schema_rules = {
        "post": [
            "`file`: a CSV or XLSX file that reads (an encoding and separator it recognises, not "
            "empty, within the upload limits), whose columns are those of `kind` (or mapped to them "
            "by `mapping`); rows it refuses are in the report's `errors`, not a 400.",
            "`match`: match keys of `kind`, comma-separated; `mapping`: a JSON object of text.",
        ]
    }

    parser_classes = [MultiPartParser, FormParser]
    serializer_class = ImportRunSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> Any:
        return selectors.import_runs_for(self.request.user)

    @extend_schema(summary="Past imports, newest first", responses={200: ImportRunSerializer(many=True)})
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ImportRunSerializer(page, many=True).data)

    @extend_schema(
        summary="Import a CSV or XLSX file (or check it with dry_run)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={
            200: OpenApiResponse(ImportReportSerializer, description="The report of a dry run."),
            201: OpenApiResponse(
                ImportReportSerializer, description="The report of a commit; Location names the run."
            ),
            400: OpenApiResponse(
                description="The file (unreadable, beyond the upload limits, unknown columns), kind, "
                "match, blank or mapping was refused; nothing imported."
            ),
        },
    )
    def post(self, request: Request) -> Response:
        params = ImportRequestSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        upload = params.validated_data["file"]
        report = services.import_file(
            acting_user=request.user,
            kind=params.validated_data["kind"],
            file=upload.file,
            dry_run=params.validated_data["dry_run"],
            match=params.validated_data.get("match") or None,
            blank=params.validated_data["blank"],
            mapping=params.validated_data.get("mapping") or None,
            filename=upload.name or "",
            ip=request_ip(request),
        )
        if report.run is None:
            return Response(report.as_dict(), status=status.HTTP_200_OK)
        location = request.build_absolute_uri(f"{report.run.pk}/")
        return Response(report.as_dict(), status=status.HTTP_201_CREATED, headers={"Location": location})


def _visible_run(request: Request, pk: int) -> ImportRun:
    try:
        return selectors.import_runs_for(request.user).get(pk=pk)
    except ImportRun.DoesNotExist as error:
        raise NotFound("Import not found.") from error


class ImportDetailView(APIView):
    @extend_schema(summary="One past import", responses={200: ImportRunSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportRunSerializer(_visible_run(request, pk)).data)


class ImportRevertView(APIView):
    @extend_schema(
        summary="Revert an import: created objects deleted, changed ones restored",
        request=None,
        responses={
            200: ImportRunSerializer,
            409: OpenApiResponse(description="Changed since; nothing reverted."),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        run = _visible_run(request, pk)
        if not selectors.may_revert(request.user, run):
            raise Forbidden("You may revert only your own imports.")
        run = services.revert_import(run=run, acting_user=request.user)
        return Response(ImportRunSerializer(selectors.import_runs_for(request.user).get(pk=run.pk)).data)


class ImportTemplateView(APIView):
    """The template of an import: a CSV with the columns of `kind`."""

    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        summary="A template CSV with the columns of an import",
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS))],
        responses={(200, "text/csv"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, kind: str) -> HttpResponse:
        if kind not in KINDS:
            raise NotFound(f"No import of {kind}; imports are {', '.join(KINDS)}.")
        body = b"".join(exporters.csv_stream(exporters.template_table(kind)))
        response = HttpResponse(body, content_type=exporters.FORMATS["csv"][0])
        response["Content-Disposition"] = attachment(f"{kind}-template.csv")
        return response


def _filter(name: str, schema: dict[str, Any], description: str = "") -> OpenApiParameter:
    """A filter of an export, as the list's FilterSet reads it (empty: no filter)."""
    return OpenApiParameter(name, schema, required=False, description=description)


ID = dict(ID_PARAMETER_SCHEMA)
SEARCH = {"type": "string", "maxLength": SEARCH_MAX_LENGTH, "pattern": "^[^\\u0000]*$"}


class ContactExportView(APIView):
    """`GET exports/contacts/?format=csv|xlsx|vcf` plus the filters of the contacts list."""

    content_negotiation_class = DownloadNegotiation
    empty_query_is_absent = True

    @extend_schema(
        summary="Export contacts (filtered like the list) as CSV, XLSX or vCard",
        parameters=[
            _filter("format", {"type": "string", "enum": list(exporters.FORMATS)}, "Default csv."),
            _filter("customer", ID),
            _filter("location", ID),
            _filter("role", {"type": "string", "enum": list(ROLES)}),
            _filter("status", {"type": "string", "enum": list(Contact.Status.values)}),
            _filter("is_primary", {"type": "boolean"}),
            _filter("search", SEARCH),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exporters.FORMATS["xlsx"][0]): OpenApiTypes.BINARY,
            (200, "text/vcard"): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        check_booleans(ContactFilterSet, request.query_params)
        return contact_export_response(request.user, request.query_params, ip=request_ip(request), via="api")


def contact_export_response(
    user: Any, params: Any, *, ip: str | None = None, via: str = "pages"
) -> StreamingHttpResponse | FileResponse:
    """The export as a streamed download (shared by the API and the pages)."""
    fmt = params.get("format") or "csv"
    if fmt not in exporters.FORMATS:
        raise ValidationFailed({"format": [f"One of {', '.join(exporters.FORMATS)}."]})
    if not access.can(user, access.VIEW, Contact):
        raise Forbidden("You may not view contacts.")
    contacts = exporters.contacts_for_export(user, params, ip=ip, via=via)
    content_type, extension = exporters.FORMATS[fmt]
    filename = f"contacts-{timezone.localdate().isoformat()}.{extension}"
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        response = FileResponse(
            exporters.xlsx_file(exporters.contact_table(contacts)), content_type=content_type
        )
    elif fmt == "vcf":
        response = StreamingHttpResponse(
            vcards(contacts.iterator(chunk_size=exporters.CHUNK)), content_type=content_type
        )
    else:
        response = StreamingHttpResponse(
            exporters.csv_stream(exporters.contact_table(contacts)), content_type=content_type
        )
    response["Content-Disposition"] = attachment(filename)
    return response


class ContractExportView(APIView):
    """`GET exports/contracts/?format=csv|xlsx` plus the filters of the contracts list."""

    content_negotiation_class = DownloadNegotiation
    empty_query_is_absent = True

    @extend_schema(
        summary="Export contracts (filtered like the list) as CSV or XLSX, in a contract import's columns",
        parameters=[
            _filter("format", {"type": "string", "enum": list(exporters.CONTRACT_FORMATS)}, "Default csv."),
            _filter("customer", ID),
            _filter("location", ID),
            _filter("active", {"type": "boolean"}),
            _filter("status", {"type": "string", "enum": list(Contract.Status.values)}),
            _filter(
                "ending",
                {"type": "integer", "minimum": 1, "maximum": MAX_ENDING_DAYS},
                "Days: in force and ending within them.",
            ),
            _filter("search", SEARCH),
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exporters.FORMATS["xlsx"][0]): OpenApiTypes.BINARY,
        },
    )
    def get(self, request: Request) -> HttpResponse | StreamingHttpResponse:
        check_booleans(ContractFilterSet, request.query_params)
        return contract_export_response(request.user, request.query_params, ip=request_ip(request), via="api")


def contract_export_response(
    user: Any, params: Any, *, ip: str | None = None, via: str = "pages"
) -> StreamingHttpResponse | FileResponse:
    """The contracts' export as a download (shared by the API and the pages): the columns of a
    contract import, less those the user never reads (portal users: the notes)."""
    fmt = params.get("format") or "csv"
    if fmt not in exporters.CONTRACT_FORMATS:
        raise ValidationFailed({"format": [f"One of {', '.join(exporters.CONTRACT_FORMATS)}."]})
    if not access.can(user, access.VIEW, Contract):
        raise Forbidden("You may not view contracts.")
    contracts = exporters.contracts_for_export(user, params, ip=ip, via=via)
    hidden = access.hidden_fields(user, Contract)
    content_type, extension = exporters.FORMATS[fmt]
    filename = f"contracts-{timezone.localdate().isoformat()}.{extension}"
    response: StreamingHttpResponse | FileResponse
    if fmt == "xlsx":
        response = FileResponse(
            exporters.xlsx_file(exporters.contract_table(contracts, hidden), "Contracts"),
            content_type=content_type,
        )
    else:
        response = StreamingHttpResponse(
            exporters.csv_stream(exporters.contract_table(contracts, hidden)), content_type=content_type
        )
    response["Content-Disposition"] = attachment(filename)
    return response


class ContactCardViewSet(ContactActionsViewSet):
    """One contact as a vCard file."""

    @extend_schema(
        responses={(200, "text/vcard"): OpenApiResponse(description="A vCard 4.0 file.")}, filters=False
    )
    @action(detail=True, methods=["get"], content_negotiation_class=DownloadNegotiation)
    def vcard(self, request: Request, pk: str | None = None) -> HttpResponse:
        """This contact as a vCard 4.0 file, for a phone or an address book."""
        contact = access.fetch(request.user, self.get_queryset(), pk)
        return vcard_response(contact, request)


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import-detail"),
    path("imports/<int:pk>/revert/", ImportRevertView.as_view(), name="import-revert"),
    path("imports/templates/<str:kind>/", ImportTemplateView.as_view(), name="import-template"),
    path("exports/contacts/", ContactExportView.as_view(), name="export-contacts"),
    path("exports/contracts/", ContractExportView.as_view(), name="export-contracts"),
]
