"""Due special-population visits become the responsible member's field tasks (the field part's
visits), once while open; recording the visit on its form completes the task, and the phone's
to-do shows the visit once, linked to that form."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from gridgov.lines.phone_todo import todo_items as lines_todo
from gridgov.lines.services import populations
from gridgov.lines.tests import populations_world as pw
from gridgov.patrol.models import Task, TaskStatus
from gridgov.patrol.phone_todo import todo_items as patrol_todo
from gridgov.patrol.services import work

TZ = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
DUE = datetime.date(2026, 12, 2)  # record A: mental disorder, risk 1, monthly


@pytest.fixture
def world(tree, users):
    with time_machine.travel(START, tick=False):
        yield pw.build(users)


def tasks_of(record) -> list[Task]:
    return list(Task.objects.filter(special_record=record))


def test_a_visit_due_within_the_lead_days_becomes_one_task_of_the_responsible_member(world, users):
    record = world["record_a"]
    assert record.next_visit_due == DUE
    with time_machine.travel(START + datetime.timedelta(days=26), tick=False):  # 4 days ahead
        populations.create_visit_tasks()
        assert not tasks_of(record)
    with time_machine.travel(START + datetime.timedelta(days=27), tick=False):  # 3 days ahead
        populations.create_visit_tasks()
        populations.create_visit_tasks()  # the next day's run makes no second one
        # the key-population tag behind the record is not visited on a second schedule
        work.create_due_visits()
    (task,) = Task.objects.filter(person=world["person_a"], status=TaskStatus.OPEN)
    assert task.special_record == record
    assert task.assignee == users["member_a"] and task.status == TaskStatus.OPEN
    assert task.person == world["person_a"] and task.area_code == record.area_code
    assert task.due.astimezone(TZ).date() == DUE
    # the title names the person masked (as the to-do list does), never the category (health,
    # criminal records): task lists, reminders and exports carry it
    assert record.category.name not in task.title
    name = world["person_a"].name
    assert name not in task.title and task.title.endswith(name[0] + "*" * (len(name) - 1))
    # B's record (lost contact, its own member) has its own task, A's member never gets it
    (task_b,) = tasks_of(world["record_b"])
    assert task_b.assignee == users["pop_member_b"]


def test_recording_the_visit_on_its_form_completes_the_task_and_the_todo_shows_it_once(
    world, users, client_for
):
    record = world["record_a"]
    member = users["member_a"]
    with time_machine.travel(START + datetime.timedelta(days=27), tick=False):
        populations.create_visit_tasks()
        (task,) = tasks_of(record)
        # the phone's to-do: the task, linked to the visit form; not also the due record
        items = patrol_todo(member) + lines_todo(member)
        visit_form = reverse("lines:phone_visit", args=[record.pk])
        assert [i["url"] for i in items] == [visit_form]
        # the generic completion is refused: the visit belongs on its own form
        with pytest.raises(ValidationError):
            work.complete_task(task, actor=member, note="去过了")
        # so is completing it by a household visit to the same person from the field app
        work.record_field_visit(world["person_a"], actor=member, note="顺路看看")
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN
        page = client_for(member).get(f"/patrol/phone/tasks/{task.pk}/")
        assert page.status_code == 200 and visit_form in page.content.decode()
        # a visit that did not find the person leaves the task open
        answer = client_for(member).post(visit_form, {"met": "", "note": "不在家"})
        assert answer.status_code == 302
        task.refresh_from_db()
        assert task.status == TaskStatus.OPEN
        answer = client_for(member).post(visit_form, {"met": "on", "note": "服药规律"})
        assert answer.status_code == 302
    task.refresh_from_db()
    record.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None
    assert record.next_visit_due > DUE
    assert patrol_todo(member) == [] and lines_todo(member) == []


def test_a_closed_record_or_an_inactive_member_gets_no_task(world, users):
    record = world["record_a"]
    users["member_a"].is_active = False
    users["member_a"].save(update_fields=["is_active"])
    with time_machine.travel(START + datetime.timedelta(days=27), tick=False):
        populations.create_visit_tasks()
    assert tasks_of(record) == []
    assert tasks_of(world["record_b"])  # the live case: B's member is active
