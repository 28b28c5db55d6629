"""The phone's pages, its offline bundle (ETag, masking, scope) and the outbox's idempotency."""

import gzip
import json
import uuid

import pytest

from gridgov.cases import services as cases
from gridgov.cases.models import Case, Status
from gridgov.registry import services as registry
from gridgov.registry.models import Household, KeyPopulationTag
from gridgov.registry.models.people import KEY_CATEGORIES

pytestmark = pytest.mark.django_db


def _point(grid) -> tuple[float, float]:
    return grid.label_lon, grid.label_lat


@pytest.fixture
def person_a(tree, users):
    return registry.save_person(
        {
            "name": "张三丰",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "registration": "registered",
        },
        actor=users["op_a"],
        area_code=tree.grids[0].code,
    )[0]


def test_pages_answer_for_a_member(users, client_for):
    client = client_for(users["member_a"])
    for url in ("/m/", "/m/report/", "/m/data/", "/m/me/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-cache"
        html = response.content.decode()
        assert 'href="/patrol/phone/"' in html and "m-tabs" in html


def test_pages_need_sign_in(client):
    assert client.get("/m/").status_code == 302


def test_manifest_is_install_ready(client, db):
    data = client.get("/m/manifest.webmanifest").json()
    assert data["display"] == "standalone" and data["start_url"] == "/m/"
    assert {i["sizes"] for i in data["icons"]} >= {"192x192", "512x512"}


def test_service_worker_may_control_the_phone_pages(client, db):
    response = client.get("/m/sw.js")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert body.startswith("const CONFIG = ") and "/static/mobile/app.js" in body


def test_leader_gets_a_cockpit(users, client_for):
    html = client_for(users["leader"]).get("/m/").content.decode()
    assert "m-figures" in html


def test_todo_lists_cases_to_verify_and_own_reports(tree, users, client_for):
    grid = tree.grids[0]
    lon, lat = _point(grid)
    own, _ = cases.report_case(
        actor=users["member_a"], channel="grid_member", description="井盖缺失", lon=lon, lat=lat
    )
    other, _ = cases.report_case(
        actor=users["op_a"], channel="grid_member", description="路灯不亮", lon=lon, lat=lat
    )
    Case.objects.filter(pk=other.pk).update(status=Status.HANDLED)
    data = client_for(users["member_a"]).get("/api/v1/phone/todo").json()
    kinds = {(i["kind"], i["url"]) for i in data["items"]}
    assert ("on_spot", f"/cases/{own.pk}/") in kinds
    assert ("verify", f"/m/cases/{other.pk}/") in kinds
    assert data["count"] == 2
    html = client_for(users["member_a"]).get("/m/").content.decode()
    assert own.number in html and 'data-count="2"' in html


def test_bundle_holds_the_members_grid_masked(tree, users, client_for, person_a):
    grid = tree.grids[0]
    Household.objects.create(number="HH-A-1", head=person_a, area_code=grid.code)
    KeyPopulationTag.objects.create(
        person=person_a, area_code=grid.code, category=KEY_CATEGORIES[0][0], notes="重点关注备注"
    )
    client = client_for(users["member_a"])
    response = client.get("/api/v1/phone/bundle")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    text = response.content.decode()
    data = json.loads(text)
    assert [g["code"] for g in data["grids"]] == [grid.code]
    assert data["households"][0]["head"] == "张**"
    assert "张三丰" not in text and "13800138000" not in text and "11010519491231002X" not in text
    assert "重点关注备注" not in text and KEY_CATEGORIES[0][0] not in text


def test_bundle_etag_answers_304_when_unchanged(tree, users, client_for):
    client = client_for(users["member_a"])
    first = client.get("/api/v1/phone/bundle")
    etag = first["ETag"]
    again = client.get("/api/v1/phone/bundle", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    lon, lat = _point(tree.grids[0])
    cases.report_case(
        actor=users["member_a"], channel="grid_member", description="新问题", lon=lon, lat=lat
    )
    changed = client.get("/api/v1/phone/bundle", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_bundle_goes_compressed_to_a_phone_that_takes_gzip(tree, users, client_for):
    """A slow mobile network carries a sixteenth of the bundle: gzip when the phone takes it,
    the same content and validator either way, and a 304 for the validator of either form."""
    client = client_for(users["member_a"])
    lon, lat = _point(tree.grids[0])
    for i in range(30):  # enough to be worth compressing
        cases.report_case(
            actor=users["member_a"], channel="grid_member", description=f"井盖{i}", lon=lon, lat=lat
        )
    plain = client.get("/api/v1/phone/bundle")
    packed = client.get("/api/v1/phone/bundle", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert json.loads(gzip.decompress(packed.content)) == plain.json()
    assert packed["ETag"] == plain["ETag"] and packed["ETag"].startswith('W/"')
    again = client.get(
        "/api/v1/phone/bundle", HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"]
    )
    assert again.status_code == 304 and again.content == b""


def test_bundle_holds_nothing_of_another_street(tree, users, client_for):
    other_grid = next(g for g in tree.grids if g.code.startswith("410105002"))
    lon, lat = _point(other_grid)
    cases.report_case(
        actor=users["op_b"], channel="grid_member", description="乙街道的问题", lon=lon, lat=lat
    )
    text = client_for(users["member_a"]).get("/api/v1/phone/bundle").content.decode()
    assert "乙街道的问题" not in text and other_grid.code not in text


def test_outbox_replay_makes_one_case(tree, users, client_for):
    """The phone sends a report, the answer is lost, it sends the same item again."""
    client = client_for(users["member_a"])
    lon, lat = _point(tree.grids[0])
    key = str(uuid.uuid4())
    body = {
        "description": "垃圾满溢",
        "channel": "grid_member",
        "idempotency_key": key,
        "lon": lon,
        "lat": lat,
    }
    first = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
    again = client.post("/api/v1/cases", json.dumps(body), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.filter(idempotency_key=key).count() == 1


def test_me_shows_the_members_on_time_figures_and_patrols_of_the_month(users, client_for):
    """The seeds ask for the member's own figures: reports, on-time handling, visits, patrols.
    On-time figures come from the assessment's tallies of the member (this month only); patrols
    count the member's own patrol sessions begun this month (no duty sessions, no one else's)."""
    import datetime

    from django.utils import timezone

    from gridgov.assessment.models import Tally, UnitKind
    from gridgov.assessment.periods import current_month, previous
    from gridgov.patrol.models import PatrolSession, SessionKind

    member = users["member_a"]
    month = current_month()
    Tally.objects.create(
        unit_kind=UnitKind.STAFF,
        unit_key=str(member.pk),
        month=month,
        area_code=member.scope_codes[0],
        verify_done=4,
        verify_on_time=3,
        tasks_due=5,
        tasks_on_time=5,
        visits_due=2,
        visits_on_time=1,
    )
    Tally.objects.create(  # last month's: not this month's figure
        unit_kind=UnitKind.STAFF,
        unit_key=str(member.pk),
        month=previous(month),
        area_code=member.scope_codes[0],
        verify_done=9,
        verify_on_time=0,
    )
    now = timezone.now()
    area = member.scope_codes[0]
    for user, kind, started in (
        (member, SessionKind.PATROL, now),
        (member, SessionKind.PATROL, now - datetime.timedelta(minutes=5)),
        (member, SessionKind.DUTY, now),
        (member, SessionKind.PATROL, now - datetime.timedelta(days=40)),
        (users["op_a"], SessionKind.PATROL, now),
    ):
        PatrolSession.objects.create(user=user, kind=kind, area_code=area, started_at=started)

    response = client_for(member).get("/m/me/")
    stats = response.context["stats"]
    assert stats["patrols_month"] == 2
    rows = {row["code"]: (row["on_time"], row["of"]) for row in stats["on_time"]}
    assert rows == {"verify": (3, 4), "handle": (0, 0), "tasks": (5, 5), "visits": (1, 2)}
    html = response.content.decode()
    assert "3/4" in html and "1/2" in html


def test_bundle_names_each_households_building_unit_and_room_in_house_order(
    tree, users, client_for
):
    """The basic-data list on the phone shows 幸福里1号楼 1单元102室, not house codes, and in
    the order of the building (unit, floor, room), not the household numbers' text order."""
    from gridgov.registry.models import Building, House

    grid = tree.grids[0]
    building = Building.objects.create(
        code="B-M", name="幸福里1号楼", lon=grid.label_lon, lat=grid.label_lat, area_code=grid.code
    )
    rooms = [(2, 1, "101"), (1, 10, "1001"), (1, 2, "202"), (1, 1, "102")]
    for i, (unit, floor, room) in enumerate(rooms):
        house = House.objects.create(
            building=building,
            code=f"B-M-{unit}-{floor}-{room}",
            unit=unit,
            floor=floor,
            room=room,
            area_code=grid.code,
        )
        Household.objects.create(number=f"HH-{9 - i}", house=house, area_code=grid.code)
    Household.objects.create(number="HH-0", area_code=grid.code)  # no house known

    data = client_for(users["member_a"]).get("/api/v1/phone/bundle").json()
    assert [h["where"] for h in data["households"]] == [
        "幸福里1号楼 1单元102室",
        "幸福里1号楼 1单元202室",
        "幸福里1号楼 1单元1001室",
        "幸福里1号楼 2单元101室",
        "",
    ]
    assert data["households"][0]["house"] == "B-M-1-1-102"  # the code stays for the pages
