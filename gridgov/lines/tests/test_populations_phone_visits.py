"""A special-population visit from the phone's outbox: the client key makes a replay answer the
first visit (never a second one), the responsible member records it without the reading right,
a voice note follows the visit and the desk plays it (the read in the access log)."""

import json

import pytest

from gridgov.audit.models import AccessLog
from gridgov.cases.tests.conftest import webm
from gridgov.lines.models import SpecialVisit
from gridgov.lines.tests import populations_world as pw

KEY = "0b7c3e2a-5d1f-4a8e-9c61-2f0e8d4b7a10"


@pytest.fixture
def world(tree, users):
    return pw.build(users, prefix="PV")


def _visit(client, record_id: int, body: dict) -> tuple[int, dict]:
    answer = client.post(
        f"/api/v1/lines/populations/{record_id}/visits",
        json.dumps(body),
        content_type="application/json",
    )
    return answer.status_code, json.loads(answer.content)


def test_a_replayed_visit_answers_the_first_one(world, users, client_for):
    record = world["record_a"]  # member_a is responsible, without the reading right
    phone = client_for(users["member_a"])
    body = {"met": True, "note": "上门走访，情况稳定", "client_key": KEY}
    status, first = _visit(phone, record.pk, body)
    assert status == 201, first
    status, again = _visit(phone, record.pk, body)
    assert status == 200 and again["id"] == first["id"]
    assert list(
        SpecialVisit.objects.filter(record=record).values_list("client_key", flat=True)
    ) == [KEY]
    record.refresh_from_db()
    assert record.last_visit_at is not None
    # the same key from another user, or for another record, is refused (400), nothing written
    status, _ = _visit(client_for(users["admin"]), record.pk, body)
    assert status == 400
    assert SpecialVisit.objects.filter(record=record).count() == 1


def test_only_the_responsible_member_or_the_right_reaches_the_record(world, users, client_for):
    # street B's record: street A's operator (with the right) and member (without) get 404
    for who in ("op_a", "member_a"):
        status, _ = _visit(client_for(users[who]), world["record_b"].pk, {"note": "x"})
        assert status == 404
    # B's own member records it; a too short key is a clear 400
    b_phone = client_for(users["pop_member_b"])
    assert _visit(b_phone, world["record_b"].pk, {"client_key": "short"})[0] == 400
    status, made = _visit(b_phone, world["record_b"].pk, {"met": False, "note": "未见到本人"})
    assert status == 201 and made["met"] is False


def test_a_voice_note_follows_the_visit_and_the_desk_plays_it(world, users, client_for):
    record = world["record_a"]
    phone = client_for(users["member_a"])
    status, visit = _visit(phone, record.pk, {"note": "录音走访", "client_key": KEY})
    assert status == 201
    url = f"/api/v1/lines/populations/visits/{visit['id']}/voice"
    answer = phone.post(url, {"file": _file(webm())})
    assert answer.status_code == 201, answer.content
    played = answer.json()["url"]
    # a replay of the same note answers the visit as it is; another user's visit is not found
    assert phone.post(url, {"file": _file(webm())}).status_code == 201
    assert client_for(users["op_a"]).post(url, {"file": _file(webm())}).status_code == 404
    assert phone.post(url, {"file": _file(b"not audio")}).status_code == 400
    # the desk with the right plays it, and the read is logged; the member has no right: 403
    desk = client_for(users["op_a"])
    before = AccessLog.objects.filter(subject_id=str(record.pk)).count()
    heard = desk.get(played)
    assert heard.status_code == 200 and heard["Content-Type"] == "audio/webm"
    assert b"".join(heard.streaming_content).startswith(bytes.fromhex("1a45dfa3"))
    assert AccessLog.objects.filter(subject_id=str(record.pk)).count() == before + 1
    assert phone.get(played).status_code == 403
    page = desk.get(f"/lines/populations/{record.pk}/").content.decode()
    assert played in page and users["member_a"].display_name in page


def _file(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("voice.webm", data, content_type="audio/webm")


def test_the_position_is_kept_and_a_visit_far_from_the_home_is_flagged(world, users, client_for):
    record = world["record_a"]
    phone = client_for(users["member_a"])
    lon, lat = pw.POINT_A  # at the person's building
    status, near = _visit(phone, record.pk, {"lon": lon, "lat": lat, "accuracy": 8})
    assert status == 201 and near["far"] is False and near["distance_m"] < 50
    status, far = _visit(phone, record.pk, {"lon": lon + 0.02, "lat": lat, "accuracy": 8})
    assert status == 201 and far["far"] is True and far["distance_m"] > 1500
    kept = SpecialVisit.objects.get(pk=far["id"])
    assert (kept.lon, kept.lat, kept.accuracy, kept.far) == (lon + 0.02, lat, 8, True)
    # half a position: 400; a latitude out of range or a negative accuracy: 422 (the schema);
    # nothing written
    assert _visit(phone, record.pk, {"lon": lon})[0] == 400
    for bad in ({"lon": lon, "lat": 91}, {"lon": lon, "lat": lat, "accuracy": -1}):
        assert _visit(phone, record.pk, bad)[0] == 422, bad
    assert SpecialVisit.objects.filter(record=record).count() == 2
    # the phone page without script posts the same fields: kept and flagged alike
    form = f"/lines/m/visits/{record.pk}/"
    posted = phone.post(form, {"met": "on", "note": "无脚本", "lon": lon + 0.02, "lat": lat})
    assert posted.status_code == 302
    assert SpecialVisit.objects.get(note="无脚本").far is True
    assert phone.post(form, {"met": "on", "lon": "东经", "lat": lat}).status_code == 400
    assert SpecialVisit.objects.filter(record=record).count() == 3
    # the desk's record page marks the far visits
    page = client_for(users["admin"]).get(f"/lines/populations/{record.pk}/")
    assert page.status_code == 200
    assert page.content.decode().count("badge badge-red") == 2
