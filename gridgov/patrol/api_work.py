"""API of tasks, visits and the work diary (the desk's lists and the phone's writes).

Writes the phone replays from its offline outbox carry a client-generated key (`client_key`):
the same key again answers 200 with the first result instead of 201 and a second row."""

import datetime
import uuid
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.cases.models import Case
from gridgov.mobile import attachments
from gridgov.patrol.filters_work import DiaryFilter, TaskFilter
from gridgov.patrol.models import DiaryEntry, FieldVisit, Task
from gridgov.patrol.phone_todo import todo_items
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.registry.models import Person, Place

router = Router(tags=["patrol"])


class TaskOut(Schema):
    id: int
    kind: str
    title: str
    description: str
    area_code: str
    assignee_id: int
    assignee_name: str
    due: datetime.datetime
    status: str
    overdue: bool
    on_time: bool
    person_id: int | None
    completed_at: datetime.datetime | None
    note: str
    lon: float | None
    lat: float | None

    @staticmethod
    def resolve_assignee_name(obj: Task) -> str:
        return obj.assignee.display_name


class TaskQuery(Schema):
    area: str = Field("", max_length=20)
    status: Literal["", "open", "done", "cancelled", "overdue"] = ""
    kind: Literal["", "patrol", "visit", "check", "collect"] = ""
    q: str = Field("", max_length=50)
    limit: int = Field(100, ge=1, le=500)


class TaskIn(BaseModel):
    kind: Literal["patrol", "visit", "check", "collect"]
    title: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=5000)
    due: datetime.datetime
    member_ids: list[int] = Field(default_factory=list, max_length=500)
    area_code: str = Field("", max_length=20)
    person_id: int | None = None


class TaskListOut(Schema):
    items: list[TaskOut]


class StatsOut(Schema):
    total: int
    open: int
    overdue: int
    done: int
    done_on_time: int


@router.get(
    "/patrol/tasks",
    response=TaskListOut,
    summary="Tasks in my scope",
)
def list_tasks(request: AuthenticatedRequest, filters: Query[TaskQuery]):
    rows = TaskFilter(request.GET, request.user).rows()
    return {"items": list(rows[: filters.limit])}


@router.get(
    "/patrol/tasks/stats",
    response=StatsOut,
    summary="Task statistics of my scope",
)
def task_stats(request: AuthenticatedRequest):
    return services.task_statistics(restrict(Task.objects.all(), request.user, Action.VIEW))


@router.get(
    "/patrol/tasks/mine",
    response=TaskListOut,
    summary="My open tasks",
)
def my_tasks(request: AuthenticatedRequest):
    rows = restrict(
        Task.objects.filter(assignee=request.user, status="open"), request.user, Action.VIEW
    ).select_related("assignee")
    return {"items": list(rows.order_by("due", "id")[:200])}


@router.post("/patrol/tasks", response={201: TaskListOut}, summary="Assign a task")
def assign_task(request: AuthenticatedRequest, payload: TaskIn):
    if not user_may(request.user, Action.ASSIGN_TASKS):
        raise PermissionDenied
    due = payload.due if timezone.is_aware(payload.due) else timezone.make_aware(payload.due)
    try:
        try:
            day = timezone.localdate(due)
        except OverflowError:  # year 1 or 9999 in a far time zone: out of range anyway
            day = datetime.date.min
        services.check_due_day(day)
    except ValidationError as error:
        raise ValidationError({"due": error.messages}) from error
    person = None
    if payload.person_id is not None:
        person = get_for_user(Person.objects.all(), request.user, Action.VIEW, pk=payload.person_id)
    data = services.TaskInput(
        kind=payload.kind,
        title=payload.title,
        due=payload.due,
        description=payload.description,
        person=person,
    )
    if payload.area_code:
        made = services.assign_to_area(request.user, data, payload.area_code)
    else:
        members = list(
            restrict(
                User.objects.filter(pk__in=payload.member_ids), request.user, Action.ASSIGN_TASKS
            ).order_by("pk")
        )
        if len(members) != len(set(payload.member_ids)):
            raise PermissionDenied
        made = services.assign_task(request.user, data, members)
    return Status(201, {"items": made})


