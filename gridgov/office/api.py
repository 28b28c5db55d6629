"""The office's JSON API under /api/v1/office/: notices, documents, conversations and messages.
Polling answers 304 when nothing changed since the ETag the client sends (no request is held)."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.models import Department
from gridgov.accounts.permissions import Role
from gridgov.areas import queries as area_queries
from gridgov.office import file_views, queries
from gridgov.office.files import MAX_FILES, from_uploads
from gridgov.office.filters import DocumentFilter, NoticeFilter
from gridgov.office.models import NoticeKind, ShareKind, Urgency
from gridgov.office.presenters import conversation_title, file_dict, present
from gridgov.office.services import documents, notices
from gridgov.office.services import messages as chat
from gridgov.office.units import units_from

router = Router(tags=["office"])
Unit = Annotated[str, Field(max_length=40)]
RecordId = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _local(moment: datetime.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _unchanged(request: AuthenticatedRequest, etag: str) -> bool:
    """If-None-Match holds the ETag, weak (`W/`: compressed answers carry it so) or strong."""
    return get_conditional_response(request, etag=etag) is not None


def _with_etag(body: Schema, etag: str) -> JsonResponse:
    response = JsonResponse(body.model_dump(mode="json"))
    response["ETag"] = etag
    return response


def _not_modified(etag: str) -> HttpResponse:
    response = HttpResponse(status=304)
    response["ETag"] = etag
    return response


# --- attachments -----------------------------------------------------------------------------


class FileOut(Schema):
    """An attachment: `download` (and `download_thumbnail` for a picture) through this API with
    the caller's token, `url`/`thumbnail` the same on the desk pages (session)."""

    id: int
    name: str
    is_image: bool
    content_type: str = ""
    size: int = 0
    url: str
    thumbnail: str
    download: str = ""
    download_thumbnail: str = ""


def _files(items) -> list[FileOut]:
    return [FileOut(**file_dict(f)) for f in items]


Uploads = File[list[UploadedFile]]


@router.get("/office/files/{file_id}", summary="Download an attachment")
def file_download(request: AuthenticatedRequest, file_id: RecordId):
    """The attachment of a notice, document or message the caller may read (404 otherwise)."""
    return file_views.serve(file_views.get_file_for_user(request.user, file_id), "file")


@router.get("/office/files/{file_id}/thumbnail", summary="Download a picture's thumbnail")
def file_thumbnail(request: AuthenticatedRequest, file_id: RecordId):
    return file_views.serve(file_views.get_file_for_user(request.user, file_id), "thumbnail")


# --- notices ---------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    area_code: str
    area_name: str
    published_at: str | None
    requires_ack: bool
    read: bool
    signed: bool
    recipients: int
    files: list[FileOut]


def _notice(n, receipt) -> NoticeOut:
    return NoticeOut(
        id=n.pk,
        kind=n.kind,
        title=n.title,
        body=n.body,
        area_code=n.area_code,
        area_name=n.area.name,
        published_at=_local(n.published_at),
        requires_ack=n.requires_ack,
        read=bool(receipt and receipt.read_at),
        signed=bool(receipt and receipt.acked_at),
        recipients=n.recipient_count,
        files=_files(n.files.all()),
    )


class ListPage(Schema):
    """Paging of a list; its filters are the list's filter in office/filters.py."""

    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class NoticeQuery(ListPage):
    kind: str = Field("", max_length=8, description="notice or dynamic (work dynamics)")
    area: str = Field("", max_length=20, description="An area code: notices in its subtree.")


@router.get("/office/notices", response=list[NoticeOut], summary="Notices and work dynamics")
def notice_list(request: AuthenticatedRequest, params: Query[NoticeQuery]):
    rows = list(
        NoticeFilter(request.GET, request.user).rows()[params.offset : params.offset + params.limit]
    )
    mine = queries.my_receipts(request.user, [n.pk for n in rows])
    return [_notice(n, mine.get(n.pk)) for n in rows]


class NoticeIn(Schema):
    kind: NoticeKind
    title: str = Field(..., max_length=120)
    body: str = Field("", max_length=20_000)
    area_code: str = Field(..., max_length=20)
    roles: list[Role] = Field(default_factory=list, max_length=20)
    requires_ack: bool = False


@router.post("/office/notices", response={201: NoticeOut}, summary="Publish a notice")
def notice_publish(request: AuthenticatedRequest, payload: NoticeIn):
    area = area_queries.get_area_for_user(request.user, payload.area_code)
    notice = notices.publish_notice(
        acting_user=request.user,
        kind=payload.kind,
        title=payload.title,
        body=payload.body,
        area=area,
        roles=[str(r) for r in payload.roles],
        requires_ack=payload.requires_ack,
    )
    return Status(201, _notice(notice, None))


