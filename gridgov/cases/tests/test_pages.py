import re

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases import services
from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import POINT_A, jpeg


def test_report_page_with_photo_and_a_retry(loop, client_for):
    client = client_for(loop["member_a"])
    assert "事件上报" in client.get("/cases/report/").content.decode()
    form = {
        "category": "E0102",
        "description": "路口暴露垃圾",
        "address": "",
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "crs": "wgs84",
        "urgency": "normal",
        "idempotency_key": "page-retry-0001",
    }
    first = client.post("/cases/report/", {**form, "photo": SimpleUploadedFile("p.jpg", jpeg())})
    assert first.status_code == 302
    again = client.post("/cases/report/", {**form, "photo": SimpleUploadedFile("p.jpg", jpeg())})
    assert again["Location"] == first["Location"]
    case = Case.objects.get()
    assert case.attachments.count() == 1
    detail = client.get(first["Location"]).content.decode()
    assert "路口暴露垃圾" in detail and "自行处置" in detail
    assert (
        client.get(f"/cases/photos/{case.attachments.get().pk}/thumbnail/")["Content-Type"]
        == "image/jpeg"
    )


def test_report_page_shows_errors_in_chinese(loop, client_for):
    page = client_for(loop["member_a"]).post(
        "/cases/report/",
        {
            "category": "",
            "description": "x",
            "crs": "wgs84",
            "urgency": "normal",
            "lon": 120,
            "lat": 30,
        },
    )
    assert page.status_code == 200 and "不在辖区任何网格内" in page.content.decode()
    bad_photo = client_for(loop["member_a"]).post(
        "/cases/report/",
        {
            "description": "x",
            "crs": "wgs84",
            "urgency": "normal",
            "lon": POINT_A[0],
            "lat": POINT_A[1],
            "photo": SimpleUploadedFile("p.jpg", b"text"),
        },
    )
    assert "不是可读取的" in bad_photo.content.decode() and Case.objects.count() == 0


def test_hotline_and_queues_and_actions(loop, client_for):
    op = client_for(loop["op_a"])
    done = op.post(
        "/cases/hotline/",
        {
            "description": "楼道堆放杂物",
            "address": "经八路 3 号",
            "caller_name": "王先生",
            "caller_phone": "13700001111",
            "crs": "wgs84",
            "urgency": "normal",
            "category": "",
        },
    )
    assert done.status_code == 302
    case = Case.objects.get()
    assert case.channel == "hotline" and case.needs_locating
    queue = op.get("/cases/?queue=accept").content.decode()
    assert case.title in queue
    assert op.post(f"/cases/{case.pk}/do/accept/", {"note": ""}).status_code == 302
    assert Case.objects.get().status == "accepted"
    refused = op.post(f"/cases/{case.pk}/do/close/", {}, follow=True).content.decode()
    assert "现在不能" in refused
    detail = op.get(f"/cases/{case.pk}/").content.decode()
    assert "13700001111" in detail  # the command center sees the caller
    assert (
        client_for(loop["member_a"]).get(f"/cases/{case.pk}/").status_code == 404
    )  # not in their grid


def test_case_map_page(loop, client_for):
    assert "事件地图" in client_for(loop["op_a"]).get("/cases/map/").content.decode()


def test_grid_member_cannot_use_the_hotline(loop, client_for):
    assert client_for(loop["member_a"]).get("/cases/hotline/").status_code == 403
    assert client_for(loop["leader"]).get("/cases/report/").status_code == 403


def test_a_closed_case_offers_the_satisfaction_visit_on_its_page(loop, client_for):
    from gridgov.cases.models import Status

    case, _ = services.report_case(
        actor=loop["member_a"], channel="grid_member", description="路灯不亮", address="甲街道1号"
    )
    operator = client_for(loop["op_a"])
    assert operator.get(f"/cases/{case.pk}/").context["may_rate"] is False
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    page = operator.get(f"/cases/{case.pk}/")
    assert page.context["may_rate"] is True
    assert operator.post(f"/cases/{case.pk}/rating/", {"score": "9"}).status_code == 302
    case.refresh_from_db()
    assert case.satisfaction is None  # refused with a message
    assert (
        operator.post(f"/cases/{case.pk}/rating/", {"score": "4", "note": "电话回访"}).status_code
        == 302
    )
    case.refresh_from_db()
    assert case.satisfaction == 4
    assert case.events.get(action="rate").data == {"score": 4}
    member_b = client_for(loop["op_b"])
    assert member_b.post(f"/cases/{case.pk}/rating/", {"score": "1"}).status_code == 404
    case.refresh_from_db()
    assert case.satisfaction == 4


def test_queue_and_case_page_show_area_names_and_filter_by_a_picker(loop, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from gridgov.areas.models import Area

    for n in range(3):
        services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description=f"路灯不亮{n}",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
    case = Case.objects.first()
    grid = Area.objects.get(code=case.area_code)
    community = grid.parent
    operator = client_for(loop["op_a"])
    response = operator.get("/cases/?queue=all")
    rows = list(response.context["page"])
    assert [c.area_names["grid"] for c in rows] == [grid.name] * 3
    assert [c.area_names["community"] for c in rows] == [community.name] * 3
    html = response.content.decode()
    assert f"<td>{community.name}</td><td>{grid.name}</td>" in html
    # the filter is a select of the streets and communities in scope, not a code box
    choices = response.context["area_choices"]
    assert community.code in [a.code for a in choices]
    assert {a.level for a in choices} <= {"street", "community"}
    assert '<input type="text" name="area"' not in html
    assert f'<option value="{community.code}">' in html

    # the names come from one query, whatever the number of rows
    def area_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            operator.get("/cases/?queue=all")
        return sum('"areas_area"' in q["sql"] for q in queries.captured_queries)

    before = area_queries()
    for n in range(3):
        services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description=f"井盖松动{n}",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
    assert area_queries() == before
    detail = operator.get(f"/cases/{case.pk}/")
    html = detail.content.decode()
    assert community.name in html and grid.name in html
    held = Area.objects.get(code=case.level_code).name
    assert detail.context["held_by"] == held
    assert re.search(rf'data-area="{case.level_code}">{held} <small', html)


def test_report_page_passes_translated_geolocation_messages(loop, client_for):
    import json
    import re
    from pathlib import Path

    html = client_for(loop["member_a"]).get("/cases/report/").content.decode()
    data = re.search(r'<script id="geo-words" type="application/json">(.*?)</script>', html, re.S)
    words = json.loads(data[1])
    assert set(words) == {"unsupported", "locating", "1", "2", "3"}
    assert all(re.search(r"[\u4e00-\u9fff]", w) for w in words.values()), words
    script = Path(__file__).parents[1].joinpath("static/cases/report.js").read_text()
    assert "err.message" not in script and '"GPS ✗"' not in script
