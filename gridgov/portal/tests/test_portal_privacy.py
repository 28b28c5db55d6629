"""THE privacy test: a phone number, an ID number and a neighbour's name planted in descriptions
and in photos' metadata appear on no public page, feed or JSON — nor does the exact point."""

import re

import pytest
from django.test import Client

from gridgov.cases.services import check_photos
from gridgov.portal import services
from gridgov.portal.models import DistrictSettings
from gridgov.portal.tests.conftest import POINT_A, category, confirmed, jpeg_with_metadata

PHONE = "13912345678"
ID_NUMBER = "410105198001011234"
NEIGHBOUR = "王小明"
SECRETS = [PHONE, ID_NUMBER, NEIGHBOUR, "139 1234 5678", "13800005555"]
EXACT = ("113.60261", "34.71763")


@pytest.fixture
def planted(portal, users):
    citizen = confirmed("13800005555", portal)
    text = f"邻居{NEIGHBOUR}家门口路灯不亮，有事打他电话{PHONE}，身份证{ID_NUMBER}"
    photo = check_photos([(jpeg_with_metadata(f"{NEIGHBOUR} {PHONE} {ID_NUMBER}"), "p.jpg")])
    made = services.submit_report(
        actor=portal,
        category=category(),
        description=text,
        citizen=citizen,
        lon=float(EXACT[0] + "9"),
        lat=float(EXACT[1] + "1"),
        photos=photo,
        idempotency_key="privacy-0001",
    )
    # The moderator publishes the text as it came (redaction runs again on what is published).
    services.moderate(made, actor=users["op_a"], publish=True, public_text=text)
    services.follow_report(made, confirmed("13800006666", portal), actor=portal)
    DistrictSettings.objects.create(area_code="410105", allow_anonymous=True)
    services.submit_report(
        actor=portal,
        category=category(),
        description=f"匿名：{NEIGHBOUR}又在楼道堆杂物 {PHONE}",
        citizen=None,
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="privacy-0002",
    )
    return made


def _public_answers(made) -> dict[str, bytes]:
    anyone = Client()
    urls = [
        "/",
        "/portal/",
        "/portal/reports/",
        f"/portal/reports/?street={made.street_code}",
        f"/portal/r/{made.number}/",
        "/portal/stats/",
        f"/portal/feed/{made.street_code}.atom",
        f"/portal/feed/{made.area_code}.atom",
        "/api/v1/portal/reports",
        f"/api/v1/portal/reports/{made.number}",
        f"/api/v1/portal/nearby?lon={POINT_A[0]}&lat={POINT_A[1]}",
        "/api/v1/portal/streets",
        f"/portal/grid/?lon={POINT_A[0]}&lat={POINT_A[1]}",
        f"/portal/photo/{made.number}/0/",
    ]
    answers = {}
    for url in urls:
        response = anyone.get(url)
        assert response.status_code == 200, (url, response.status_code)
        answers[url] = b"".join(response) if response.streaming else response.content
    return answers


def test_nothing_personal_leaves_on_any_public_page_feed_or_json(planted):
    answers = _public_answers(planted)
    assert "路灯不亮" in answers[f"/portal/r/{planted.number}/"].decode()  # the text is public
    for url, body in answers.items():
        text = body.decode("utf-8", errors="replace")
        for secret in SECRETS:
            assert secret not in text, (url, secret)
            assert secret.encode() not in body, (url, secret)
        for exact in EXACT:
            assert exact not in text, (url, exact)
        assert "匿名" not in text, url  # anonymous reports are never published
    photo = answers[f"/portal/photo/{planted.number}/0/"]
    assert photo[:2] == b"\xff\xd8" and b"Exif" not in photo and b"GPS" not in photo


def test_an_unmoderated_report_is_not_public(portal):
    citizen = confirmed("13800005556", portal)
    made = services.submit_report(
        actor=portal,
        category=category(),
        description="新用户的报告",
        citizen=citizen,
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="privacy-0003",
    )
    anyone = Client()
    assert anyone.get(f"/portal/r/{made.number}/").status_code == 404
    assert anyone.get(f"/api/v1/portal/reports/{made.number}").status_code == 404
    assert made.number not in anyone.get("/portal/reports/").content.decode()


def test_the_public_point_is_snapped(planted):
    lon, lat = planted.public_lon, planted.public_lat
    assert (lon, lat) != (planted.case.lon, planted.case.lat)
    assert re.fullmatch(r"-?\d+\.\d{1,6}", str(lon))