@router.get("/patrol/tasks/{task_id}", response=TaskOut, summary="One task")
def get_task(request: AuthenticatedRequest, task_id: int):
    return get_for_user(Task.objects.select_related("assignee"), request.user, pk=task_id)


@router.post(
    "/patrol/tasks/{task_id}/complete",
    response={200: TaskOut, 201: TaskOut},
    summary="Complete my task (note, photo, position; replayable by client_key)",
)
def complete_task(
    request: AuthenticatedRequest,
    task_id: int,
    note: str = Form("", max_length=5000),
    lon: float | None = Form(None),
    lat: float | None = Form(None),
    client_key: str = Form("", max_length=64),
    photo: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
):
    task = get_for_user(Task.objects.select_related("assignee"), request.user, pk=task_id)
    done, created = services.complete_task(
        task,
        actor=request.user,
        note=note,
        lon=lon,
        lat=lat,
        photo=photo,
        completion_key=client_key or None,
    )
    return Status(201 if created else 200, done)


class VisitIn(BaseModel):
    person_id: int
    note: str = Field("", max_length=5000)
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)
    accuracy: float | None = Field(None, ge=0, le=100000)
    client_key: str = Field("", max_length=64)


class VisitOut(Schema):
    id: int
    visit_id: int
    person_id: int
    area_code: str
    distance_m: float | None
    far: bool
    task_id: int | None

    @staticmethod
    def resolve_person_id(obj) -> int:
        return obj.visit.person_id


@router.post(
    "/patrol/visits",
    response={200: VisitOut, 201: VisitOut},
    summary="Record a visit with its position (replayable by client_key)",
)
def record_visit(request: AuthenticatedRequest, payload: VisitIn):
    person = get_for_user(Person.objects.all(), request.user, Action.CHANGE, pk=payload.person_id)
    evidence, created = services.record_field_visit(
        person,
        actor=request.user,
        note=payload.note,
        lon=payload.lon,
        lat=payload.lat,
        accuracy=payload.accuracy,
        client_key=payload.client_key or None,
    )
    return Status(201 if created else 200, evidence)


class VisitVoiceOut(Schema):
    id: int
    voice_type: str
    url: str


@router.post(
    "/patrol/visits/{evidence_id}/voice",
    response={201: VisitVoiceOut},
    summary="Add a voice note to a visit (WebM, Ogg, MP4 or WAV; file or resumable upload)",
)
def add_visit_voice(
    request: AuthenticatedRequest,
    evidence_id: int,
    file: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
    upload: uuid.UUID | None = Form(None),  # noqa: B008
):
    """The recording as the multipart `file`, or as `upload`: the id of a finished resumable
    upload of the caller's (PUT /api/v1/uploads/{id}). `evidence_id` is the `id` the visit's
    POST answered. Only the member who made the visit adds its note."""
    evidence = get_for_user(
        FieldVisit.objects.select_related("visit"), request.user, Action.CHANGE, pk=evidence_id
    )
    data = attachments.attached_bytes(request.user, file, upload, settings.GRIDGOV_MAX_VOICE_BYTES)
    done = services.add_visit_voice(evidence, actor=request.user, data=data)
    attachments.forget(request.user, upload)
    url = reverse("patrol:work_visit_voice", args=[done.pk])
    return Status(201, VisitVoiceOut(id=done.pk, voice_type=done.voice_type, url=url))


class DiaryOut(Schema):
    id: int
    author_id: int
    author_name: str
    area_code: str
    day: datetime.date
    text: str
    tags: list[str]
    person_id: int | None
    place_id: int | None
    case_id: int | None
    rating: int | None
    review_note: str
    reviewed_at: datetime.datetime | None
    made_case_id: int | None

    @staticmethod
    def resolve_author_name(obj: DiaryEntry) -> str:
        return obj.author.display_name

    @staticmethod
    def resolve_tags(obj: DiaryEntry) -> list[str]:
        return obj.tag_list


