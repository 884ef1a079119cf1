"""Uploaded files are capped as they arrive (`CLIENTBASE_UPLOAD_MAX_BYTES`), on every page and API
endpoint alike.

`CappedUploadHandler` comes first in `FILE_UPLOAD_HANDLERS`: it passes each file's data on to
Django's own handlers (memory, then a temporary file) until the file grows beyond the cap; from then
on the data is dropped as it arrives, the partial copy is discarded, and the file becomes an
`OversizeUpload`, which `validate_upload_size` (on the upload form's and serializer's file fields)
refuses by its size with a clear message. So an oversize upload never fills the memory or the disk;
the rest of the request body is still read (and dropped) so that the client gets the answer; a
reverse proxy's own body limit (nginx `client_max_body_size`) stops larger bodies sooner."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from clientbase.transfer.limits import too_large_message


class OversizeUpload(UploadedFile):
    """A file that was larger than the cap: no content, `size` the bytes that arrived."""

    def __init__(self, name: str | None, content_type: str | None, size: int, charset: str | None):
        super().__init__(io.BytesIO(), name, content_type, size, charset)


class CappedUploadHandler(FileUploadHandler):
    """Stops keeping a file's data once it is larger than `CLIENTBASE_UPLOAD_MAX_BYTES`."""

    received = 0
    oversize = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0
        self.oversize = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received <= settings.CLIENTBASE_UPLOAD_MAX_BYTES:
            return raw_data  # on to the handlers that keep it
        if not self.oversize:
            self.oversize = True
            self._discard_partial_copies()
        return None  # dropped: the next handlers never see it

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if not self.oversize:
            return None  # the next handler answers the file it kept
        return OversizeUpload(self.file_name, self.content_type, self.received, self.charset)

    def _discard_partial_copies(self) -> None:
        """Close what the other handlers kept of this file (a temporary file is deleted)."""
        request = self.request
        for handler in getattr(request, "upload_handlers", []) if request is not None else []:
            kept = getattr(handler, "file", None)
            if handler is not self and kept is not None:
                kept.close()


def validate_upload_size(file: Any) -> None:
    """Refuse a file larger than `CLIENTBASE_UPLOAD_MAX_BYTES` (an `OversizeUpload`, or any file
    when another upload handler kept it whole)."""
    limit = settings.CLIENTBASE_UPLOAD_MAX_BYTES
    if (getattr(file, "size", None) or 0) > limit:
        raise ValidationError(too_large_message(limit), code="file_too_large")
