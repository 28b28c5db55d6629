"""The desk and phone pages: draft, approve, issue, forward, follow up, acknowledge, board,
import, rules; a bad polygon answers 400 with the reason and keeps the form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.warnings import cap
from gridgov.warnings.models import Kind, Receipt, Rule, State, Warning
from gridgov.warnings.tests.helpers import issued

pytestmark = pytest.mark.django_db
MEMBER = "grid_41010500100101"


def _form(**extra):
    return {
        "area_code": "410105",
        "event": "暴雨",
        "colour": "red",
        "certainty": "Likely",
        "status": "Actual",
        "headline": "暴雨红色预警",
        "instruction": "停止户外作业",
        "target_codes": ["410105001", "410105002"],
    } | extra


def test_district_drafts_approves_and_issues_on_the_desk(staff, users, client_for):
    desk = client_for(users["district"])
    page = desk.get("/warnings/new/")
    assert page.status_code == 200
    made = desk.post("/warnings/new/", _form())
    assert made.status_code == 302
    w = Warning.objects.get()
    assert desk.post(f"/warnings/{w.pk}/approve/").status_code == 302
    assert desk.post(f"/warnings/{w.pk}/issue/").status_code == 302
    w.refresh_from_db()
    assert w.state == State.ISSUED
    assert desk.get(f"/warnings/{w.pk}/board/").status_code == 200
    assert desk.get("/warnings/").status_code == 200


def test_a_bad_polygon_keeps_the_form_and_says_why(users, client_for):
    desk = client_for(users["district"])
    answer = desk.post(
        "/warnings/new/", _form(polygons='{"type": "Polygon", "coordinates": [[[1, 2]]]}')
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["polygons"]
    assert desk.post("/warnings/new/", _form(polygons="{not json")).status_code == 400
    assert not Warning.objects.exists()


def test_the_member_acknowledges_on_the_phone_page(staff, users, client_for):
    w = issued(users["district"], "410105", "orange")
    phone = client_for(staff[MEMBER])
    mine = phone.get("/warnings/mine/")
    assert mine.status_code == 200 and w.ack_code in mine.content.decode()
    detail = phone.get(f"/warnings/{w.pk}/")
    assert detail.status_code == 200
    receipt = Receipt.objects.get(warning=w, user=staff[MEMBER], channel="app")
    assert receipt.read_at is not None
    assert phone.post(f"/warnings/{w.pk}/ack/", {"next": "/warnings/mine/"}).status_code == 302
    receipt.refresh_from_db()
    assert receipt.acknowledged_at is not None and receipt.ack_via == "app"


def test_street_forwards_and_district_follows_up(staff, users, client_for):
    w = issued(users["district"], "410105", "red")
    street = client_for(staff["street_a"])
    answer = street.post(
        f"/warnings/{w.pk}/forward/", {"area_code": "410105001", "instruction": "各社区立即转移"}
    )
    assert answer.status_code == 302
    forward = Warning.objects.get(kind=Kind.FORWARD)
    assert forward.state == State.ISSUED and forward.original == w
    desk = client_for(users["district"])
    answer = desk.post(f"/warnings/{w.pk}/follow-up/", {"kind": "all_clear"})
    assert answer.status_code == 302
    clear = Warning.objects.get(kind=Kind.ALL_CLEAR)
    assert clear.original == w and clear.state == State.DRAFT
    assert desk.post(f"/warnings/{clear.pk}/issue/").status_code == 400  # not approved yet


def test_cap_import_page_and_rules_page(users, client_for):
    admin = client_for(users["admin"])
    w = issued(users["district"], "410105", "blue", targets=["410105001"])
    upload = SimpleUploadedFile("a.xml", cap.to_xml(w), "application/xml")
    assert (
        admin.post("/warnings/import/", {"area_code": "410105", "file": upload}).status_code == 302
    )
    bad = SimpleUploadedFile("b.xml", b"<x/>", "application/xml")
    assert admin.post("/warnings/import/", {"area_code": "410105", "file": bad}).status_code == 400
    answer = admin.post(
        "/warnings/rules/",
        {
            "name": "分类激增",
            "kind": "grid_class_spike",
            "area_code": "410105",
            "colour": "yellow",
            "outcome": "draft",
            "alpha": "0.05",
            "every_days": "7",
            "params": "{}",
            "active": "on",
        },
    )
    assert answer.status_code == 302
    rule = Rule.objects.get()
    assert rule.owner == users["admin"] and rule.area_code == "410105"
    assert admin.get(f"/warnings/rules/{rule.pk}/").status_code == 200


def test_the_cockpit_shows_the_active_warnings(staff, users, client_for):
    issued(users["district"], "410105", "red", headline="暴雨红色预警A")
    page = client_for(users["leader"]).get("/cockpit/")
    assert page.status_code == 200
    assert 'id="active-warnings"' in page.content.decode()
    partial = client_for(users["leader"]).get("/warnings/active/")
    assert "暴雨红色预警A" in partial.content.decode()
