"""The demo fills the printed grid member's phone: tasks, a due visit, diary entries, a case."""

import io

import pytest

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import assign_staff
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.models import Area
from gridgov.conftest import make_user
from gridgov.patrol import demo_data_work
from gridgov.patrol.models import DiaryEntry, FieldVisit, Task
from gridgov.patrol.phone_todo import todo_items
from gridgov.patrol.tests.work_fixtures import homes  # noqa: F401 (a fixture)
from gridgov.registry import services as registry

pytestmark = pytest.mark.django_db
GRID = "41010500100101"


def test_demo_field_work(users, homes):  # noqa: F811
    member = make_user(f"g{GRID}", Role.GRID_MEMBER, [GRID])
    assign_staff(
        member, Area.objects.get(code=GRID), ForceType.GRID_MEMBER, actor=system_user(SETUP)
    )
    make_user("c410105001001", Role.COMMUNITY_STAFF, ["410105001001"])
    registry.tag_key_population(homes["person_a"], actor=users["admin"], category="elderly_alone")
    demo_data_work.load(stdout=io.StringIO(), scale="district", seed=1, size="small")
    assert Task.objects.filter(assignee=member).count() >= len(demo_data_work.TASKS)
    assert FieldVisit.objects.filter(visit__visitor=member).count() == 1
    assert DiaryEntry.objects.filter(author=member, made_case__isnull=False).count() == 1
    assert DiaryEntry.objects.filter(author=member, rating__isnull=False).count() == 2
    assert len(todo_items(member)) >= 3
