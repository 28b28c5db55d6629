"""The due visits of the offline bundle: masked and neutral (no population category, risk level
or key-population tag), only the member's own (another grid's member never gets them, the
member does), and a visit sent from the kept page's outbox made once however often it is
replayed. The to-do titles name the person masked, not why they are visited."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gridgov.lines.models import SpecialVisit
from gridgov.lines.tests import populations_world as pw
from gridgov.patrol.models import FieldVisit, Task, TaskKind, TaskStatus
from gridgov.patrol.services import work
from gridgov.registry import services as registry

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
LATER = START + datetime.timedelta(days=27)  # record A (monthly) falls due on 2026-12-02
VISIT_KEYS = {"id", "person", "building", "address", "house", "room", "due", "page", "form"}


@pytest.fixture
def world(tree, users):
    """The business lines' people (record A of member_a's, due monthly; record B of another
    grid's member) and A's tenant tagged as living alone, whose due visit is a field task."""
    with time_machine.travel(START, tick=False):
        found = pw.build(users)
        registry.tag_key_population(
            found["tenant_a"].person, actor=users["admin"], category="elderly_alone", level="high"
        )
    with time_machine.travel(LATER, tick=False):
        work.create_due_visits()
    found["task"] = Task.objects.get(kind=TaskKind.VISIT, person=found["tenant_a"].person)
    return found


def _bundle(client) -> tuple[dict, str]:
    with time_machine.travel(LATER, tick=False):
        answer = client.get("/api/v1/phone/bundle")
    assert answer.status_code == 200
    text = answer.content.decode()
    return json.loads(text), text


def test_the_bundle_holds_the_members_due_visits_masked_and_neutral(world, users, client_for):
    assert world["task"].assignee == users["member_a"]
    bundle, text = _bundle(client_for(users["member_a"]))
    visits = {v["id"]: v for v in bundle["visits"]}
    task, record = world["task"], world["record_a"]
    assert set(visits) == {f"task-{task.pk}", f"record-{record.pk}"}
    assert all(set(v) == VISIT_KEYS for v in visits.values())
    tenant = visits[f"task-{task.pk}"]
    assert tenant["person"] == "甲**" and tenant["due"] == "2026-11-29"
    assert tenant["page"] == f"/patrol/phone/tasks/{task.pk}/"
    assert tenant["house"] == world["house_a"].code and tenant["building"]
    house = world["house_a"]
    assert tenant["room"] == f"{house.unit}单元{house.room}室"  # as the visits list shows it
    assert tenant["form"] == {
        "url": "/api/v1/patrol/visits",
        "body": {"person_id": world["tenant_a"].person_id},
        "voice_url": "/api/v1/patrol/visits/{id}/voice",
        "met": False,
        "position": True,
    }
    due = visits[f"record-{record.pk}"]
    assert due["person"] == "甲**" and due["due"] == "2026-12-02"
    assert due["page"] == f"/lines/m/visits/{record.pk}/"
    assert due["form"]["url"] == f"/api/v1/lines/populations/{record.pk}/visits"
    assert due["form"]["met"] is True and due["form"]["body"] == {}
    # nothing says why they are visited, and no full name
    for secret in (
        pw.NAME_A,
        world["tenant_a"].person.name,
        record.category.name,
        record.category.code,
        "elderly_alone",
        "risk",
        "精神分裂症",
        f"{pw.NAME_A}之母",
        task.title,
    ):
        assert secret not in text, secret


def test_the_todo_names_the_person_masked_not_the_category(world, users, client_for):
    with time_machine.travel(LATER, tick=False):
        items = client_for(users["member_a"]).get("/api/v1/phone/todo").json()["items"]
    visits = [i for i in items if i["kind"] in ("visit", "special_visit")]
    assert sorted(i["title"] for i in visits) == ["走访 甲**", "走访 甲**"]
    assert all(world["record_a"].category.name not in i["title"] for i in items)


def test_another_grids_member_never_gets_them_and_the_member_does(world, users, client_for):
    other = users["pop_member_b"]
    # a visit task of street A's person left assigned to B's member (say, moved to grid B)
    stray = Task.objects.create(
        kind=TaskKind.VISIT,
        title="走访",
        area_code=world["task"].area_code,
        assignee=other,
        assigned_by=users["admin"],
        due=world["task"].due,
        person=world["tenant_a"].person,
    )
    bundle, text = _bundle(client_for(other))
    ids = {v["id"] for v in bundle["visits"]}
    assert f"record-{world['record_b'].pk}" in ids  # B's own lost-contact record: live
    assert f"task-{stray.pk}" not in ids and f"task-{world['task'].pk}" not in ids
    assert f"record-{world['record_a'].pk}" not in ids and "甲**" not in text
    mine, _text = _bundle(client_for(users["member_a"]))
    assert f"task-{world['task'].pk}" in {v["id"] for v in mine["visits"]}
    # the kept page itself holds nothing of anyone's
    page = client_for(other).get("/m/visits/").content.decode()
    assert 'id="m-visits"' in page and "甲" not in page


def _send(client, visit: dict, key: str, **fields):
    """What the outbox sends for a visit of the kept page (visit.js): the form's fixed body, the
    fields, the UUID as client_key."""
    body = {**visit["form"]["body"], **fields, "client_key": key}
    with time_machine.travel(LATER + datetime.timedelta(hours=1), tick=False):
        return client.post(visit["form"]["url"], body, content_type="application/json")


def test_a_replayed_visit_is_made_once_and_leaves_the_bundle(world, users, client_for):
    member = client_for(users["member_a"])
    bundle, _text = _bundle(member)
    visits = {v["id"]: v for v in bundle["visits"]}
    task = world["task"]
    tenant = visits[f"task-{task.pk}"]
    lon, lat = pw.POINT_A
    visit = {"note": "老人安好", "lon": lon, "lat": lat, "accuracy": 8}
    first = _send(member, tenant, "4b8f0c1e-0c55-4c39-9d5e-1d7c1f6f0a01", **visit)
    again = _send(member, tenant, "4b8f0c1e-0c55-4c39-9d5e-1d7c1f6f0a01", **visit)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    (evidence,) = FieldVisit.objects.all()
    assert (evidence.lon, evidence.lat, evidence.far) == (lon, lat, False)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and evidence.task_id == task.pk

    record = visits[f"record-{world['record_a'].pk}"]
    key = "9a1d2b3c-4d5e-4f60-8a7b-6c5d4e3f2a10"
    answers = [_send(member, record, key, met=True, note="服药规律") for _ in range(2)]
    assert [a.status_code for a in answers] == [201, 200]
    assert SpecialVisit.objects.filter(record=world["record_a"]).count() == 1

    left, _text = _bundle(member)
    assert left["visits"] == []


def test_the_service_worker_keeps_the_visit_page_and_stands_it_in(world, users, client_for):
    member = client_for(users["member_a"])
    source = member.get("/m/sw.js").content.decode()
    config = json.loads(source.split("\n", 1)[0].removeprefix("const CONFIG = ").rstrip(";"))
    assert "/m/visits/" in config["pages"] and config["visits"] == "/m/visits/"
    assert config["visit_pages"] == ["/patrol/phone/tasks/", "/lines/m/visits/"]
    assert any(url.endswith(".js") and "visits" in url for url in config["shell"])
    kept = member.get("/m/visits/")
    assert kept["Cache-Control"] == "private, no-cache"
    # the visit pages themselves are never kept: the lines' one names the population category
    for url in (
        f"/lines/m/visits/{world['record_a'].pk}/",
        f"/patrol/phone/tasks/{world['task'].pk}/",
    ):
        answer = member.get(url)
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
