"""Chunked uploads from the phone: the only place their state changes.

The bytes go to a file named after the upload under MEDIA_ROOT/uploads/. A chunk is written at
the offset the row says was received (truncating anything after it, such as the rest of a chunk
whose acknowledgement was lost in a crash), then the row moves on, in one transaction that
holds the row: two copies of the same chunk sent at once are counted once."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.mobile.models import Upload

# A chunk at most (the phone sends 64 KB; room for other clients).
MAX_CHUNK_BYTES = 512 * 1024
# Unfinished uploads older than this are dropped when their owner starts another.
STALE_AFTER = datetime.timedelta(days=2)


class OffsetMismatch(Exception):
    """The chunk does not start where the server's copy ends; `received` says where it does."""

    def __init__(self, upload: Upload):
        super().__init__(upload.received)
        self.upload = upload


def upload_path(upload_id: uuid.UUID) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads" / f"{upload_id}.part"


def max_upload_bytes() -> int:
    """The largest file an upload may carry: the largest attachment the platform takes."""
    return max(settings.GRIDGOV_MAX_PHOTO_BYTES, settings.GRIDGOV_MAX_VOICE_BYTES)


def append_chunk(
    *, actor: User, upload_id: uuid.UUID, size: int, offset: int, data: bytes
) -> Upload:
    """Add `data` at `offset` of the upload `upload_id` (started by the first chunk, offset 0).
    Another user's upload id is refused like an unknown one."""
    if not 0 < size <= max_upload_bytes():
        raise ValidationError(
            _("The file is too large (limit %(mb)d MB).") % {"mb": max_upload_bytes() // 2**20}
        )
    if len(data) > MAX_CHUNK_BYTES or not data:
        raise ValidationError(_("A chunk holds 1 byte to 512 KB."))
    with transaction.atomic():
        upload = Upload.objects.select_for_update().filter(pk=upload_id).first()
        if upload is None:
            if offset != 0:
                raise OffsetMismatch(Upload(id=upload_id, owner=actor, size=size, received=0))
            _drop_stale(actor)
            upload = Upload.objects.create(id=upload_id, owner=actor, size=size)
        elif upload.owner_id != actor.pk:
            raise Upload.DoesNotExist
        if upload.size != size:
            raise ValidationError(_("The upload's length changed."))
        if offset != upload.received:
            raise OffsetMismatch(upload)
        if offset + len(data) > size:
            raise ValidationError(_("The chunk goes past the end of the file."))
        path = upload_path(upload.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "r+b" if path.exists() else "wb") as part:
            part.seek(offset)
            part.truncate()
            part.write(data)
        upload.received = offset + len(data)
        upload.save(update_fields=["received"])
    return upload


def take_upload(*, actor: User, upload_id: uuid.UUID) -> bytes:
    """The bytes of a finished upload of `actor`'s, for an attachment endpoint. The upload stays
    until `forget_upload` (after the attachment is stored), so a failed attachment can retry."""
    upload = Upload.objects.filter(pk=upload_id, owner=actor).first()
    if upload is None:
        raise Upload.DoesNotExist
    if not upload.complete:
        raise ValidationError(
            _("The upload is not finished (%(got)d of %(size)d bytes).")
            % {"got": upload.received, "size": upload.size}
        )
    return upload_path(upload.id).read_bytes()[: upload.size]


def forget_upload(*, actor: User, upload_id: uuid.UUID) -> None:
    with transaction.atomic():
        Upload.objects.filter(pk=upload_id, owner=actor).delete()
        transaction.on_commit(lambda: upload_path(upload_id).unlink(missing_ok=True))


def _drop_stale(actor: User) -> None:
    old = Upload.objects.filter(owner=actor, created_at__lt=timezone.now() - STALE_AFTER)
    paths = [upload_path(stale_id) for stale_id in old.values_list("id", flat=True)]
    old.delete()
    transaction.on_commit(lambda: _unlink_all(paths))


def _unlink_all(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)
