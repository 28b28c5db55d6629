"""Tasks, visits and the diary through the services and the API."""

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases.models import Case, Channel
from gridgov.cases.tests.conftest import jpeg, webm
from gridgov.patrol.models import DiaryEntry, FieldVisit, Task, TaskStatus
from gridgov.patrol.phone_todo import todo_items
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.patrol.tests.work_fixtures import homes, in_days, staff  # noqa: F401 (fixtures)
from gridgov.registry.models import Visit
from gridgov.registry.tests.conftest import POINT_A

pytestmark = pytest.mark.django_db


def _task(staff, member, days=2.0, kind="check", **extra):  # noqa: F811
    data = services.TaskInput(kind=kind, title="核查井盖", due=in_days(days), **extra)
    return services.assign_task(staff, data, [member])[0]


def test_assign_complete_done_on_desk(users, staff, client_for):  # noqa: F811
    member = users["member_a"]
    task = _task(staff, member)
    assert task.area_code == "41010500100101" and task.status == TaskStatus.OPEN
    assert [i["title"] for i in todo_items(member)] == ["核查井盖"]
    done, created = services.complete_task(
        task,
        actor=member,
        note="已修复",
        lon=POINT_A[0],
        lat=POINT_A[1],
        completion_key="k-12345678",
    )
    assert created and done.status == TaskStatus.DONE and done.on_time
    again, created = services.complete_task(task, actor=member, completion_key="k-12345678")
    assert not created and again.pk == task.pk
    page = client_for(staff).get("/patrol/tasks/?status=done")
    assert f'data-id="{task.pk}"' in page.content.decode()
    stats = json.loads(client_for(staff).get("/api/v1/patrol/tasks/stats").content)
    assert stats["done"] == 1 and stats["done_on_time"] == 1


def test_only_the_assignee_completes(users, staff):  # noqa: F811
    task = _task(staff, users["member_a"])
    with pytest.raises(PermissionDenied):
        services.complete_task(task, actor=staff, note="x")


def test_assign_outside_scope_refused(users, staff):  # noqa: F811
    with pytest.raises(PermissionDenied):
        services.assign_task(
            users["op_b"],
            services.TaskInput(kind="check", title="x", due=in_days(1)),
            [users["member_a"]],
        )
    with pytest.raises(PermissionDenied):  # a grid member does not assign
        services.assign_task(
            users["member_a"],
            services.TaskInput(kind="check", title="x", due=in_days(1)),
            [users["member_a"]],
        )


def test_assign_to_every_member_of_an_area(users, staff):  # noqa: F811
    made = services.assign_to_area(
        staff, services.TaskInput(kind="patrol", title="巡查广场", due=in_days(1)), "410105001001"
    )
    assert [t.assignee for t in made] == [users["member_a"]]


def test_overdue_shows_for_the_assigner(users, staff, client_for):  # noqa: F811
    task = _task(staff, users["member_a"], days=-1)
    assert task.overdue
    client = client_for(staff)
    page = client.get("/patrol/tasks/?status=overdue").content.decode()
    assert f'data-id="{task.pk}"' in page
    api = json.loads(client.get("/api/v1/patrol/tasks?status=overdue").content)
    assert [t["id"] for t in api["items"]] == [task.pk] and api["items"][0]["overdue"]


