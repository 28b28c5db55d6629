import re

from django.test import Client

from gridgov.cases.models import Case
from gridgov.notify.models import Outbox
from gridgov.portal import services
from gridgov.portal.models import GridContact, PortalReport
from gridgov.portal.tests.conftest import POINT_A, category, jpeg_with_metadata, last_code


def _report_page(client, **extra):
    page = client.get("/portal/report/").content.decode()
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    data = {
        "category": category().pk,
        "description": "小区门口路灯不亮",
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "consent": "on",
        "notify": "on",
        "idempotency_key": key,
        **extra,
    }
    return data


def test_a_citizen_reports_with_a_photo_and_the_sms_code(portal, english):
    client = Client(headers={"accept-language": "en"})
    assert client.get("/").status_code == 200
    assert client.post("/portal/code/", {"phone": "13800001234"}).json() == {"sent": True}
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _report_page(client, phone="13800001234", code=last_code("13800001234"))
    data["photo"] = SimpleUploadedFile("p.jpg", jpeg_with_metadata("x"), "image/jpeg")
    answer = client.post("/portal/report/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    made = PortalReport.objects.get()
    assert answer["Location"] == f"/portal/r/{made.number}/"
    assert Case.objects.get(pk=made.case_id).attachments.count() == 1
    page = client.get(answer["Location"]).content.decode()
    assert made.number in page and "审核后才向他人公开" in page
    mine = client.get("/portal/mine/").content.decode()
    assert made.number in mine


def test_a_voice_note_reaches_the_staff_and_never_the_public_page(portal, english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.tests.conftest import webm

    client = Client(headers={"accept-language": "en"})
    client.post("/portal/code/", {"phone": "13800001237"})
    data = _report_page(client, phone="13800001237", code=last_code("13800001237"))
    data["voice"] = SimpleUploadedFile("voice.webm", webm(), "audio/webm")
    answer = client.post("/portal/report/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    case = Case.objects.get(pk=PortalReport.objects.get().case_id)
    note = case.voice_notes.get()
    assert note.content_type == "audio/webm"
    assert f"/cases/voice/{note.pk}/" not in client.get(answer["Location"]).content.decode()
    assert client.get(f"/cases/voice/{note.pk}/").status_code in (302, 404)  # staff only

    bad = _report_page(client)
    bad["voice"] = SimpleUploadedFile("voice.webm", b"MZ" + b"\x00" * 300)
    refused = client.post("/portal/report/", bad)
    assert refused.status_code == 400 and PortalReport.objects.count() == 1
    assert "这不是录音文件" in refused.content.decode()  # the portal speaks Chinese first


def test_a_wrong_code_is_refused_and_nothing_is_made(portal, english):
    client = Client(headers={"accept-language": "en"})
    client.post("/portal/code/", {"phone": "13800001235"})
    answer = client.post("/portal/report/", _report_page(client, phone="13800001235", code="xx"))
    assert answer.status_code == 400 and not PortalReport.objects.exists()


def test_my_reports_needs_the_code(portal, english):
    client = Client(headers={"accept-language": "en"})
    assert "获取验证码" in client.get("/portal/mine/").content.decode()
    client.post("/portal/code/", {"phone": "13800001236"})
    answer = client.post(
        "/portal/mine/", {"phone": "13800001236", "code": last_code("13800001236")}
    )
    assert answer.status_code == 302
    assert "138****1236" in client.get("/portal/mine/").content.decode()


def test_find_my_grid_member_and_its_qr(portal, tree, english):
    grid = tree.grids[0]
    GridContact.objects.create(
        grid_code=grid.code,
        member_name="张网格",
        work_phone="0371-12345678",
        office="经八路社区居委会",
    )
    client = Client(headers={"accept-language": "en"})
    page = client.get(f"/portal/grid/?lon={POINT_A[0]}&lat={POINT_A[1]}").content.decode()
    assert "张网格" in page and "0371-12345678" in page
    qr = client.get(f"/portal/grid/{grid.code}/qr.svg")
    assert qr.status_code == 200 and b"<svg" in qr.content


def test_list_feed_stats_and_moderation(portal, users, client_for, english):
    from gridgov.portal.tests.conftest import confirmed

    citizen = confirmed("13800001237", portal)
    made = services.submit_report(
        actor=portal,
        category=category(),
        description="路灯不亮",
        citizen=citizen,
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="pages-0001",
    )
    staff = client_for(users["op_a"])
    assert made.number in staff.get("/portal/moderation/").content.decode()
    assert staff.post(f"/portal/moderation/{made.pk}/", {"decision": "publish"}).status_code == 302
    anyone = Client(headers={"accept-language": "en"})
    assert made.number in anyone.get("/portal/reports/").content.decode()
    feed = anyone.get(f"/portal/feed/{made.street_code}.atom")
    assert (
        feed["Content-Type"].startswith("application/atom+xml")
        and made.number.encode() in feed.content
    )
    assert "路灯不亮" not in anyone.get("/portal/stats/").content.decode()
    assert anyone.get("/api/v1/portal/streets").json()[0]["reports"] == 1
    # Following by SMS after confirming the phone.
    other = Client(headers={"accept-language": "en"})
    other.post("/portal/code/", {"phone": "13800001238"})
    other.post("/portal/mine/", {"phone": "13800001238", "code": last_code("13800001238")})
    assert other.post(f"/portal/r/{made.number}/", {"action": "follow"}).status_code == 302
    assert made.followers.count() == 2
    assert Outbox.objects.filter(destination="13800001237").exists()


def test_find_my_grid_member_by_a_typed_address(portal, tree, users, english):
    """The address box is answered by the registry's gazetteer: one match names the grid."""
    from gridgov.registry import gazetteer_build

    grid = tree.grids[0]
    GridContact.objects.create(
        grid_code=grid.code, member_name="李网格", work_phone="0371-87654321", office="社区"
    )
    row = {"kind": "landmark", "name": "经八路小学", "lon": str(POINT_A[0]), "lat": str(POINT_A[1])}
    assert gazetteer_build.import_addresses(users["admin"], [row], dry_run=False).written == 1
    client = Client(headers={"accept-language": "en"})
    page = client.get("/portal/grid/?address=经八路小学").content.decode()
    assert "李网格" in page and "0371-87654321" in page
    none = client.get("/portal/grid/?address=不存在的地方").content.decode()
    assert "李网格" not in none
