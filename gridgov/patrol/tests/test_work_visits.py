"""The visit-interval job: due visits of key populations become tasks, overdue ones are reminded
once, a visit from the phone closes the task and moves the next one by the category's interval
(the settings table overrides the documented default)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gridgov.jobs.registry import function_for
from gridgov.notify.models import Message
from gridgov.patrol.models import DEFAULT_VISIT_DAYS, Task, TaskKind, TaskStatus
from gridgov.patrol.services import work as services
from gridgov.patrol.tests.work_fixtures import homes, staff  # noqa: F401 (fixtures)
from gridgov.registry import services as registry
from gridgov.registry.tests.conftest import POINT_A

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime.datetime(2026, 12, 1, 10, 0, tzinfo=TZ)


def _at(days: float):
    return time_machine.travel(T0 + datetime.timedelta(days=days), tick=False)


def _visit_tasks():
    return Task.objects.filter(kind=TaskKind.VISIT).order_by("pk")


def test_due_visits_become_tasks_and_overdue_ones_are_reminded(users, staff, homes):  # noqa: F811
    member = users["member_a"]
    person = homes["person_a"]
    with _at(0):
        registry.tag_key_population(person, actor=users["admin"], category="elderly_alone")
        assert function_for("patrol.create_due_visits")(None) == {"created": 1, "reminded": 0}
        task = _visit_tasks().get()
        assert task.assignee == member and task.person == person
        assert task.due.astimezone(TZ) == datetime.datetime(2026, 12, 1, 23, 59, 59, tzinfo=TZ)
        assert services.create_due_visits() == {"created": 0, "reminded": 0}
    with _at(1):  # overdue since last midnight: the member and the community are told once
        assert services.create_due_visits() == {"created": 0, "reminded": 1}
        assert services.create_due_visits() == {"created": 0, "reminded": 0}
        told = Message.objects.filter(title__contains=task.title)
        assert set(told.values_list("user__username", flat=True)) == {"member_a", "comm_a"}
        assert not told.filter(title__contains=person.name).exists()  # masked, as the task
    with _at(1.1):
        services.record_field_visit(person, actor=member, lon=POINT_A[0], lat=POINT_A[1])
        assert Task.objects.get(pk=task.pk).status == TaskStatus.DONE
    days = DEFAULT_VISIT_DAYS["elderly_alone"]
    with _at(1.1 + days - services.VISIT_LEAD_DAYS - 1):  # not yet within the lead time
        assert services.create_due_visits()["created"] == 0
    with _at(1.1 + days - services.VISIT_LEAD_DAYS):
        assert services.create_due_visits()["created"] == 1
        nxt = _visit_tasks().last()
        assert nxt.due.astimezone(TZ).date() == datetime.date(2026, 12, 2) + datetime.timedelta(
            days
        )


def test_the_settings_table_overrides_the_default(users, homes):  # noqa: F811
    person = homes["person_a"]
    with _at(0):
        registry.tag_key_population(person, actor=users["admin"], category="elderly_alone")
        services.record_field_visit(person, actor=users["member_a"])
        services.set_visit_interval(actor=users["admin"], category="elderly_alone", days=30)
    with _at(10):
        assert services.create_due_visits()["created"] == 0
    with _at(27):
        assert services.create_due_visits()["created"] == 1
