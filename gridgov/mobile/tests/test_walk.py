"""Defects found by walking the phone as its users would (a grid member at 390×844 and 360×640,
a community worker, a leader), each shown here before its fix."""

import re

import pytest

from gridgov.patrol.services import work
from gridgov.patrol.tests.work_fixtures import in_days, staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def test_todo_names_every_kind_in_the_members_language(users, staff, client_for):  # noqa: F811
    member = users["member_a"]
    work.assign_task(
        staff, work.TaskInput(kind="check", title="核查井盖", due=in_days(1)), [member]
    )
    html = client_for(member).get("/m/").content.decode()
    chips = re.findall(r'<span class="m-kind[^"]*">([^<]*)</span>', html)
    assert chips == ["任务"]  # not the code "task"
