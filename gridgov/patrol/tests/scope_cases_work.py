"""Tasks, visits and the diary in the scope matrix: street A's operator never sees street B's
tasks or diary entries, and cannot assign, complete, review or turn them into cases."""

import datetime
import io

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.cases.tests.conftest import webm
from gridgov.conftest import make_user
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.registry.models import Person
from gridgov.tests.scope import Case

TASK_B = "乙街道核查任务"
DIARY_B = "乙街道民情日记内容"
PERSON_B = "乙街道走访对象"


def setup(world) -> None:
    grid_b = Area.objects.filter(code__startswith="410105002", level="grid").order_by("code")[0]
    member_b = make_user("work_member_b", Role.GRID_MEMBER, [grid_b.code])
    assign_staff(member_b, grid_b, ForceType.GRID_MEMBER, actor=system_user(SETUP))
    world.users["work_member_b"] = member_b
    due = timezone.now() + datetime.timedelta(days=2)
    world.objects["task_b"] = services.assign_task(
        world.users["op_b"], services.TaskInput(kind="check", title=TASK_B, due=due), [member_b]
    )[0]
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(photo, "JPEG")
    world.objects["task_b"].photo.save("b.jpg", ContentFile(photo.getvalue()), save=True)
    world.objects["diary_b"] = diary_services.write_diary(
        actor=member_b,
        data=diary_services.DiaryInput(text=DIARY_B, tags=["minqing"]),
        voice=SimpleUploadedFile("v.webm", webm()),
    )[0]
    world.objects["visited_person_b"] = Person.objects.create(name=PERSON_B, area_code=grid_b.code)
    voiced_b = Person.objects.create(name="乙街道录音走访对象", area_code=grid_b.code)
    world.objects["voiced_visit_b"] = services.record_field_visit(
        voiced_b, actor=member_b, voice=SimpleUploadedFile("v.webm", webm())
    )[0]
    world.objects["silent_visit_b"] = services.record_field_visit(voiced_b, actor=member_b)[0]


def _t(world) -> int:
    return world.objects["task_b"].pk


def _d(world) -> int:
    return world.objects["diary_b"].pk


def _task(world) -> list[str]:
    return [TASK_B]


def _diary(world) -> list[str]:
    return [DIARY_B]


def _assign_form(world) -> dict:
    return {
        "kind": "check",
        "title": "新任务",
        "due": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),  # form: ≤ a year
        "members": [world.users["work_member_b"].pk],
    }


def _assign_json(world) -> dict:
    return {
        "kind": "check",
        "title": "新任务",
        "due": "2026-12-31T17:00:00+08:00",
        "member_ids": [world.users["work_member_b"].pk],
    }


def _stats_leak(world, answer) -> list:
    return [answer["total"]] if answer.get("total") else []


