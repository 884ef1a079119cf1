"""The staff pages of imports and exports: the import wizard (upload -> preview of what would be
created, updated and left unchanged, with the row errors -> commit), past imports with their revert,
import templates and the exports of contacts and contracts. Every step calls the same services as
the API and the CLI."""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse
from django.views.generic import View

from clientbase import access
from clientbase.audit.events import request_ip
from clientbase.errors import Forbidden, NotFound, ValidationFailed
from clientbase.pages import ActionView, FormPage, StaffPage, StaffRequiredMixin, paginate
from clientbase.pages import ServiceErrorMixin as PageErrors
from clientbase.text import counted
from clientbase.transfer import exporters, selectors, services
from clientbase.transfer.api import contact_export_response, contract_export_response
from clientbase.transfer.columns import HeaderRefused
from clientbase.transfer.downloads import attachment
from clientbase.transfer.forms import ImportUploadForm
from clientbase.transfer.kinds import KINDS, Kind
from clientbase.transfer.limits import Limits, size_text
from clientbase.transfer.models import ImportMapping, ImportRun
from clientbase.transfer.readers import open_table

SESSION_KEY = "transfer_uploads"
# The newest files whose column choices are offered again.
REMEMBERED_FILES = 50
# Uploaded files wait in var/uploads/ between the preview and the commit; older ones are removed.
UPLOAD_MAX_AGE = 24 * 3600


def importable_kinds(user: Any) -> list[str]:
    """The kinds `user` may import at all (the services still check every row)."""
    return [
        name
        for name, kind in KINDS.items()
        if access.can(user, access.ADD, kind.model) or access.can(user, access.CHANGE, kind.model)
    ]


def uploads_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _remove_stale_uploads() -> None:
    limit = time.time() - UPLOAD_MAX_AGE
    for path in uploads_dir().glob("import-*"):
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _store(upload: UploadedFile) -> str:
    token = secrets.token_urlsafe(18)
    with (uploads_dir() / f"import-{token}").open("wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return token


def _discard(request: HttpRequest, token: str) -> None:
    (uploads_dir() / f"import-{token}").unlink(missing_ok=True)
    uploads = request.session.get(SESSION_KEY, {})
    if uploads.pop(token, None) is not None:
        request.session[SESSION_KEY] = uploads


def header_key(header: list[str]) -> str:
    return hashlib.sha256(json.dumps(header, ensure_ascii=False).encode()).hexdigest()


def remembered_mapping(user: Any, kind: str, header: list[str]) -> dict[str, str]:
    """What `user` chose before for columns of a file of `kind` with these headers ({} for
    none): per column (case and surrounding spaces aside), the newest choice, whatever other
    columns that file had."""
    wanted = {column.strip().casefold(): column for column in header}
    chosen: dict[str, str] = {}
    for mapping in (
        ImportMapping.objects.filter(user=user, kind=kind)
        .order_by("-updated_at")[:REMEMBERED_FILES]
        .values_list("mapping", flat=True)
    ):
        for column, target in mapping.items():
            key = column.strip().casefold()
            if key in wanted and wanted[key] not in chosen:
                chosen[wanted[key]] = target
    return chosen


def remember_mapping(user: Any, kind: str, header: list[str], mapping: dict[str, str]) -> None:
    ImportMapping.objects.update_or_create(
        user=user, kind=kind, header_key=header_key(header), defaults={"header": header, "mapping": mapping}
    )


class ImportListView(StaffPage):
    """Past imports (the user's own; everyone's with `transfer.view_importrun`), with the way to a
    new import, the templates and the exports."""

    section = "imports"
    template_name = "transfer/import_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            page=paginate(self.request, selectors.import_runs_for(self.user), 25),
            kinds=[(name, KINDS[name].model._meta.verbose_name_plural) for name in KINDS],
            can_import=bool(importable_kinds(self.user)),
            can_export=self.can(access.VIEW, KINDS["contacts"].model),
        )
        return context


