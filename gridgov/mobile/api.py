"""The mobile part's JSON API under /api/v1/: the member's offline bundle, to-do counts and
resumable uploads."""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.mobile import queries, services
from gridgov.mobile.api_corrections import router as corrections_router
from gridgov.mobile.models import Upload

router = Router(tags=["mobile"])
router.add_router("", corrections_router)

# The bundle holds masked data only, so the phone may keep it (its service worker caches it for
# offline use); it must still ask again every time (ETag: an unchanged grid costs a 304).
BUNDLE_CACHE_CONTROL = "private, no-cache"


@router.get(
    "/phone/bundle",
    response={200: dict, 304: None},
    summary="The member's offline bundle (grids, buildings, households masked, places, cases, "
    "due visits)",
)
def phone_bundle(request: HttpRequest):
    """One call with what the phone caches for offline use: the member's own grids (boundary),
    buildings, households (head's name masked, no identifiers), places, open cases and the
    member's due visits (person masked, with the form to send; no category, risk level or
    key-population tag), plus parts other apps add. Send the `ETag` back as `If-None-Match`:
    an unchanged bundle answers 304 with no body."""
    body = queries.bundle_bytes(queries.bundle(request.user))
    # A weak validator: the same bundle compressed or not (If-None-Match compares weakly).
    etag = "W/" + queries.etag_of(body)
    response = get_conditional_response(request, etag=etag)
    if response is None:
        # Sent gzip-compressed to phones that take it (gridgov.compression): a sixteenth.
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = BUNDLE_CACHE_CONTROL
    return response


class TodoItemOut(Schema):
    kind: str
    kind_label: str = ""
    title: str
    url: str
    due: datetime.datetime | None = None
    area_name: str = ""


_TODO_KEYS = ("kind", "kind_label", "title", "url", "due", "area_name")


class TodoOut(Schema):
    count: int
    items: list[TodoItemOut]


@router.get("/phone/todo", response=TodoOut, summary="The member's to-do list on the phone")
def phone_todo(request: HttpRequest):
    """Cases to verify or handle on the spot, and the items other parts add (tasks, visits due,
    notices to acknowledge), nearest due first."""
    items = queries.todo_items(request.user)
    return TodoOut(
        count=len(items),
        items=[TodoItemOut.model_validate({k: i[k] for k in _TODO_KEYS if k in i}) for i in items],
    )


class UploadOut(Schema):
    id: uuid.UUID
    size: int
    received: int
    complete: bool


def _upload_out(upload: Upload) -> UploadOut:
    return UploadOut(
        id=upload.id, size=upload.size, received=upload.received, complete=upload.complete
    )


def _header_int(request: HttpRequest, name: str) -> int:
    raw = request.headers.get(name, "")
    if not raw.isdigit() or len(raw) > 12:
        raise ValidationError(
            {name: _("Send the header %(name)s as a whole number.") % {"name": name}}
        )
    return int(raw)


@router.put(
    "/uploads/{upload_id}",
    response={200: UploadOut, 409: UploadOut},
    summary="Send a chunk of a file (resumable: Upload-Offset and Upload-Length headers)",
)
def put_chunk(request: AuthenticatedRequest, upload_id: uuid.UUID):
    """The body is the raw bytes of one chunk (at most 512 KB) that starts at `Upload-Offset` of
    a file of `Upload-Length` bytes; the first chunk (offset 0) starts the upload, named by the
    client's UUID. A chunk that does not start where the server's copy ends answers 409 with the
    offset to go on from; `GET` tells it after a cut. A finished upload is used once, as the
    `upload` field of an attachment endpoint (a case photo or voice note)."""
    if Upload.objects.filter(pk=upload_id).exclude(owner=request.user).exists():
        raise Http404  # someone else's, answered like an unknown one
    offset = _header_int(request, "Upload-Offset")
    size = _header_int(request, "Upload-Length")
    if int(request.headers.get("Content-Length") or 0) > services.MAX_CHUNK_BYTES:
        raise ValidationError(_("A chunk holds 1 byte to 512 KB."))
    try:
        upload = services.append_chunk(
            actor=request.user, upload_id=upload_id, size=size, offset=offset, data=request.body
        )
    except services.OffsetMismatch as mismatch:
        return Status(409, _upload_out(mismatch.upload))
    except Upload.DoesNotExist:
        raise Http404 from None
    return Status(200, _upload_out(upload))


@router.get("/uploads/{upload_id}", response=UploadOut, summary="How much of an upload arrived")
def get_upload(request: AuthenticatedRequest, upload_id: uuid.UUID):
    upload = Upload.objects.filter(pk=upload_id, owner=request.user).first()
    if upload is None:
        raise Http404
    return _upload_out(upload)