@router.get("/office/notices/{notice_id}", response=NoticeOut, summary="One notice (marks it read)")
def notice_get(request: AuthenticatedRequest, notice_id: int):
    notice = queries.get_notice_for_user(request.user, notice_id)
    notices.mark_notice_read(notice, acting_user=request.user)
    return _notice(notice, queries.my_receipts(request.user, [notice.pk]).get(notice.pk))


@router.post("/office/notices/{notice_id}/ack", response=NoticeOut, summary="Sign for a notice")
def notice_ack(request: AuthenticatedRequest, notice_id: int):
    notice = queries.get_notice_for_user(request.user, notice_id)
    receipt = notices.acknowledge_notice(notice, acting_user=request.user)
    return _notice(notice, receipt)


@router.post(
    "/office/notices/{notice_id}/files",
    response={201: list[FileOut]},
    summary=f"Attach files to a notice (multipart `files`, PDF or picture, at most {MAX_FILES})",
)
def notice_files(request: AuthenticatedRequest, notice_id: int, files: Uploads):
    """By the office of the notice's level: the same checks as the desk's form (the type from
    the content, the size limit, pictures stored without their metadata)."""
    notice = queries.get_notice_for_user(request.user, notice_id)
    added = notices.attach_notice_files(notice, from_uploads(files), acting_user=request.user)
    return Status(201, _files(added))


class RemindIn(Schema):
    sms: bool = False
    note: str = Field("", max_length=500)


class Reminded(Schema):
    reminded: int


@router.post(
    "/office/notices/{notice_id}/remind", response=Reminded, summary="Remind who has not signed"
)
def notice_remind(request: AuthenticatedRequest, notice_id: int, payload: RemindIn):
    notice = queries.get_notice_for_user(request.user, notice_id)
    return Reminded(
        reminded=notices.remind_unsigned(notice, acting_user=request.user, sms=payload.sms)
    )


# --- documents -------------------------------------------------------------------------------


class RecipientOut(Schema):
    kind: str
    unit: str
    area_code: str
    signed_at: str | None


class DocumentOut(Schema):
    id: int
    number: str
    title: str
    issuing_unit: str
    urgency: str
    secrecy: str
    status: str
    status_label: str
    area_code: str
    register_number: str
    lead_unit: str
    deadline: str | None
    overdue: bool
    reply: str
    recipients: list[RecipientOut]
    readers_read: int
    readers_unread: int
    files: list[FileOut]


def _document(d) -> DocumentOut:
    readers = list(d.readers.values_list("read_at", flat=True))
    lead = (
        d.lead_area.name
        if d.lead_area_id
        else (d.lead_department.name if d.lead_department_id else "")
    )
    return DocumentOut(
        id=d.pk,
        number=d.number,
        title=d.title,
        issuing_unit=d.issuing_unit,
        urgency=d.urgency,
        secrecy=d.secrecy,
        status=d.status,
        status_label=str(d.get_status_display()),
        area_code=d.area_code,
        register_number=d.register_number,
        lead_unit=lead,
        deadline=_local(d.deadline),
        overdue=d.overdue,
        reply=d.reply,
        recipients=[
            RecipientOut(
                kind=r.kind, unit=r.unit_name, area_code=r.area_code, signed_at=_local(r.signed_at)
            )
            for r in d.recipients.select_related("area", "department")
        ],
        readers_read=sum(1 for r in readers if r),
        readers_unread=sum(1 for r in readers if not r),
        files=_files(d.files.all()),
    )


class DocumentQuery(ListPage):
    q: str = Field("", max_length=100, description="Document number, title or issuing unit")
    status: str = Field(
        "", max_length=12, description="received, signed, registered, assigned, replied or closed"
    )
    overdue: bool = Field(False, description="1 or true: only documents past their deadline")
    area: str = Field("", max_length=20, description="An area code: documents held in its subtree.")


@router.get("/office/documents", response=list[DocumentOut], summary="Official documents")
def document_list(request: AuthenticatedRequest, params: Query[DocumentQuery]):
    rows = DocumentFilter(request.GET, request.user).rows()
    return [_document(d) for d in rows[params.offset : params.offset + params.limit]]


