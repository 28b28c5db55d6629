import json

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.services import issue_token
from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import POINT_A, jpeg


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_report_is_idempotent_and_answers_201_then_200(loop, client):
    token = issue_token(loop["member_a"])
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {
        "description": "路灯不亮",
        "category": "C0110",
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "idempotency_key": "abcd-1234-efgh",
        "channel": "grid_member",
    }
    first = post(client, "/api/v1/cases", body, **auth)
    again = post(client, "/api/v1/cases", body, **auth)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and Case.objects.count() == 1
    assert first.json()["area_code"] == "41010500100101"
    detail = client.get(f"/api/v1/cases/{first.json()['id']}", **auth).json()
    assert "self_handle" in detail["actions"]


def test_bad_reports_get_clear_4xx(loop, client_for):
    client = client_for(loop["member_a"])
    assert (
        post(
            client,
            "/api/v1/cases",
            {"description": "x", "category": "Z9999", "lon": POINT_A[0], "lat": POINT_A[1]},
        ).status_code
        == 400
    )
    assert (
        post(client, "/api/v1/cases", {"description": "x", "lon": 10.0, "lat": 10.0}).status_code
        == 400
    )
    assert post(client, "/api/v1/cases", {"description": "x", "lon": POINT_A[0]}).status_code == 400
    assert post(client, "/api/v1/cases", {"description": "x"}).status_code == 400
    assert post(client, "/api/v1/cases", {"description": "x", "lon": "east"}).status_code == 422
    assert (
        post(client, "/api/v1/cases", {"description": "x", "idempotency_key": "short"}).status_code
        == 422
    )
    assert client.post("/api/v1/cases", "{", content_type="application/json").status_code == 400
    answer = post(client, "/api/v1/cases", {"description": "x", "lon": 10.0, "lat": 10.0})
    assert answer.json()["message"]


def test_the_loop_over_the_api(loop, client_for):
    case = post(
        client_for(loop["member_a"]),
        "/api/v1/cases",
        {"description": "井盖破损", "category": "C0101", "lon": POINT_A[0], "lat": POINT_A[1]},
    ).json()
    op = client_for(loop["op_a"])
    url = f"/api/v1/cases/{case['id']}/actions"
    assert post(op, f"{url}/accept", {}).json()["status"] == "accepted"
    assert (
        post(op, f"{url}/dispatch", {"department": "410105001-ZF"}).status_code == 400
    )  # must be filed first
    assert post(op, f"{url}/file", {}).json()["status"] == "filed"
    assert post(op, f"{url}/dispatch", {"department": "nope"}).status_code == 400
    assert (
        post(op, f"{url}/dispatch", {"department": "410105001-ZF"}).json()["department"]
        == "410105001-ZF"
    )
    assert post(op, f"{url}/fly", {}).status_code == 400
    handler = client_for(loop["handler"])
    assert post(handler, f"{url}/start", {}).json()["status"] == "handling"
    assert post(handler, f"{url}/feedback", {}).status_code == 400  # a note is needed
    photo = handler.post(
        f"/api/v1/cases/{case['id']}/photos",
        {"file": SimpleUploadedFile("after.jpg", jpeg()), "kind": "after"},
    )
    assert photo.status_code == 201
    assert (
        handler.post(
            f"/api/v1/cases/{case['id']}/photos", {"file": SimpleUploadedFile("x.jpg", b"no image")}
        ).status_code
        == 400
    )
    assert post(handler, f"{url}/feedback", {"note": "已修复"}).json()["status"] == "handled"
    assert (
        post(client_for(loop["member_a"]), f"{url}/verify_pass", {}).json()["status"] == "verified"
    )
    assert post(op, f"{url}/close", {}).json()["status"] == "closed"
    timeline = op.get(f"/api/v1/cases/{case['id']}/timeline").json()
    assert [e["action"] for e in timeline] == [
        "report",
        "accept",
        "file",
        "dispatch",
        "start",
        "photo",
        "feedback",
        "verify_pass",
        "close",
    ]
    assert timeline[1]["on_time"] is True


