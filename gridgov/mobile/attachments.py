"""An API call's attachment, sent whole as a multipart file or earlier as a resumable upload
(PUT /api/v1/uploads/{id}): one way to read it for every part that takes photos or voice notes."""

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.files import UploadedFile

from gridgov.accounts.models import User
from gridgov.mobile import services
from gridgov.mobile.models import Upload


def attached_bytes(
    actor: User, file: UploadedFile | None, upload: uuid.UUID | None, limit: int
) -> bytes:
    """The multipart `file`, or the caller's finished upload `upload` (another's is unknown:
    404); exactly one of them. Call `forget` once what was read is stored."""
    if (file is None) == (upload is None):
        raise ValidationError(_("Send the file, or the id of a finished upload."))
    if upload is not None:
        try:
            return services.take_upload(actor=actor, upload_id=upload)
        except Upload.DoesNotExist:
            raise Http404 from None
    if (file.size or 0) > limit:  # type: ignore[union-attr]
        raise ValidationError(
            _("The file is too large (limit %(mb).1f MB).") % {"mb": limit / 2**20}
        )
    return file.read(limit + 1)  # type: ignore[union-attr]


def forget(actor: User, upload: uuid.UUID | None) -> None:
    """Drop the upload once its content is stored (an upload is used once)."""
    if upload is not None:
        services.forget_upload(actor=actor, upload_id=upload)
