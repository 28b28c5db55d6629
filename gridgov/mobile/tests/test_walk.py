"""Defects found by walking the phone as its users would (a grid member at 390×844 and 360×640,
a community worker, a leader), each shown here before its fix."""

import re

import pytest

from gridgov.cases import services as cases
from gridgov.cases.models import Case, Status
from gridgov.mobile.tests.test_corrections import home  # noqa: F401 (fixture)
from gridgov.mobile.tests.test_mobile_api import _point
from gridgov.patrol.models import Task
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
    # the part names its own kind, so the API's list says it too
    [item] = client_for(member).get("/api/v1/phone/todo").json()["items"]
    assert (item["kind"], item["kind_label"]) == ("task", "任务")


def test_the_leaders_cockpit_lists_the_leaders_to_do(tree, users, client_for):
    lon, lat = _point(tree.grids[0])
    case, _ = cases.report_case(
        actor=users["op_a"], channel="grid_member", description="路灯不亮", lon=lon, lat=lat
    )
    Case.objects.filter(pk=case.pk).update(status=Status.HANDLED)
    client = client_for(users["leader"])
    assert client.get("/api/v1/phone/todo").json()["count"] == 1  # the tab's badge elsewhere
    html = client.get("/m/").content.decode()
    assert "m-figures" in html  # still the cockpit
    assert 'data-count="1"' in html and f'href="/m/cases/{case.pk}/"' in html
    assert "data-bundle" not in html  # a leader keeps no grid on the phone: nothing to refresh


def test_a_household_is_headed_by_its_building_unit_and_room_not_codes(
    home,  # noqa: F811
    users,
    client_for,
):
    household = home["household"]
    html = client_for(users["member_a"]).get(f"/m/data/households/{household.pk}/")
    html = html.content.decode()
    heading = re.search(r"<h1>([^<]*)</h1>", html).group(1).strip()
    assert heading == "幸福里1号楼 1单元101室"
    assert household.number not in re.search(r"<title>([^<]*)</title>", html).group(1)


def test_an_overdue_item_says_so_on_the_todo(users, staff, client_for):  # noqa: F811
    member = users["member_a"]
    late, _soon = (
        work.assign_task(staff, work.TaskInput(kind="check", title=t, due=in_days(1)), [member])[0]
        for t in ("核查井盖", "核查路灯")
    )
    Task.objects.filter(pk=late.pk).update(due=in_days(-2))
    html = client_for(member).get("/m/").content.decode()
    cards = re.findall(r'<a class="m-card m-card-link[^"]*"(.*?)</a>', html, re.S)
    late_card, soon_card = cards  # the nearest due first
    assert "核查井盖" in late_card and "已超期" in late_card
    assert "核查路灯" in soon_card and "已超期" not in soon_card