class ImportUploadView(FormPage):
    """Step 1: the file. It is read once to refuse what cannot be imported at all (encoding,
    unknown columns, a damaged workbook, anything beyond the upload limits of `limits.py`); the
    rows' values are looked at in the preview."""

    section = "imports"
    form_class = ImportUploadForm
    template_name = "transfer/import_upload.html"

    def prepare(self) -> None:
        if not importable_kinds(self.user):
            raise Forbidden("You may not import anything.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kinds"] = [
            (
                name,
                str(KINDS[name].model._meta.verbose_name_plural).capitalize(),
                [(column, KINDS[name].column_help.get(column, "")) for column in KINDS[name].columns],
            )
            for name in importable_kinds(self.user)
        ]
        limits = Limits.web()
        context["limits_text"] = (
            f"{size_text(limits.max_bytes or 0)}, {limits.max_rows or 0:,} rows and "
            f"{limits.max_columns:,} columns"
        )
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        kind = form.cleaned_data["kind"]
        if kind not in importable_kinds(self.user):
            form.add_error("kind", f"You may not import {KINDS[kind].model._meta.verbose_name_plural}.")
            return self.form_invalid(form)
        _remove_stale_uploads()
        upload = form.cleaned_data["file"]
        token = _store(upload)
        try:
            with (uploads_dir() / f"import-{token}").open("rb") as file:
                table = open_table(file, Limits.web())
                for _ in table.records():  # every row read once, within the limits
                    pass
        except ValidationFailed as error:
            _discard(self.request, token)
            for message in error.errors.get("file", [error.message]):
                form.add_error("file", message)
            return self.form_invalid(form)
        mapping = remembered_mapping(self.user, kind, table.header)
        try:
            KINDS[kind].check_columns(table.header, mapping)
            step = "transfer:import-preview"
        except ValidationFailed:  # unknown or repeated columns: the user says what they are
            mapping, step = {}, "transfer:import-columns"
        uploads = self.request.session.get(SESSION_KEY, {})
        uploads[token] = {
            "kind": kind,
            "match": ",".join(form.cleaned_data["match_keys"]),
            "blank": "clear" if form.cleaned_data.get("clear_blanks") else "keep",
            "mapping": mapping,
            "filename": (upload.name or "")[:255],
        }
        self.request.session[SESSION_KEY] = uploads
        return HttpResponseRedirect(reverse(step, args=[token]))


class UploadStep(StaffPage):
    """A step of the wizard after the upload, on the file the session's token names."""

    section = "imports"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.token = kwargs["token"]
        return super().dispatch(request, *args, **kwargs)

    def upload(self) -> dict[str, Any]:
        """The upload of this session named by the token (another session's reads as missing)."""
        upload = self.request.session.get(SESSION_KEY, {}).get(self.token)
        if upload is None or not (uploads_dir() / f"import-{self.token}").exists():
            raise NotFound("This upload is gone (imported, cancelled or expired); upload the file again.")
        return upload


