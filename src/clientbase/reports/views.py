"""The staff page of the service reports, `/reports/`: a GET form (group by, customer, from, to),
the report's table and a chart of its totals per group (stacked bars drawn on the server as SVG:
no script, no style attribute), links that download the report as CSV or XLSX with the same
filters, and the idle assets with their own `months` filter. The same checks as the API
(`reports.params`, `reports.selectors`), on the page's own terms: a bad filter is shown next to
its field (400, nothing listed); a customer that does not exist is named so (404, nothing listed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.views.generic import View

from clientbase import access
from clientbase.audit.events import request_ip
from clientbase.customers.models import Asset
from clientbase.errors import NotFound, ValidationFailed
from clientbase.keyset import BadCursor, Keyset, keyset_tiers
from clientbase.pages import ServiceErrorMixin, StaffPage, StaffRequiredMixin, paginate
from clientbase.reports import params, selectors
from clientbase.reports.downloads import service_download
from clientbase.reports.selectors import ServiceRow

PAGE_SIZE = 50
IDLE_PAGE_SIZE = 25
# The idle-assets list's own position parameter (the report pages by `page`).
IDLE_CURSOR = "idle_cursor"
GROUP_LABELS = {"customer": "Customer", "location": "Location", "asset": "Asset"}
GROUP_PLURALS = {"customer": "customers", "location": "locations", "asset": "assets"}


class ReportFilterForm(forms.Form):
    """The page's filters, shown with their errors; `reports.params` checks them (as the API)."""

    group_by = forms.ChoiceField(label="Group by", choices=list(GROUP_LABELS.items()), required=False)
    customer = forms.CharField(
        label="Customer number",
        required=False,
        max_length=30,
        help_text="Such as C-000042; empty: every customer.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    months = forms.CharField(
        label="Without service for (months)",
        required=False,
        max_length=4,
        widget=forms.NumberInput(attrs={"min": params.MONTHS_MIN, "max": params.MONTHS_MAX}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword: declared here, in the order the form shows them.
        dates = {
            "from": forms.CharField(
                label="Created from", required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
            "to": forms.CharField(
                label="Created to", required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
        }
        months = self.fields.pop("months")
        self.fields.update(dates)
        self.fields["months"] = months


def chart_segments(row: ServiceRow, scale: int) -> list[dict[str, Any]]:
    """The segments of one stacked bar, in order (completed, open, cancelled), each with its start
    `x` and `width` in percent of the largest total shown (`scale`), as SVG attribute values."""
    segments: list[dict[str, Any]] = []
    start = 0.0
    for kind, count in row.segments.items():
        if count and scale:
            width = round(100 * count / scale, 2)
            segments.append({"kind": kind, "x": f"{round(start, 2):g}", "width": f"{width:g}"})
            start += width
    return segments


class ReportsPage(StaffPage):
    """`/reports/?group_by=&customer=&from=&to=&page=&months=&idle_cursor=`: the service report (by
    customer unless told otherwise) and the idle assets, for staff who may view work orders."""

    section = "reports"
    template_name = "reports/reports.html"

    def require_view(self) -> None:
        selectors.require_reports(self.user)

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.require_view()
        context = self.get_context_data(**kwargs)
        return self.render_to_response(context, status=context["status"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        data = self.request.GET
        errors: dict[str, list[str]] = {}
        service = idle = None
        try:
            service = params.service_query(data, default_group_by="customer", numbers=True)
        except ValidationFailed as error:
            errors.update(error.errors)
        try:
            idle = params.idle_query(data, numbers=True)
        except ValidationFailed as error:
            errors.update(error.errors)
        status = 400 if errors else 200
        customer = None
        customer_id = service.customer if service is not None else idle.customer if idle is not None else None
        if customer_id is not None:
            try:
                customer = selectors.visible_customer(self.user, customer_id)
            except NotFound:
                errors["customer"] = [f"No customer {data.get('customer', '').strip()[:30]}."]
                status = 404
        shown = data.copy()
        if customer is not None and customer.number:
            shown["customer"] = customer.number  # as the pages name a customer, however it was given
        if not shown.get("months"):
            shown["months"] = str(params.MONTHS_DEFAULT)
        form = ReportFilterForm(shown)
        form.is_valid()  # the fields are plain text, checked by `params` above
        for name, messages in errors.items():
            for message in messages:
                form.add_error(name if name in form.fields else None, message)
        show_idle = access.can(self.user, access.VIEW, Asset)
        # The grouping asked for names the page even when another filter is refused.
        asked = data.get("group_by") or ""
        group_by = asked if asked in params.GROUP_BY else "customer"
        # Each part is shown while its own filters are right: a bad `months` leaves the report, a
        # bad period the idle assets; a customer not found, neither.
        report_errors = {name: messages for name, messages in errors.items() if name != "months"}
        if service is not None and not report_errors:
            access.require_model(self.user, access.VIEW, selectors.GROUP_MODELS[service.group_by])
            context.update(self.report(service))
        idle_listed = show_idle and idle is not None and "customer" not in errors
        if idle_listed:
            assert idle is not None
            context.update(self.idle(idle))
        context.update(
            status=status,
            form=form,
            errors=errors,
            report_errors=report_errors,
            idle_listed=idle_listed,
            customer=customer,
            group_by=group_by,
            group_label=GROUP_LABELS[group_by],
            groups=GROUP_PLURALS[group_by],
            show_idle=show_idle,
            months=idle.months if idle is not None else params.MONTHS_DEFAULT,
            # What each form keeps as hidden inputs: the filters form the idle list's months, the
            # months form the report's filters and page (a new filter starts at the first page).
            kept=self.kept("months"),
            kept_for_idle=self.kept("group_by", "customer", "from", "to", "page"),
        )
        return context

    def kept(self, *names: str) -> list[tuple[str, str]]:
        """The query's values of `names`, for hidden inputs."""
        return [(name, self.request.GET[name]) for name in names if self.request.GET.get(name)]

    def report(self, query: params.ServiceQuery) -> dict[str, Any]:
        """The report's page of rows (one query), the chart's bars and the download links."""
        page = paginate(self.request, selectors.service_report(self.user, query), PAGE_SIZE)
        rows = [selectors.service_row(query.group_by, values) for values in page.rows]
        scale = max((row.total for row in rows), default=0)
        download = {**query.as_params()}
        downloads = [
            {
                "label": label,
                "url": f"{reverse('reports:service-download')}?{urlencode({**download, 'format': fmt})}",
            }
            for fmt, label in (("csv", "CSV"), ("xlsx", "XLSX (Excel)"))
        ]
        drill = {key: value for key, value in query.as_params().items() if key in ("from", "to")}
        return {
            "query": query,
            "page": page,
            "rows": [
                {
                    "row": row,
                    "segments": chart_segments(row, scale),
                    "by_site": "?"
                    + urlencode({"group_by": "location", "customer": row.customer_id, **drill}),
                }
                for row in rows
            ],
            "downloads": downloads,
            "totals": {
                "total": sum(row.total for row in rows),
                "open": sum(row.open for row in rows),
                "completed": sum(row.completed for row in rows),
                "cancelled": sum(row.cancelled for row in rows),
            },
        }

    def idle(self, query: params.IdleQuery) -> dict[str, Any]:
        """A page of the idle assets, by keyset on its own `idle_cursor` (one query)."""
        assets = selectors.idle_assets(self.user, query)
        tiers = keyset_tiers(assets)
        assert tiers is not None, "the idle assets are in their own order"
        kept = [(key, value) for key, value in self.request.GET.items() if key != IDLE_CURSOR]

        def link(cursor: str) -> str:
            return "?" + urlencode([*kept, (IDLE_CURSOR, cursor)])

        keyset = Keyset(tiers, self.request.GET.get(IDLE_CURSOR, ""), IDLE_PAGE_SIZE, link)
        try:
            found = keyset.page(assets)
        except BadCursor:
            keyset = Keyset(tiers, "", IDLE_PAGE_SIZE, link)
            found = keyset.page(assets)
        return {
            "idle_assets": [
                {"asset": asset, "last_service": selectors.local_day(asset.last_service_at)}
                for asset in found
            ],
            "idle_cutoff": selectors.idle_cutoff(query.months),
            "idle_page": {
                "number": 0,
                "has_next": keyset.next is not None,
                "has_previous": keyset.previous is not None,
                "next_url": keyset.next or "",
                "previous_url": keyset.previous or "",
            },
        }


class ServiceReportDownload(ServiceErrorMixin, StaffRequiredMixin, View):
    """`/reports/service/download/?group_by=&customer=&from=&to=&format=csv|xlsx`: the report as
    a file (CSV by default), every group; refused as the API refuses it (a bad filter 400, a
    customer out of scope 404)."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse | FileResponse:
        selectors.require_reports(request.user)
        query = params.service_query(request.GET, default_group_by="customer", numbers=True)
        fmt = params.download_format(request.GET, default="csv")
        selectors.check_service_report(request.user, query)
        return service_download(request.user, query, fmt, ip=request_ip(request), via="pages")