class DocumentIn(Schema):
    number: str = Field(..., max_length=60)
    title: str = Field(..., max_length=200)
    issuing_unit: str = Field(..., max_length=100)
    urgency: Urgency = Urgency.NORMAL
    secrecy: str = Field(
        "none",
        max_length=16,
        description="none (非密) or internal (内部); classified levels are refused",
    )
    summary: str = Field("", max_length=2000)
    area_code: str = Field(..., max_length=20, description="The office holding it")
    main: list[Unit] = Field(
        ..., max_length=100, description='Units: "area:<code>" or "dept:<code>"'
    )
    copies: list[Unit] = Field(default_factory=list, max_length=100)


@router.post("/office/documents", response={201: DocumentOut}, summary="Enter an incoming document")
def document_receive(request: AuthenticatedRequest, payload: DocumentIn):
    if payload.secrecy in documents.CLASSIFIED:
        raise ValidationError({"secrecy": documents.classified_refusal()})
    area = area_queries.get_area_for_user(request.user, payload.area_code)
    doc = documents.receive_document(
        acting_user=request.user,
        area=area,
        number=payload.number,
        title=payload.title,
        issuing_unit=payload.issuing_unit,
        urgency=payload.urgency,
        secrecy=payload.secrecy,
        summary=payload.summary,
        main=units_from(request.user, payload.main),
        copies=units_from(request.user, payload.copies, "copies"),
    )
    return Status(201, _document(doc))


@router.get("/office/documents/{document_id}", response=DocumentOut, summary="One document")
def document_get(request: AuthenticatedRequest, document_id: int):
    return _document(queries.get_document_for_user(request.user, document_id))


@router.post(
    "/office/documents/{document_id}/files",
    response={201: list[FileOut]},
    summary=f"Attach files to a document (multipart `files`, PDF or picture, at most {MAX_FILES})",
)
def document_files(request: AuthenticatedRequest, document_id: int, files: Uploads):
    """By the office holding the document, until it is closed; checked as on the desk."""
    doc = queries.get_document_for_user(request.user, document_id)
    added = documents.attach_document_files(doc, from_uploads(files), acting_user=request.user)
    return Status(201, _files(added))


class StepIn(Schema):
    note: str = Field("", max_length=2000)
    lead: str | None = Field(None, max_length=40, description='"area:<code>" or "dept:<code>"')
    days: int | None = Field(None, ge=1, le=documents.MAX_DAYS)
    readers: list[RecordId] = Field(default_factory=list, max_length=300)
    sms: bool = False


@router.post(
    "/office/documents/{document_id}/actions/{action}",
    response=DocumentOut,
    summary="Take a step: sign, register, assign, circulate, read, remind, reply, return, close",
)
def document_step(request: AuthenticatedRequest, document_id: int, action: str, payload: StepIn):
    doc = queries.get_document_for_user(request.user, document_id)
    lead_area = lead_department = None
    if payload.lead:
        (unit,) = units_from(request.user, [payload.lead], "lead")
        if isinstance(unit, Department):
            lead_department = unit
        else:
            lead_area = unit
    readers = []
    if payload.readers:
        readers = list(chat.reachable_users(request.user).filter(pk__in=payload.readers))
        if len(readers) != len(set(payload.readers)):
            raise ValidationError({"readers": _("A reader lies outside your scope.")})
    doc = documents.perform(
        doc,
        action,
        acting_user=request.user,
        note=payload.note,
        lead_area=lead_area,
        lead_department=lead_department,
        days=payload.days,
        readers=readers,
        sms=payload.sms,
    )
    return _document(doc)


# --- messages --------------------------------------------------------------------------------


class UnreadOut(Schema):
    messages: int
    conversations: dict[str, int]
    notices_to_sign: int


@router.get("/office/unread", response=UnreadOut, summary="Unread counts (for the phone tab)")
def unread(request: AuthenticatedRequest):
    """Answers 304 when the ETag sent in If-None-Match is still current."""
    etag = f'"u{chat.inbox_version(request.user)}-{queries.unsigned_count(request.user)}"'
    if _unchanged(request, etag):
        return _not_modified(etag)
    by_conv = chat.unread_by_conversation(request.user)
    body = UnreadOut(
        messages=sum(by_conv.values()),
        conversations={str(k): v for k, v in by_conv.items()},
        notices_to_sign=queries.unsigned_count(request.user),
    )
    return _with_etag(body, etag)


class ConversationOut(Schema):
    id: int
    kind: str
    title: str
    area_code: str
    last_message_id: int
    unread: int


@router.get("/office/conversations", response=list[ConversationOut], summary="My conversations")
def conversation_list(request: AuthenticatedRequest):
    unread_counts = chat.unread_by_conversation(request.user)
    return [
        ConversationOut(
            id=c.pk,
            kind=c.kind,
            title=conversation_title(c, request.user),
            area_code=c.area_code,
            last_message_id=c.last_message_id,
            unread=unread_counts.get(c.pk, 0),
        )
        for c in chat.conversations_for(request.user)[:200]
    ]