class ImportColumnsView(UploadStep):
    """Step 1b, for a file whose header is not all recognised: what each file column is (a column
    of the kind, or ignored), offered with the recognised columns and the user's earlier choice
    for the same header; the choice is remembered for the next such file."""

    template_name = "transfer/import_columns.html"
    IGNORE = "-"

    def read_file(self) -> tuple[list[str], list[str]]:
        """The header and the first row's cells (for showing what each column holds)."""
        with (uploads_dir() / f"import-{self.token}").open("rb") as file:
            table = open_table(file, Limits.web())
            first = next(iter(table.records()), (0, []))[1]
        return table.header, [str(cell) for cell in first]

    def choices(self, kind: type[Kind]) -> list[tuple[str, str]]:
        return [(column.name, column.name) for column in kind.spec.all if column.role != "ignored"] + [
            (self.IGNORE, "Ignore this column")
        ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = self.upload()
        kind = KINDS[upload["kind"]]
        header, first = self.read_file()
        chosen: dict[str, str] = kwargs.get("chosen") or {
            **remembered_mapping(self.user, upload["kind"], header),
            **(upload.get("mapping") or {}),
        }
        rows = []
        for index, column in enumerate(header):
            recognised = kind.spec.recognise(column)
            selected = (chosen[column] or self.IGNORE) if column in chosen else (recognised or "")
            rows.append(
                {
                    "index": index,
                    "column": column,
                    "sample": first[index] if index < len(first) else "",
                    "selected": selected,
                    "recognised": recognised is not None,
                }
            )
        context.update(
            upload=upload,
            kind=kind,
            rows=rows,
            choices=self.choices(kind),
            errors=kwargs.get("errors", []),
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.upload()
        kind = KINDS[upload["kind"]]
        header, _ = self.read_file()
        known = {name for name, _ in self.choices(kind)}
        chosen: dict[str, str] = {}
        errors: list[str] = []
        for index, column in enumerate(header):
            value = request.POST.get(f"column-{index}", "")
            if value not in known:
                errors.append(f"Say what the column “{column}” is, or ignore it.")
                continue
            chosen[column] = "" if value == self.IGNORE else value
        if not errors:
            try:
                kind.check_columns(header, chosen)
            except ValidationFailed as error:
                errors = [message for messages in error.errors.values() for message in messages]
        if errors:
            context = self.get_context_data(chosen=chosen, errors=errors)
            return self.render_to_response(context, status=400)
        remember_mapping(self.user, upload["kind"], header, chosen)
        uploads = request.session.get(SESSION_KEY, {})
        uploads[self.token]["mapping"] = chosen
        request.session[SESSION_KEY] = uploads
        return HttpResponseRedirect(reverse("transfer:import-preview", args=[self.token]))


class ImportPreviewView(UploadStep):
    """Step 2: a dry run shows exactly what the import would do, row by row; step 3: the commit."""

    template_name = "transfer/import_preview.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        upload = self.upload()
        with (uploads_dir() / f"import-{self.token}").open("rb") as file:
            header = open_table(file, Limits.web()).header
        try:
            KINDS[upload["kind"]].check_columns(header, upload.get("mapping") or None)
        except HeaderRefused:
            return HttpResponseRedirect(reverse("transfer:import-columns", args=[self.token]))
        return super().get(request, *args, **kwargs)

    def run(self, *, dry_run: bool) -> services.ImportReport:
        upload = self.upload()
        with (uploads_dir() / f"import-{self.token}").open("rb") as file:
            return services.import_file(
                acting_user=self.user,
                kind=upload["kind"],
                file=file,
                dry_run=dry_run,
                match=upload["match"],
                blank=upload.get("blank"),
                mapping=upload.get("mapping") or None,
                filename=upload["filename"],
                details=dry_run,
                ip=request_ip(self.request),
            )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        upload = self.upload()
        report = self.run(dry_run=True)
        refused_rows = len({error["row"] for error in report.errors})
        context.update(
            upload=upload,
            token=self.token,
            kind=KINDS[upload["kind"]],
            report=report,
            refused_rows=refused_rows,
            changes=report.changes or [],
            more_changes=report.created + report.updated - len(report.changes or []),
            to_write=report.created + report.updated,
        )
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.POST.get("action") == "cancel":
            _discard(request, self.token)
            messages.info(request, "The import was cancelled; nothing was changed.")
            return HttpResponseRedirect(reverse("transfer:import-list"))
        report = self.run(dry_run=False)
        _discard(request, self.token)
        assert report.run is not None
        refused = len({error["row"] for error in report.errors})
        messages.success(
            request,
            f"Imported: {report.created} created, {report.updated} updated, {report.unchanged} unchanged"
            + (
                f"; {counted(refused, 'row')} with errors {'was' if refused == 1 else 'were'} left out."
                if refused
                else "."
            ),
        )
        return HttpResponseRedirect(reverse("transfer:import-detail", args=[report.run.pk]))


class ImportHelpView(StaffPage):
    """How imports read files: the rules, and every kind's columns with the other headers that
    name them, their help, example and longest value (all from the column descriptions)."""

    section = "imports"
    template_name = "transfer/import_help.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        kinds = []
        for name, kind in KINDS.items():
            columns = [
                {
                    "name": column.name,
                    "aliases": column.aliases,
                    "help": column.help,
                    "example": column.example,
                    "max_length": kind.max_length(column),
                }
                for column in kind.spec.all
            ]
            label = str(kind.model._meta.verbose_name_plural).capitalize()
            kinds.append({"name": name, "label": label, "columns": columns})
        limits = Limits.web()
        context.update(
            kinds=kinds,
            limits_text=f"{size_text(limits.max_bytes or 0)} and {limits.max_rows or 0:,} rows",
            can_import=bool(importable_kinds(self.user)),
        )
        return context


def visible_run(user: Any, pk: int) -> ImportRun:
    try:
        return selectors.import_runs_for(user).get(pk=pk)
    except ImportRun.DoesNotExist as error:
        raise NotFound("Import not found.") from error


class ImportDetailView(StaffPage):
    """One past import: who, what, the figures, the first errors, and its revert."""

    section = "imports"
    template_name = "transfer/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        run = visible_run(self.user, self.kwargs["pk"])
        kind: type[Kind] = KINDS[run.kind]
        context.update(
            run=run,
            kind_label=kind.model._meta.verbose_name_plural,
            may_revert=run.status != ImportRun.Status.REVERTED and selectors.may_revert(self.user, run),
        )
        return context


class ImportRevertView(ActionView):
    """`GET`: what reverting this import does, to confirm; `POST`: revert it (created objects
    deleted, updated ones restored), refused with the reason when something changed since."""

    http_method_names = ["get", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        run = visible_run(request.user, pk)
        if run.status == ImportRun.Status.REVERTED or not selectors.may_revert(request.user, run):
            return HttpResponseRedirect(reverse("transfer:import-detail", args=[run.pk]))
        confirm = ImportDetailView.as_view(template_name="transfer/import_confirm_revert.html")
        return confirm(request, pk=pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        run = visible_run(request.user, pk)
        if not selectors.may_revert(request.user, run):
            raise Forbidden("You may revert only your own imports.")
        services.revert_import(run=run, acting_user=request.user)
        messages.success(request, f"Import {run.pk} was reverted.")
        return HttpResponseRedirect(reverse("transfer:import-detail", args=[run.pk]))

    def get_conflict_url(self) -> str:
        return reverse("transfer:import-detail", args=[self.kwargs["pk"]])


class ImportTemplateDownload(PageErrors, StaffRequiredMixin, View):
    """The template CSV of an import: its columns, generated from the column specs."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in KINDS:
            raise NotFound(f"No import of {kind}.")
        body = b"".join(exporters.csv_stream(exporters.template_table(kind)))
        response = HttpResponse(body, content_type=exporters.FORMATS["csv"][0])
        response["Content-Disposition"] = attachment(f"{kind}-template.csv")
        return response


class ContactExportDownload(PageErrors, StaffRequiredMixin, View):
    """The contacts the user sees, filtered like the contacts list (`?customer=&role=...`), as
    `?format=csv|xlsx|vcf`."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        return contact_export_response(request.user, request.GET, ip=request_ip(request), via="pages")


class ContractExportDownload(PageErrors, StaffRequiredMixin, View):
    """The contracts the user sees, filtered like the contracts list (`?customer=&status=...`), as
    `?format=csv|xlsx`."""

    def get(self, request: HttpRequest) -> HttpResponseBase:
        return contract_export_response(request.user, request.GET, ip=request_ip(request), via="pages")


def contact_export_section(request: HttpRequest, contact: Any) -> dict[str, Any]:
    """The contact page's export section: the contact as a vCard."""
    return {"vcard_url": reverse("api:contact-card-vcard", args=[contact.pk])}