def test_api_assign_and_complete_replay(users, staff, client_for):  # noqa: F811
    desk = client_for(staff)
    answer = desk.post(
        "/api/v1/patrol/tasks",
        json.dumps(
            {
                "kind": "collect",
                "title": "核实住户",
                "due": in_days(3).isoformat(),
                "member_ids": [users["member_a"].pk],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    task_id = json.loads(answer.content)["items"][0]["id"]
    phone = client_for(users["member_a"])
    form = {"note": "done", "client_key": "0f8e2d1c-aaaa-4bbb-8ccc-123456789abc"}
    first = phone.post(f"/api/v1/patrol/tasks/{task_id}/complete", form)
    second = phone.post(f"/api/v1/patrol/tasks/{task_id}/complete", form)
    assert (first.status_code, second.status_code) == (201, 200)
    assert Task.objects.get(pk=task_id).status == TaskStatus.DONE


def test_far_visit_is_flagged_and_closes_the_visit_task(users, staff, homes):  # noqa: F811
    member = users["member_a"]
    person = homes["person_a"]
    task = _task(staff, member, kind="visit", person=person)
    near, created = services.record_field_visit(
        person,
        actor=member,
        note="在家",
        lon=POINT_A[0] + 0.0005,
        lat=POINT_A[1],
        client_key="visit-0001",
    )
    assert created and not near.far and 40 < near.distance_m < 50
    assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE and near.task_id == task.pk
    far, _ = services.record_field_visit(
        person, actor=member, lon=POINT_A[0] + 0.01, lat=POINT_A[1], client_key="visit-0002"
    )
    assert far.far and far.distance_m > 800
    replay, created = services.record_field_visit(
        person, actor=member, lon=POINT_A[0] + 0.01, lat=POINT_A[1], client_key="visit-0002"
    )
    assert not created and replay.pk == far.pk
    assert Visit.objects.filter(person=person).count() == 2 == FieldVisit.objects.count()


def test_visit_api(users, homes, client_for):  # noqa: F811
    phone = client_for(users["member_a"])
    body = {
        "person_id": homes["person_a"].pk,
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "client_key": "abcdefgh-1",
    }
    first = phone.post("/api/v1/patrol/visits", json.dumps(body), content_type="application/json")
    again = phone.post("/api/v1/patrol/visits", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert json.loads(first.content)["far"] is False
    body["person_id"] = homes["person_b"].pk
    body["client_key"] = "abcdefgh-2"
    outside = phone.post("/api/v1/patrol/visits", json.dumps(body), content_type="application/json")
    assert outside.status_code == 404


def test_diary_review_and_case(users, staff, client_for):  # noqa: F811
    member = users["member_a"]
    data = diary_services.DiaryInput(
        text="经八路井盖松动，居民反映夜间有安全隐患",
        tags=["hazard", "minyi"],
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    entry, created = diary_services.write_diary(actor=member, data=data, client_key="diary-0001")
    again, created2 = diary_services.write_diary(actor=member, data=data, client_key="diary-0001")
    assert created and not created2 and again.pk == entry.pk
    with pytest.raises(PermissionDenied):
        diary_services.review_diary(entry, actor=member, rating=5)
    with pytest.raises(ValidationError):
        diary_services.review_diary(entry, actor=staff, rating=9)
    diary_services.review_diary(entry, actor=staff, rating=4, note="记录清楚")
    case, made = diary_services.diary_to_case(entry, actor=member)
    case2, made2 = diary_services.diary_to_case(DiaryEntry.objects.get(pk=entry.pk), actor=member)
    assert made and not made2 and case.pk == case2.pk
    assert case.channel == Channel.GRID_MEMBER and case.area_code == "41010500100101"
    assert Case.objects.count() == 1
    listed = json.loads(client_for(staff).get("/api/v1/patrol/diary?reviewed=yes").content)
    assert [e["id"] for e in listed["items"]] == [entry.pk] and listed["items"][0]["rating"] == 4
    assert json.loads(client_for(users["op_b"]).get("/api/v1/patrol/diary").content)["items"] == []


def test_diary_unknown_tag_refused(users):
    with pytest.raises(ValidationError):
        diary_services.write_diary(
            actor=users["member_a"], data=diary_services.DiaryInput(text="x", tags=["bad"])
        )


def test_a_diary_entry_keeps_a_voice_note_the_desk_plays_and_its_case_takes_along(
    users,
    staff,  # noqa: F811
    client_for,
):
    phone = client_for(users["member_a"])
    answer = phone.post(
        "/api/v1/patrol/diary",
        {
            "text": "楼道堆放杂物，居民口述情况见录音",
            "tags": "hazard",
            "client_key": "diary-voice-1",
            "voice": SimpleUploadedFile("voice.webm", webm()),
        },
    )
    assert answer.status_code == 201, answer.content
    entry = DiaryEntry.objects.get(pk=json.loads(answer.content)["id"])
    assert entry.voice_type == "audio/webm"
    refused = phone.post(
        "/api/v1/patrol/diary",
        {"text": "x", "voice": SimpleUploadedFile("voice.webm", b"not audio at all" * 10)},
    )
    assert refused.status_code == 400 and DiaryEntry.objects.count() == 1

    desk = client_for(staff)
    page = desk.get("/patrol/diary/").content.decode()
    url = f"/patrol/diary/{entry.pk}/media/voice/"
    assert f'src="{url}"' in page
    played = desk.get(url)
    assert played["Content-Type"] == "audio/webm" and b"".join(played.streaming_content) == webm()
    assert client_for(users["op_b"]).get(url).status_code == 404
    assert desk.get(f"/patrol/diary/{entry.pk}/media/photo/").status_code == 404  # none was sent

    case, _ = diary_services.diary_to_case(entry, actor=users["member_a"])
    assert case.voice_notes.get().content_type == "audio/webm"


def test_the_api_keeps_the_photos_of_a_diary_entry_and_a_completed_task(
    users,
    staff,  # noqa: F811
    client_for,
):
    phone = client_for(users["member_a"])
    answer = phone.post(
        "/api/v1/patrol/diary",
        {"text": "巡查记录", "photo": SimpleUploadedFile("p.jpg", jpeg())},
    )
    assert answer.status_code == 201
    assert DiaryEntry.objects.get(pk=json.loads(answer.content)["id"]).photo
    task = _task(staff, users["member_a"])
    done = phone.post(
        f"/api/v1/patrol/tasks/{task.pk}/complete",
        {"note": "已核查", "photo": SimpleUploadedFile("p.jpg", jpeg())},
    )
    assert done.status_code == 201 and Task.objects.get(pk=task.pk).photo


def test_the_phone_says_the_task_is_done_once(users, staff, client_for):  # noqa: F811
    """A phone form that redirects leaves its message on the phone page it lands on (the phone
    base shows messages), not on the next desk page."""
    task = _task(staff, users["member_a"])
    phone = client_for(users["member_a"])
    done = phone.post(
        f"/patrol/phone/tasks/{task.pk}/", {"note": "已修复", "client_key": "k-87654321"}
    )
    assert done.status_code == 302
    landed = phone.get(done["Location"]).content.decode()
    shown = re.findall(r'<p class="m-card m-message" role="status">([^<]*)</p>', landed)
    assert shown == ["任务已完成。"] or shown == ["Task done."], shown
    again = phone.get(done["Location"]).content.decode()
    assert 'role="status">' not in again


@pytest.mark.parametrize(
    "due",
    [
        "9999-12-31T18:00:00+08:00",
        "9999-12-31T23:00:00-12:00",
        "0001-01-01T09:00:00+08:00",
        "0001-01-01T01:00:00+14:00",
        "2020-01-01T09:00:00+08:00",
        "2099-01-01T09:00:00",
    ],
)
def test_api_refuses_a_due_day_outside_today_to_a_year_ahead(users, staff, client_for, due):  # noqa: F811
    """The same bound as the desk form: the rule lives in the service, so the API keeps it too."""
    answer = client_for(staff).post(
        "/api/v1/patrol/tasks",
        json.dumps(
            {"kind": "check", "title": "核查", "due": due, "member_ids": [users["member_a"].pk]}
        ),
        content_type="application/json",
    )
    assert answer.status_code == 400, answer.content
    assert "due" in json.loads(answer.content)["details"]
    assert not Task.objects.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2020-05-01"])
def test_api_refuses_a_diary_day_outside_a_year_back_to_today(users, client_for, day):
    answer = client_for(users["member_a"]).post(
        "/api/v1/patrol/diary", {"text": "巡查小区北门", "day": day}
    )
    assert answer.status_code == 400, answer.content
    assert "day" in json.loads(answer.content)["details"]
    assert not DiaryEntry.objects.exists()
