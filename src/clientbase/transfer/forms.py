"""The upload step of the import wizard."""

from __future__ import annotations

from typing import Any

from django import forms

from clientbase.errors import ValidationFailed
from clientbase.pages import ServiceForm
from clientbase.transfer.kinds import KINDS
from clientbase.transfer.uploads import validate_upload_size


class ImportUploadForm(ServiceForm):
    """What to import, the file, and the match keys; the rules of the rows are the services'."""

    kind = forms.ChoiceField(
        label="What to import",
        choices=[
            (name, str(kind.model._meta.verbose_name_plural).capitalize()) for name, kind in KINDS.items()
        ],
        initial="contacts",
    )
    file = forms.FileField(
        label="File",
        help_text="CSV (UTF-8, UTF-16 or Windows-1252; separated by , ; or tab) or XLSX. "
        "The first row names the columns.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,.xlsx"}),
        validators=[validate_upload_size],
    )
    match = forms.CharField(
        label="Match rows on",
        required=False,
        help_text="Column names in order, separated by commas. Empty: contacts id,external_id,email; "
        "customers number,name; locations code,name; contracts id,number.",
    )

    clear_blanks = forms.BooleanField(
        label="Blank cells clear the stored value",
        required=False,
        help_text="Off: a blank cell leaves the stored value as it is (a new row gets the default). "
        "On: a blank cell empties the field; the preview marks every value that would be cleared.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind in KINDS:
            try:
                cleaned["match_keys"] = KINDS[kind].parse_match(cleaned.get("match") or None)
            except ValidationFailed as error:
                self.add_error("match", error.errors["match"])
        return cleaned
