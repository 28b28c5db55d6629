"""Defects of the patrol phone pages found by walking them as a grid member (session 31)."""

import datetime
import re

import pytest
from django.utils import timezone

from gridgov.patrol.models import DiaryEntry, Task
from gridgov.patrol.tests.work_fixtures import staff  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/patrol/phone/track/?day=0001-01-01",
        "/patrol/phone/track/?day=9999-12-31",
        "/patrol/phone/coverage/?period=day&day=0001-01-01",
        "/patrol/phone/coverage/?period=month&day=9999-12-31",
        "/patrol/tracks/?day=9999-12-31",
    ],
)
def test_a_day_out_of_range_is_a_404_not_a_500(users, client_for, url):
    assert client_for(users["member_a"]).get(url).status_code == 404


def test_the_diary_form_offers_today_not_an_empty_date(users, client_for):
    html = client_for(users["member_a"]).get("/patrol/phone/diary/").content.decode()
    day = re.search(r'<input type="date" name="day"[^>]*>', html).group(0)
    assert f'value="{timezone.localdate().isoformat()}"' in day


def test_a_task_for_an_area_is_assigned_by_the_areas_name_not_a_typed_code(
    tree,
    users,
    staff,  # noqa: F811
    client_for,
):
    grid = tree.grids[0]
    client = client_for(staff)
    html = client.get("/patrol/tasks/new/").content.decode()
    picker = re.search(r'<select name="area"[^>]*>(.*?)</select>', html, re.S)
    assert picker, "the area is picked from a list"
    assert re.search(rf'<option value="{grid.code}">[^<]*{grid.name}</option>', picker.group(1))
    assert "410105002" not in picker.group(1)  # street B: out of the worker's scope
    due = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    body = {"kind": "check", "title": "核查井盖", "due": due, "area": grid.code}
    assert client.post("/patrol/tasks/new/", body).status_code == 302
    assert [t.assignee for t in Task.objects.filter(title="核查井盖")] == [users["member_a"]]
    bad = client.post("/patrol/tasks/new/", {**body, "area": "410105002"})
    assert bad.status_code == 400


def test_a_scope_too_large_for_every_grid_still_lists_every_street_and_community(
    tree, users, monkeypatch
):
    """Cut at a count, a district's list lost its last streets; it now offers streets and
    communities, and grids only when all of them fit."""
    from gridgov.areas.models import Area, Level
    from gridgov.patrol import views_work

    def offered() -> set[str]:
        form = views_work.AssignForm(user=users["district"])
        return {code for code, _label in form.fields["area"].choices if code}

    district = Area.objects.active().filter(code__startswith="410105")
    upper = set(
        district.filter(level__in=[Level.STREET, Level.COMMUNITY]).values_list("code", flat=True)
    )
    grids = set(district.filter(level=Level.GRID).values_list("code", flat=True))
    assert upper and grids
    assert offered() == upper | grids
    monkeypatch.setattr(views_work, "AREA_CHOICES", len(upper) + len(grids) - 1)
    assert offered() == upper


@pytest.mark.parametrize("days", [1, -400])
def test_a_diary_day_in_the_future_or_over_a_year_back_is_refused(users, client_for, days):
    day = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    body = {"text": "小区东门路灯不亮", "day": day}
    response = client_for(users["member_a"]).post("/patrol/phone/diary/", body)
    assert response.status_code == 400
    assert "日期须在一年前至今天之间。" in response.content.decode()  # shown by the field
    assert not DiaryEntry.objects.exists()


@pytest.mark.parametrize("days", [-1, 400])
def test_a_task_due_in_the_past_or_over_a_year_ahead_is_refused(
    tree,
    users,
    staff,  # noqa: F811
    client_for,
    days,
):
    due = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    body = {"kind": "check", "title": "核查井盖", "due": due, "area": tree.grids[0].code}
    response = client_for(staff).post("/patrol/tasks/new/", body)
    assert response.status_code == 400
    assert "截止日期须在今天至一年之内。" in response.content.decode()
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/patrols/tracks/{member}/9999-12-31",
        "/api/v1/patrols/tracks/{member}/0001-01-01",
        "/api/v1/patrols/coverage/{grid}?period=month&date=9999-12-31",
        "/api/v1/patrols/coverage/{grid}?period=week&date=0001-01-01",
    ],
)
def test_the_api_refuses_a_day_out_of_range_with_a_400_not_a_500(tree, users, client_for, url):
    """The pages' rule was in the pages only: the API overflowed the same days (review)."""
    member = users["member_a"]
    answer = client_for(member).get(url.format(member=member.pk, grid=tree.grids[0].code))
    assert answer.status_code in (400, 422), answer.status_code
