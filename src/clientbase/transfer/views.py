"""The staff pages of imports and exports: the import wizard (upload -> preview of what would be
created, updated and left unchanged, with the row errors -> commit), past imports with their revert,
import templates and contact exports. Every step calls the same services as the API and the CLI."""

from __future__ import annotations

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
from clientbase.transfer.api import contact_export_response
from clientbase.transfer.downloads import attachment
from clientbase.transfer.forms import ImportUploadForm
from clientbase.transfer.kinds import KINDS, Kind
from clientbase.transfer.limits import Limits, size_text
from clientbase.transfer.models import ImportRun
from clientbase.transfer.readers import open_table

SESSION_KEY = "transfer_uploads"
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
                KINDS[kind].check_columns(table.header)
                for _ in table.records():  # every row read once, within the limits
                    pass
        except ValidationFailed as error:
            _discard(self.request, token)
            for message in error.errors.get("file", [error.message]):
                form.add_error("file", message)
            return self.form_invalid(form)
        uploads = self.request.session.get(SESSION_KEY, {})
        uploads[token] = {
            "kind": kind,
            "match": ",".join(form.cleaned_data["match_keys"]),
            "filename": (upload.name or "")[:255],
        }
        self.request.session[SESSION_KEY] = uploads
        return HttpResponseRedirect(reverse("transfer:import-preview", args=[token]))


class ImportPreviewView(StaffPage):
    """Step 2: a dry run shows exactly what the import would do, row by row; step 3: the commit."""

    section = "imports"
    template_name = "transfer/import_preview.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.token = kwargs["token"]
        return super().dispatch(request, *args, **kwargs)

    def upload(self) -> dict[str, str]:
        """The upload of this session named by the token (another session's reads as missing)."""
        upload = self.request.session.get(SESSION_KEY, {}).get(self.token)
        if upload is None or not (uploads_dir() / f"import-{self.token}").exists():
            raise NotFound("This upload is gone (imported, cancelled or expired); upload the file again.")
        return upload

    def run(self, *, dry_run: bool) -> services.ImportReport:
        upload = self.upload()
        with (uploads_dir() / f"import-{self.token}").open("rb") as file:
            return services.import_file(
                acting_user=self.user,
                kind=upload["kind"],
                file=file,
                dry_run=dry_run,
                match=upload["match"],
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


def contact_export_section(request: HttpRequest, contact: Any) -> dict[str, Any]:
    """The contact page's export section: the contact as a vCard."""
    return {"vcard_url": reverse("api:contact-card-vcard", args=[contact.pk])}