class ConversationIn(Schema):
    members: list[RecordId] = Field(..., min_length=1, max_length=chat.MAX_GROUP)
    title: str = Field("", max_length=100)


@router.post(
    "/office/conversations", response={201: ConversationOut}, summary="Start a conversation"
)
def conversation_start(request: AuthenticatedRequest, payload: ConversationIn):
    others = list(chat.reachable_users(request.user).filter(pk__in=payload.members))
    if len(others) != len(set(payload.members) - {request.user.pk}):
        raise ValidationError({"members": _("Some of these people are outside your reach.")})
    conv = chat.start_conversation(acting_user=request.user, others=others, title=payload.title)
    return Status(
        201,
        ConversationOut(
            id=conv.pk,
            kind=conv.kind,
            title=conversation_title(conv, request.user),
            area_code=conv.area_code,
            last_message_id=conv.last_message_id,
            unread=0,
        ),
    )


class ShareOut(Schema):
    kind: str
    kind_label: str
    available: bool
    label: str
    url: str


class MessageOut(Schema):
    id: int
    sender: str
    mine: bool
    body: str
    sent_at: str
    time: str
    files: list[FileOut]
    share: ShareOut | None


class MessagesOut(Schema):
    conversation: int
    last_id: int
    messages: list[MessageOut]


class AfterFilter(Schema):
    after: int = Field(0, ge=0, le=2**63 - 1, description="Only messages after this id")


@router.get(
    "/office/conversations/{conversation_id}/messages",
    response=MessagesOut,
    summary="Messages of a conversation (poll with If-None-Match)",
)
def message_list(request: AuthenticatedRequest, conversation_id: int, filters: Query[AfterFilter]):
    """Poll every few seconds with the ETag of the last answer: 304 while nothing is new. Take
    `after` from the last answer's `last_id`."""
    conv = chat.get_conversation_for_user(request.user, conversation_id)
    etag = f'"c{conv.pk}-{conv.last_message_id}"'
    if _unchanged(request, etag):
        return _not_modified(etag)
    rows = chat.messages_of(conv, after=filters.after)
    body = MessagesOut(
        conversation=conv.pk,
        last_id=max([filters.after, *(m.pk for m in rows)]),
        messages=[MessageOut(**present(m, request.user)) for m in rows],
    )
    return _with_etag(body, etag)


class MessageIn(Schema):
    body: str = Field("", max_length=chat.MAX_BODY)
    share_kind: ShareKind | None = None
    share_id: int | None = Field(None, ge=1, le=2**63 - 1)


@router.post(
    "/office/conversations/{conversation_id}/messages",
    response={201: MessageOut},
    summary="Send a message",
)
def message_send(request: AuthenticatedRequest, conversation_id: int, payload: MessageIn):
    conv = chat.get_conversation_for_user(request.user, conversation_id)
    share = None
    if payload.share_kind:
        if payload.share_id is None:
            raise ValidationError({"share_id": _("Give the record's number.")})
        share = (str(payload.share_kind), payload.share_id)
    message = chat.send_message(conv, acting_user=request.user, body=payload.body, share=share)
    return Status(201, present(message, request.user))


class MessageForm(Schema):
    body: str = Field("", max_length=chat.MAX_BODY)


@router.post(
    "/office/conversations/{conversation_id}/messages/upload",
    response={201: MessageOut},
    summary="Send a message with files (multipart: `body` and `files`)",
)
def message_upload(
    request: AuthenticatedRequest,
    conversation_id: int,
    files: Uploads,
    form: Form[MessageForm],
):
    """As sending a message, with attachments checked as on the desk (PDF or picture)."""
    conv = chat.get_conversation_for_user(request.user, conversation_id)
    checked = from_uploads(files)
    message = chat.send_message(conv, acting_user=request.user, body=form.body, files=checked)
    return Status(201, present(message, request.user))


class ReadIn(Schema):
    up_to: int | None = Field(None, ge=0, le=2**63 - 1)


class ReadOut(Schema):
    marked: int
    unread: int


@router.post(
    "/office/conversations/{conversation_id}/read", response=ReadOut, summary="Mark as read"
)
def message_read(request: AuthenticatedRequest, conversation_id: int, payload: ReadIn):
    conv = chat.get_conversation_for_user(request.user, conversation_id)
    marked = chat.mark_read(conv, acting_user=request.user, up_to=payload.up_to)
    return ReadOut(marked=marked, unread=chat.unread_total(request.user))
