"""Pages, API and ledger exports of disputes and hazards."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.audit.models import AccessLog
from gridgov.lines.models import DisputeKind, DisputeState, HazardState
from gridgov.lines.tests.disputes_helpers import PHOTO, days, dispute, inspect, plan, shop

pytestmark = pytest.mark.django_db
GRID_A = "41010500100101"


def test_dispute_path_through_the_api(users, client_for):
    api = client_for(users["op_a"])
    body = {
        "kind": "property",
        "title": "物业费纠纷",
        "area_code": GRID_A,
        "risk": "medium",
        "parties": [{"name": f"业主{i}"} for i in range(6)]
        + [{"name": "物业公司", "role": "respondent"}],
    }
    made = api.post("/api/v1/disputes", body, content_type="application/json")
    assert made.status_code == 201, made.content
    d = made.json()
    assert d["flagged"] and len(d["parties"]) == 7
    url = f"/api/v1/disputes/{d['id']}"
    for n in (1, 2):
        session = {
            "held_on": str(days(n - 1)),
            "participants": "业主代表、物业",
            "record": f"第{n}次",
        }
        assert (
            api.post(f"{url}/sessions", session, content_type="application/json").status_code == 201
        )
    agreed = api.post(
        f"{url}/agreement", {"text": "物业减免三个月物业费。"}, content_type="application/json"
    )
    assert agreed.json()["state"] == DisputeState.AGREEMENT
    pdf = api.get(f"{url}/agreement.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    signed = api.post(f"{url}/signed", {"scan": SimpleUploadedFile("s.pdf", b"%PDF scan")})
    assert signed.json()["state"] == DisputeState.FULFILMENT
    late = api.post(f"{url}/court", {"applied_on": str(days(31))}, content_type="application/json")
    assert late.status_code == 400 and late.json()["code"]
    page = client_for(users["op_a"]).get(f"/lines/disputes/{d['id']}/")
    assert page.status_code == 200 and "第2次" in page.content.decode()
    assert client_for(users["op_b"]).get(f"/lines/disputes/{d['id']}/").status_code == 404


def test_inspection_and_reinspection_through_the_api(users, client_for):
    p = plan(users["admin"])
    org = shop(users["op_a"], "街角小吃店")
    api = client_for(users["member_a"])
    results = [
        {
            "item_id": i.pk,
            "result": "fail" if i.major else "pass",
            "photo_base64": base64.b64encode(PHOTO).decode() if i.major else "",
        }
        for i in p.items.all()
    ]
    made = api.post(
        "/api/v1/inspections",
        {
            "plan_id": p.pk,
            "organization_id": org.pk,
            "lon": 113.605,
            "lat": 34.7175,
            "results": results,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    (hazard,) = made.json()["hazards"]
    assert hazard["grade"] == "major" and hazard["supervised_by"] == "street"
    assert api.get(f"/api/v1/hazards/{hazard['id']}/notice.pdf").content.startswith(b"%PDF")
    closed = api.post(
        f"/api/v1/hazards/{hazard['id']}/reinspect",
        {"rectified": True, "proof_base64": base64.b64encode(PHOTO).decode()},
        content_type="application/json",
    )
    assert closed.json()["state"] == HazardState.CLOSED
    bad = api.post(
        f"/api/v1/hazards/{hazard['id']}/reinspect",
        {"rectified": True, "proof_base64": "!!not base64"},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_ledger_exports_log_the_access_and_need_the_right(users, client_for):
    dispute(users["op_a"], "邻里纠纷", GRID_A)
    inspect(users["op_a"], plan(users["admin"]), shop(users["op_a"], "五金店"))
    for url, subject in (
        ("/lines/disputes/export.xlsx", "lines.dispute"),
        ("/lines/hazards/export.csv", "lines.hazard"),
    ):
        assert client_for(users["member_a"]).get(url).status_code == 403
        answer = client_for(users["op_a"]).get(url)
        assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
        row = AccessLog.objects.get(subject_type=subject)
        assert row.record_count == 1 and row.purpose == "export"


def test_board_and_phone_pages(users, client_for):
    dispute(users["op_a"], "家庭纠纷", GRID_A, risk="group")
    board = client_for(users["op_a"]).get("/api/v1/disputes/board").json()
    assert board["disputes_flagged"] == 1 and board["disputes_by_kind"] == {"neighbourhood": 1}
    page = client_for(users["op_a"]).get("/lines/board/")
    assert page.status_code == 200
    # Names, not codes: the kind and the stage as the desk says them.
    kinds = dict(page.context["named"]["disputes_by_kind"])
    assert kinds == {str(DisputeKind.NEIGHBOURHOOD.label): 1}
    html = page.content.decode()
    assert str(DisputeKind.NEIGHBOURHOOD.label) in html and "neighbourhood:" not in html
    from gridgov.lines.services.disputes import create_screenings

    create_screenings(actor=users["admin"])
    phone = client_for(users["member_a"])
    page = phone.get("/lines/m/screening/")
    assert page.status_code == 200 and "data-id" in page.content.decode()
    task_id = page.content.decode().split('data-id="')[1].split('"')[0]
    done = phone.post("/lines/m/screening/", {"task": task_id, "found": "0", "note": "无"})
    assert done.status_code == 302
    assert "data-id" not in phone.get("/lines/m/screening/").content.decode()
