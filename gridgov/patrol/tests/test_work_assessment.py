"""Field work in the staff tallies: tasks and due visits done on time (results), diary entries
by their reviewed rating (never by number); the grid members' scheme weighs them as data."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from gridgov.assessment.indicators import INDICATORS, shown_value
from gridgov.assessment.models import Scheme, Tally
from gridgov.assessment.rollup import rebuild_tallies
from gridgov.assessment.scoring import score_items
from gridgov.patrol.models import Task
from gridgov.patrol.services import diary as diary_services
from gridgov.patrol.services import work as services
from gridgov.patrol.tests.work_fixtures import staff  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db
TZ = timezone.get_default_timezone()


def test_on_time_tasks_visits_and_diary_quality(users, staff):  # noqa: F811
    member = users["member_a"]
    with time_machine.travel(datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ), tick=False):
        due = datetime.datetime(2026, 11, 5, 18, 0, tzinfo=TZ)
        on_time, late, _open_late, visit = (
            services.assign_task(staff, services.TaskInput(kind=kind, title=t, due=due), [member])[
                0
            ]
            for kind, t in (("check", "a"), ("check", "b"), ("patrol", "c"), ("visit", "d"))
        )
        services.complete_task(on_time, actor=member, note="ok")
        services.complete_task(visit, actor=member, note="ok")
        for text, rating in (("记录一", 5), ("记录二", 3), ("记录三", None)):
            entry, _ = diary_services.write_diary(
                actor=member, data=diary_services.DiaryInput(text=text, tags=["service"])
            )
            if rating:
                diary_services.review_diary(entry, actor=staff, rating=rating)
    with time_machine.travel(datetime.datetime(2026, 11, 6, 9, 0, tzinfo=TZ), tick=False):
        services.complete_task(late, actor=member, note="late")
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=TZ), tick=False):
        rebuild_tallies(["2026-11"])
    row = Tally.objects.get(unit_kind="staff", unit_key=str(member.pk), month="2026-11")
    assert (row.tasks_due, row.tasks_on_time) == (3, 1)  # the open one is due, and late
    assert (row.visits_due, row.visits_on_time) == (1, 1)
    assert (row.diary_reviewed, row.diary_rating_sum) == (2, 8)  # unreviewed entries count 0
    totals = {f: getattr(row, f) for f in ("diary_reviewed", "diary_rating_sum")}
    assert shown_value(INDICATORS["diary_quality"], totals) == 4.0
    assert Task.objects.filter(assignee=member).count() == 4
    scheme = Scheme.objects.get(code="inspector")
    weights = {i["indicator"]: i["weight"] for i in scheme.items}
    assert weights["tasks_on_time"] == 10 and weights["diary_quality"] == 5
    items = [i for i in scheme.items if i["indicator"] == "diary_quality"]
    assert score_items(items, totals)[0] == 75.0  # (4 − 1) / 4