def test_lists_queues_and_map(loop, client_for):
    post(
        client_for(loop["member_a"]),
        "/api/v1/cases",
        {"description": "a", "lon": POINT_A[0], "lat": POINT_A[1]},
    )
    op = client_for(loop["op_a"])
    assert op.get("/api/v1/cases?queue=accept").json()["count"] == 1
    assert op.get("/api/v1/cases?queue=dispatch").json()["count"] == 0
    assert op.get("/api/v1/cases?queue=nonsense").status_code == 400
    geo = op.get("/api/v1/cases/map.geojson").json()
    assert len(geo["features"]) == 1
    assert op.get("/api/v1/categories").json()[0]["code"]


def test_inbound_sms(loop, client, settings):
    settings.GRIDGOV_SMS_INBOUND_TOKEN = "gateway-secret"
    body = {"from": "13812345678", "text": "小区门口垃圾三天没人清", "message_id": "gw-001"}
    assert post(client, "/api/v1/cases/sms", body).status_code == 401
    assert post(client, "/api/v1/cases/sms", body, HTTP_X_GRIDGOV_TOKEN="wrong").status_code == 401
    first = post(client, "/api/v1/cases/sms", body, HTTP_X_GRIDGOV_TOKEN="gateway-secret")
    again = post(client, "/api/v1/cases/sms", body, HTTP_X_GRIDGOV_TOKEN="gateway-secret")
    assert (first.status_code, again.status_code) == (201, 200)
    case = Case.objects.get()
    assert case.channel == "sms" and case.needs_locating and case.reporter_phone == "13812345678"
    assert (
        post(
            client,
            "/api/v1/cases/sms",
            {**body, "from": "call me"},
            HTTP_X_GRIDGOV_TOKEN="gateway-secret",
        ).status_code
        == 400
    )


def test_rating_a_case_over_the_api(loop, client_for):
    from gridgov.cases import services

    case, _ = services.report_case(
        actor=loop["member_a"],
        channel="hotline",
        description="噪音扰民",
        category="E0102",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    op = client_for(loop["op_a"])
    url = f"/api/v1/cases/{case.pk}/rating"
    early = op.post(url, {"score": 5}, content_type="application/json")
    assert early.status_code == 400 and early.json()["message"]
    for action in ("accept", "file"):
        case = services.perform(case, action, actor=loop["op_a"])
    Case.objects.filter(pk=case.pk).update(status="closed")
    assert op.post(url, {"score": 9}, content_type="application/json").status_code in (400, 422)
    assert op.post(url, "{", content_type="application/json").status_code == 400
    good = op.post(url, {"score": 4, "note": "回访"}, content_type="application/json")
    assert good.status_code == 200 and good.json() == {"id": case.pk, "satisfaction": 4}
    other = client_for(loop["op_b"]).post(url, {"score": 1}, content_type="application/json")
    assert other.status_code == 404


def test_an_inbound_sms_case_names_the_intake_account_on_its_timeline(
    loop, client, client_for, settings
):
    from gridgov.accounts.system import SMS_INTAKE, system_user

    settings.GRIDGOV_SMS_INBOUND_TOKEN = "gateway-secret"
    body = {"from": "13812345678", "text": "小区门口垃圾三天没人清", "message_id": "gw-002"}
    sent = post(client, "/api/v1/cases/sms", body, HTTP_X_GRIDGOV_TOKEN="gateway-secret")
    assert sent.status_code == 201
    case = Case.objects.get(pk=json.loads(sent.content)["id"])
    intake = system_user(SMS_INTAKE)
    assert case.reporter is None and case.area_code == "410105"  # the top of the tree
    [event] = case.events.all()
    assert (event.actor, event.actor_role) == (intake, "system")
    timeline = client_for(loop["district"]).get(f"/api/v1/cases/{case.pk}/timeline")
    [entry] = json.loads(timeline.content)
    assert (entry["actor"], entry["role"]) == (intake.display_name, "system")
    assert entry["actor"] == "系统：短信受理"