class DiaryQuery(Schema):
    area: str = Field("", max_length=20)
    tag: Literal["", "minqing", "minyi", "dispute", "hazard", "service"] = ""
    reviewed: Literal["", "yes", "no"] = ""
    limit: int = Field(100, ge=1, le=500)


class DiaryListOut(Schema):
    items: list[DiaryOut]


@router.get(
    "/patrol/diary",
    response=DiaryListOut,
    summary="Diary entries I review or wrote",
)
def list_diary(request: AuthenticatedRequest, filters: Query[DiaryQuery]):
    rows = DiaryFilter(request.GET, request.user).rows()
    return {"items": list(rows[: filters.limit])}


@router.post(
    "/patrol/diary",
    response={200: DiaryOut, 201: DiaryOut},
    summary="Write a diary entry (replayable by client_key)",
)
def write_diary(
    request: AuthenticatedRequest,
    text: str = Form(..., max_length=5000),
    tags: str = Form("", max_length=60),
    day: datetime.date | None = Form(None),  # noqa: B008
    person_id: int | None = Form(None),
    place_id: int | None = Form(None),
    case_id: int | None = Form(None),
    lon: float | None = Form(None, ge=-180, le=180),
    lat: float | None = Form(None, ge=-90, le=90),
    client_key: str = Form("", max_length=64),
    photo: UploadedFile | None = File(None),  # noqa: B008 (django-ninja declares it so)
    voice: UploadedFile | None = File(None),  # noqa: B008
):
    user = request.user
    data = diary_services.DiaryInput(
        text=text,
        tags=[t.strip() for t in tags.split(",") if t.strip()],
        day=day,
        person=_linked(Person, person_id, user),
        place=_linked(Place, place_id, user),
        case=_linked(Case, case_id, user),
        lon=lon,
        lat=lat,
    )
    entry, created = diary_services.write_diary(
        actor=user, data=data, photo=photo, voice=voice, client_key=client_key or None
    )
    return Status(201 if created else 200, entry)


def _linked(model, pk: int | None, user):
    if pk is None:
        return None
    return get_for_user(model.objects.all(), user, Action.VIEW, pk=pk)


class ReviewIn(BaseModel):
    rating: int = Field(..., ge=1, le=5)
    note: str = Field("", max_length=2000)


def _entry(request: AuthenticatedRequest, entry_id: int) -> DiaryEntry:
    return get_for_user(
        DiaryFilter({}, request.user).base().select_related("author"), request.user, pk=entry_id
    )


@router.post("/patrol/diary/{entry_id}/review", response=DiaryOut, summary="Review an entry")
def review_diary(request: AuthenticatedRequest, entry_id: int, payload: ReviewIn):
    entry = _entry(request, entry_id)
    return diary_services.review_diary(
        entry, actor=request.user, rating=payload.rating, note=payload.note
    )


class MadeCaseOut(Schema):
    case_id: int
    title: str
    created: bool


@router.post(
    "/patrol/diary/{entry_id}/case",
    response={200: MadeCaseOut, 201: MadeCaseOut},
    summary="Turn an entry into a case (once)",
)
def diary_to_case(request: AuthenticatedRequest, entry_id: int):
    entry = _entry(request, entry_id)
    case, created = diary_services.diary_to_case(entry, actor=request.user)
    body = {"case_id": case.pk, "title": case.title, "created": created}
    return Status(201 if created else 200, body)


class TodoOut(Schema):
    kind: str
    title: str
    url: str
    due: datetime.datetime
    area_name: str


@router.get(
    "/patrol/todo",
    response=list[TodoOut],
    summary="My tasks and visits due",
)
def my_todo(request: AuthenticatedRequest):
    return todo_items(request.user)