OWN = "writes one's own entry in one's own area: nothing of street B in it"
CASES = [
    Case("patrol/tasks/", lambda w: "/patrol/tasks/", expect=200, absent=_task),
    Case("patrol/tasks/", lambda w: "/patrol/tasks/?area=410105002", expect=200, absent=_task),
    Case(
        "patrol/tasks/new/",
        lambda w: "/patrol/tasks/new/",
        expect=200,
        absent=lambda w: ["work_member_b"],
    ),
    Case(
        "patrol/tasks/new/",
        lambda w: "/patrol/tasks/new/",
        "POST",
        _assign_form,
        expect=400,
        multipart=True,
        live_expect=302,
    ),
    Case("patrol/tasks/<int:pk>/", lambda w: f"/patrol/tasks/{_t(w)}/", absent=_task),
    Case("patrol/tasks/<int:pk>/photo/", lambda w: f"/patrol/tasks/{_t(w)}/photo/"),
    Case("patrol/diary/", lambda w: "/patrol/diary/", expect=200, absent=_diary),
    Case(
        "patrol/diary/<int:pk>/media/<str:what>/", lambda w: f"/patrol/diary/{_d(w)}/media/voice/"
    ),
    Case(
        "patrol/diary/<int:pk>/review/",
        lambda w: f"/patrol/diary/{_d(w)}/review/",
        "POST",
        lambda w: {"rating": "4", "note": "好"},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "patrol/diary/<int:pk>/case/",
        lambda w: f"/patrol/diary/{_d(w)}/case/",
        "POST",
        lambda w: {},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "patrol/phone/tasks/",
        lambda w: "/patrol/phone/tasks/",
        expect=200,
        absent=_task,
        live_as="work_member_b",
    ),
    Case(
        "patrol/phone/tasks/<int:pk>/",
        lambda w: f"/patrol/phone/tasks/{_t(w)}/",
        absent=_task,
        live_as="work_member_b",
    ),
    Case(
        "patrol/phone/tasks/<int:pk>/",
        lambda w: f"/patrol/phone/tasks/{_t(w)}/",
        "POST",
        lambda w: {"note": "完成", "client_key": "scope-case-1"},
        multipart=True,
        live_as="work_member_b",
        live_expect=302,
    ),
    Case(
        "patrol/phone/diary/",
        lambda w: "/patrol/phone/diary/",
        expect=200,
        absent=_diary,
        live_as="work_member_b",
    ),
    Case(
        "patrol/phone/diary/",
        lambda w: "/patrol/phone/diary/",
        "POST",
        lambda w: {"text": "甲街道日记", "tags": ["service"]},
        expect=302,
        multipart=True,
        not_live=OWN,
    ),
    Case("api/v1/patrol/tasks", lambda w: "/api/v1/patrol/tasks", expect=200, absent=_task),
    Case(
        "api/v1/patrol/tasks",
        lambda w: "/api/v1/patrol/tasks",
        "POST",
        _assign_json,
        expect=403,
        live_expect=201,
    ),
    Case(
        "api/v1/patrol/tasks/stats",
        lambda w: "/api/v1/patrol/tasks/stats",
        expect=200,
        leaks=_stats_leak,
    ),
    Case(
        "api/v1/patrol/tasks/mine",
        lambda w: "/api/v1/patrol/tasks/mine",
        expect=200,
        absent=_task,
        live_as="work_member_b",
    ),
    Case("api/v1/patrol/tasks/<task_id>", lambda w: f"/api/v1/patrol/tasks/{_t(w)}", absent=_task),
    Case(
        "api/v1/patrol/tasks/<task_id>/complete",
        lambda w: f"/api/v1/patrol/tasks/{_t(w)}/complete",
        "POST",
        lambda w: {"note": "完成", "client_key": "scope-case-2"},
        multipart=True,
        live_as="work_member_b",
        live_expect=201,
    ),
    Case(
        "api/v1/patrol/visits",
        lambda w: "/api/v1/patrol/visits",
        "POST",
        lambda w: {"person_id": w.objects["visited_person_b"].pk, "note": "x"},
        live_expect=201,
    ),
    Case("api/v1/patrol/diary", lambda w: "/api/v1/patrol/diary", expect=200, absent=_diary),
    Case(
        "api/v1/patrol/diary",
        lambda w: "/api/v1/patrol/diary",
        "POST",
        lambda w: {"text": "甲街道日记", "tags": "service"},
        expect=201,
        multipart=True,
        not_live=OWN,
    ),
    Case(
        "api/v1/patrol/diary/<entry_id>/review",
        lambda w: f"/api/v1/patrol/diary/{_d(w)}/review",
        "POST",
        lambda w: {"rating": 3},
        live_expect=200,
    ),
    Case(
        "api/v1/patrol/diary/<entry_id>/case",
        lambda w: f"/api/v1/patrol/diary/{_d(w)}/case",
        "POST",
        live_expect=201,
    ),
    Case(
        "api/v1/patrol/todo",
        lambda w: "/api/v1/patrol/todo",
        expect=200,
        absent=_task,
        live_as="work_member_b",
    ),
    # A visit's voice note: played on the desk within scope, added by the visit's member only.
    Case(
        "patrol/visits/<int:pk>/voice/",
        lambda w: f"/patrol/visits/{w.objects['voiced_visit_b'].pk}/voice/",
        live_as="op_b",
    ),
    Case(
        "api/v1/patrol/visits/<evidence_id>/voice",
        lambda w: f"/api/v1/patrol/visits/{w.objects['silent_visit_b'].pk}/voice",
        "POST",
        lambda w: {"file": SimpleUploadedFile("v.webm", webm())},
        multipart=True,
        live_as="work_member_b",
        live_expect=201,
    ),
]
