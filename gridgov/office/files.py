"""Attachments of notices, documents and messages: pictures (checked by their content and stored
without metadata, as cases do) and PDF files (checked by their signature), size-limited."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from gridgov.cases.photos import check_photo

MAX_FILES = 10
PDF = "application/pdf"


@dataclass
class CheckedFile:
    content: ContentFile
    thumbnail: ContentFile | None
    name: str
    content_type: str
    size: int


def _limit() -> int:
    return settings.GRIDGOV_OFFICE_MAX_FILE_BYTES


def check_file(data: bytes, name: str) -> CheckedFile:
    """A picture or a PDF, or a ValidationError a person can act on."""
    name = (name or "file").rsplit("/", 1)[-1][:150]
    if len(data) > _limit():
        raise ValidationError(
            _("The file %(name)s is too large (limit %(mb)d MB).")
            % {"name": name, "mb": _limit() // 2**20}
        )
    if data.startswith(b"%PDF-"):
        return CheckedFile(
            content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"),
            thumbnail=None,
            name=name,
            content_type=PDF,
            size=len(data),
        )
    try:
        photo = check_photo(data, name)
    except ValidationError:
        raise ValidationError(
            _("%(name)s is neither a PDF file nor a JPEG, PNG or WebP picture.") % {"name": name}
        ) from None
    return CheckedFile(
        content=photo.public,  # the copy without GPS or camera data
        thumbnail=photo.thumbnail,
        name=name,
        content_type=photo.content_type,
        size=photo.size,
    )


def check_files(uploads) -> list[CheckedFile]:
    """Check (data, name) pairs before a transaction starts (decoding pictures is slow)."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    return [check_file(data, name) for data, name in uploads]


def from_request(request, field: str = "files") -> list[CheckedFile]:
    """The checked files of a form's file field."""
    return from_uploads(request.FILES.getlist(field))


def from_uploads(uploads) -> list[CheckedFile]:
    """The checked files of uploaded files (a form's, or an API's multipart request): never more
    than the limit and one byte is read of any of them."""
    uploads = list(uploads)
    if len(uploads) > MAX_FILES:
        raise ValidationError(_("Attach at most %(n)d files.") % {"n": MAX_FILES})
    return check_files((f.read(_limit() + 1), f.name or "file") for f in uploads)
