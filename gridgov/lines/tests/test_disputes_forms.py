"""The desk forms of the dispute path, the case ↔ dispute routes and the phone's dispute pages:
codes, scope (the other street gets 404, the street's own operator sees it) and who is offered
which form."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.areas.models import Area
from gridgov.cases.models import Channel
from gridgov.cases.services.intake import report_case
from gridgov.lines.models import Dispute, DisputeState, RiskGrade
from gridgov.lines.services import disputes as ds
from gridgov.lines.tests.disputes_helpers import days, dispute, shop
from gridgov.registry import services as registry

pytestmark = pytest.mark.django_db
GRID_A = "41010500100101"


def _step(client, d, step: str, data: dict):
    return client.post(
        f"/lines/disputes/{d.pk}/do/{step}/", {f"{step}-{k}": v for k, v in data.items()}
    )


def test_register_at_the_desk(users, client_for):
    op = client_for(users["op_a"])
    page = op.get("/lines/disputes/")
    assert 'id="dispute-new"' in page.content.decode()
    form = op.get("/lines/disputes/new/")
    assert form.status_code == 200 and GRID_A in form.content.decode()
    bad = op.post("/lines/disputes/new/", {"kind": "family", "title": "无当事人", "area": GRID_A})
    assert bad.status_code == 400 and not Dispute.objects.exists()
    outside = op.post(
        "/lines/disputes/new/",
        {"kind": "family", "title": "越界", "area": "41010500200101", "applicants": "甲"},
    )
    assert outside.status_code == 400 and not Dispute.objects.exists()
    made = op.post(
        "/lines/disputes/new/",
        {
            "kind": "labour",
            "title": "欠薪纠纷",
            "area": GRID_A,
            "risk": "high",
            "source": "patrol",
            "applicants": "张三\n李四",
            "respondents": "某建筑公司",
            "description": "三个月工资未发",
        },
    )
    d = Dispute.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/lines/disputes/{d.pk}/"
    roles = sorted(d.parties.values_list("name", "role"))
    assert roles == [("张三", "applicant"), ("李四", "applicant"), ("某建筑公司", "respondent")]
    assert d.flagged and d.risk == RiskGrade.HIGH
    leader = client_for(users["leader"])
    assert leader.get("/lines/disputes/new/").status_code == 403
    assert 'id="dispute-new"' not in leader.get("/lines/disputes/").content.decode()


def test_the_path_by_the_forms(users, client_for):
    d = dispute(users["op_a"], "漏水纠纷", GRID_A)
    op = client_for(users["op_a"])
    page = op.get(f"/lines/disputes/{d.pk}/").content.decode()
    assert 'id="step-session"' in page and 'id="step-signed"' not in page
    leader_page = client_for(users["leader"]).get(f"/lines/disputes/{d.pk}/")
    assert (
        leader_page.status_code == 200 and 'id="step-session"' not in leader_page.content.decode()
    )
    assert _step(client_for(users["leader"]), d, "regrade", {"risk": "high"}).status_code == 403
    assert _step(client_for(users["op_b"]), d, "regrade", {"risk": "high"}).status_code == 404
    assert _step(op, d, "nonsense", {}).status_code == 404

    future = _step(op, d, "session", {"held_on": str(days(3)), "participants": "甲", "record": "x"})
    assert future.status_code == 400 and d.sessions.count() == 0
    session = {"held_on": str(days(0)), "participants": "张三、李四", "record": "第一次调解"}
    assert _step(op, d, "session", session).status_code == 302
    too_early = _step(op, d, "follow_up", {"visited_on": str(days(0)), "note": "回访"})
    assert too_early.status_code == 400  # not offered before the agreement is in force
    assert _step(op, d, "agreement", {"text": "赔偿五百元。"}).status_code == 302
    assert op.get(f"/lines/disputes/{d.pk}/agreement.pdf").content.startswith(b"%PDF")
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed", "application/pdf")
    assert op.post(f"/lines/disputes/{d.pk}/do/signed/", {"signed-scan": scan}).status_code == 302
    d.refresh_from_db()
    assert d.state == DisputeState.FULFILMENT and d.effective_on == days(0)
    late = _step(op, d, "court", {"applied_on": str(days(31))})
    assert late.status_code == 400 and "30" in late.content.decode()
    assert (
        _step(op, d, "court", {"applied_on": str(days(0)), "result": "已确认"}).status_code == 302
    )
    done = _step(
        op, d, "follow_up", {"visited_on": str(days(0)), "note": "已履行", "fulfilled": "on"}
    )
    assert done.status_code == 302
    d.refresh_from_db()
    assert d.state == DisputeState.CLOSED and d.court_result == "已确认"
    page = op.get(f"/lines/disputes/{d.pk}/").content.decode()
    assert "已履行" in page and 'id="step-close"' not in page


def test_referral_regrade_and_close(users, client_for):
    op = client_for(users["op_a"])
    d = dispute(users["op_a"], "土地纠纷", GRID_A)
    assert _step(op, d, "regrade", {"risk": "group"}).status_code == 302
    d.refresh_from_db()
    assert d.risk == RiskGrade.GROUP and d.flagged
    assert _step(op, d, "refer", {"body": "justice", "body_name": "城关司法所"}).status_code == 302
    referral = d.referrals.get()
    empty = _step(op, d, "outcome", {"referral": referral.pk})
    assert empty.status_code == 400
    outcome = {"referral": referral.pk, "accepted_on": str(days(0)), "outcome": "已调处"}
    assert _step(op, d, "outcome", outcome).status_code == 302
    d.refresh_from_db()
    assert d.state == DisputeState.CLOSED
    other = dispute(users["op_a"], "债务纠纷", GRID_A)
    assert _step(op, other, "close", {"success": "0", "note": ""}).status_code == 400
    assert _step(op, other, "close", {"success": "0", "note": "申请人撤回"}).status_code == 302
    other.refresh_from_db()
    assert other.state == DisputeState.CLOSED and other.success is False
    again = _step(op, other, "close", {"success": "1", "note": "再关"})
    assert again.status_code == 400


def _case(user, title="楼道堆物引发邻里争吵"):
    case, _created = report_case(
        actor=user,
        channel=Channel.GRID_MEMBER,
        title=title,
        description="双方争吵，需调解。",
        address="1号楼2单元",
        area_code=GRID_A,
    )
    return case


def test_case_to_dispute_and_back(users, client_for):
    case = _case(users["member_a"])
    op = client_for(users["op_a"])
    page = op.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="to-dispute"' in page
    assert (
        'id="to-dispute"'
        not in client_for(users["leader"]).get(f"/cases/{case.pk}/").content.decode()
    )
    assert client_for(users["op_b"]).get(f"/lines/disputes/from-case/{case.pk}/").status_code == 404
    assert (
        client_for(users["leader"]).get(f"/lines/disputes/from-case/{case.pk}/").status_code == 403
    )
    assert op.get(f"/lines/disputes/from-case/{case.pk}/").status_code == 200
    assert (
        op.post(f"/lines/disputes/from-case/{case.pk}/", {"kind": "neighbourhood"}).status_code
        == 400
    )
    made = op.post(
        f"/lines/disputes/from-case/{case.pk}/",
        {"kind": "neighbourhood", "risk": "low", "applicants": "王五", "respondents": "赵六"},
    )
    d = Dispute.objects.get(case=case)
    assert made.status_code == 302 and d.source == "case" and d.place == "1号楼2单元"
    page = op.get(f"/cases/{case.pk}/").content.decode()
    assert d.number in page and 'id="to-dispute"' not in page
    assert op.get(f"/lines/disputes/from-case/{case.pk}/")["Location"] == f"/lines/disputes/{d.pk}/"
    with pytest.raises(ValidationError):
        ds.dispute_from_case(
            case, actor=users["op_a"], kind="other", risk="low", parties=[ds.PartyInput("甲")]
        )
    assert 'id="case-link"' in op.get(f"/lines/disputes/{d.pk}/").content.decode()

    other = dispute(users["op_a"], "物业纠纷", GRID_A)
    assert _step(client_for(users["op_b"]), other, "to_case", {}).status_code == 404
    back = _step(op, other, "to_case", {})
    other.refresh_from_db()
    assert back.status_code == 302 and back["Location"] == f"/cases/{other.case_id}/"
    assert 'id="step-to_case"' not in op.get(f"/lines/disputes/{other.pk}/").content.decode()


def test_case_dispute_api(users, client_for):
    case = _case(users["member_a"], "噪音扰民")
    api = client_for(users["op_a"])
    body = {"kind": "neighbourhood", "risk": "medium", "parties": [{"name": "孙八"}]}
    outsider = client_for(users["op_b"]).post(
        f"/api/v1/disputes/from-case/{case.pk}", body, content_type="application/json"
    )
    assert outsider.status_code == 404
    made = api.post(f"/api/v1/disputes/from-case/{case.pk}", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["case_id"] == case.pk
    twice = api.post(f"/api/v1/disputes/from-case/{case.pk}", body, content_type="application/json")
    assert twice.status_code == 400
    d = dispute(users["op_a"], "婚姻纠纷", GRID_A)
    regraded = api.post(
        f"/api/v1/disputes/{d.pk}/regrade", {"risk": "high"}, content_type="application/json"
    )
    assert regraded.status_code == 200 and regraded.json()["flagged"]
    assert client_for(users["op_b"]).post(f"/api/v1/disputes/{d.pk}/case").status_code == 404
    to_case = api.post(f"/api/v1/disputes/{d.pk}/case")
    assert to_case.status_code == 201 and to_case.json()["case_id"]
    assert api.post(f"/api/v1/disputes/{d.pk}/case").status_code == 400


def test_phone_register_and_follow_up(users, client_for):
    member = client_for(users["member_a"])
    home = member.get("/m/").content.decode()
    assert "/lines/m/disputes/" in home
    form = member.get("/lines/m/disputes/new/").content.decode()
    assert 'class="m-input"' in form and f'value="{GRID_A}" selected' in form
    bad = member.post("/lines/m/disputes/new/", {"kind": "family", "title": "x", "area": GRID_A})
    assert bad.status_code == 400
    made = member.post(
        "/lines/m/disputes/new/",
        {
            "kind": "family",
            "title": "婆媳矛盾",
            "area": GRID_A,
            "risk": "low",
            "source": "patrol",
            "applicants": "周九",
        },
    )
    d = Dispute.objects.get(title="婆媳矛盾")
    assert made.status_code == 302 and made["Location"] == f"/lines/m/disputes/{d.pk}/"
    # the phone page it lands on says so (once: the next page has no message)
    shown = re.findall(r'role="status">([^<]*)<', member.get(made["Location"]).content.decode())
    assert len(shown) == 1 and d.number in shown[0]
    assert 'role="status">' not in member.get(made["Location"]).content.decode()
    assert "婆媳矛盾" in member.get("/lines/m/disputes/").content.decode()
    assert client_for(users["op_b"]).get(f"/lines/m/disputes/{d.pk}/").status_code == 404
    assert "婆媳矛盾" not in client_for(users["op_b"]).get("/lines/m/disputes/").content.decode()
    page = member.get(f"/lines/m/disputes/{d.pk}/").content.decode()
    assert "m-follow-up-form" not in page  # no agreement in force yet
    ds.add_session(d, actor=users["op_a"], held_on=days(0), participants="周九", record="调解")
    ds.draft_agreement(d, "和睦相处", actor=users["op_a"])
    ds.upload_signed_agreement(d, b"%PDF", "s.pdf", actor=users["op_a"])
    assert "m-follow-up-form" in member.get(f"/lines/m/disputes/{d.pk}/").content.decode()
    follow = {"follow_up-visited_on": str(days(0)), "follow_up-note": "关系缓和"}
    assert client_for(users["op_b"]).post(f"/lines/m/disputes/{d.pk}/", follow).status_code == 404
    assert client_for(users["leader"]).post(f"/lines/m/disputes/{d.pk}/", follow).status_code == 403
    assert member.post(f"/lines/m/disputes/{d.pk}/", follow).status_code == 302
    assert d.follow_ups.get().note == "关系缓和"


def _person(admin, name: str, passport: str, grid: str):
    person, _created = registry.save_person(
        {
            "name": name,
            "other_id": passport,
            "other_id_type": "passport",
            "registration": "floating",
        },
        actor=admin,
        area_code=grid,
    )
    return person


def test_parties_picked_from_the_registry(users, client_for):
    """The desk's parties picker: people and organizations of the user's area, masked; a picked
    party is linked to its registry record; another street's record is neither found nor
    accepted."""
    admin = users["admin"]
    mine = _person(admin, "欧阳明", "EPICKA0001", GRID_A)
    theirs = _person(admin, "欧阳亮", "EPICKB0001", "41010500200101")
    shop_a = shop(users["op_a"], "欧阳便利店")
    op = client_for(users["op_a"])

    found = op.get("/lines/disputes/parties/", {"party_q": "欧阳"})
    html = found.content.decode()
    assert found.status_code == 200
    assert f'data-ref="person:{mine.pk}"' in html and f'data-ref="org:{shop_a.pk}"' in html
    assert f'data-ref="person:{theirs.pk}"' not in html
    assert "欧**" in html and "欧阳明" not in html  # the name masked, the grid named
    chip = op.get(
        "/lines/disputes/parties/", {"pick": f"person:{mine.pk}", "party_role": "respondent"}
    )
    assert chip.status_code == 200
    assert f'value="person:{mine.pk}:respondent" checked' in chip.content.decode()
    assert op.get("/lines/disputes/parties/", {"pick": f"person:{theirs.pk}"}).status_code == 404
    assert op.get("/lines/disputes/parties/", {"pick": "person:x"}).status_code == 400
    assert client_for(users["leader"]).get("/lines/disputes/parties/").status_code == 403
    # the administrator finds street B's person too (the negative case above is live)
    wide = client_for(admin).get("/lines/disputes/parties/", {"party_q": "欧阳"})
    assert f'data-ref="person:{theirs.pk}"' in wide.content.decode()

    form = {
        "kind": "neighbourhood",
        "title": "欧阳家纠纷",
        "area": GRID_A,
        "risk": "low",
        "source": "patrol",
    }
    # an error elsewhere keeps the picked parties on the page, masked
    again = op.post(
        "/lines/disputes/new/", {**form, "title": "", "linked": [f"person:{mine.pk}:applicant"]}
    )
    assert again.status_code == 400
    assert f'value="person:{mine.pk}:applicant" checked' in again.content.decode()
    # another street's person is refused with a clear 400, nothing registered
    refused = op.post("/lines/disputes/new/", {**form, "linked": f"person:{theirs.pk}:applicant"})
    assert refused.status_code == 400 and not Dispute.objects.exists()
    assert "您的管辖范围内没有该记录。" in refused.content.decode()
    made = op.post(
        "/lines/disputes/new/",
        {
            **form,
            "respondents": "邻居某",
            "linked": [f"person:{mine.pk}:applicant", f"org:{shop_a.pk}:respondent"],
        },
    )
    assert made.status_code == 302, made.content.decode()[:2000]
    d = Dispute.objects.get()
    parties = sorted(d.parties.values_list("role", "name", "person_id", "organization_id"))
    assert parties == [
        ("applicant", "欧阳明", mine.pk, None),
        ("respondent", "欧阳便利店", None, shop_a.pk),
        ("respondent", "邻居某", None, None),
    ]
    page = op.get(f"/lines/disputes/{d.pk}/").content.decode()
    assert page.count("已关联基础数据") == 2  # the two parties picked from the registry
    assert f'href="/registry/people/{mine.pk}/"' in page  # the person's registry page


def test_phone_form_picks_parties_from_the_registry(users, client_for):
    """The phone's dispute form offers the desk's picker (the same endpoint) beside the typed
    names: a member finds and links a person of their grid, another street's is refused (400);
    the administrator finds that one (the negative case is live)."""
    admin = users["admin"]
    mine = _person(admin, "司马青", "EPHONEA001", GRID_A)
    theirs = _person(admin, "司马红", "EPHONEB001", "41010500200101")
    member = client_for(users["member_a"])
    page = member.get("/lines/m/disputes/new/").content.decode()
    assert 'id="party-q"' in page and 'hx-get="/lines/disputes/parties/"' in page
    assert "lines/m_dispute.js" in page and 'id="party-offline"' in page
    assert 'data-url="/api/v1/disputes"' in page  # offline, the form waits in the outbox
    found = member.get("/lines/disputes/parties/", {"party_q": "司马"}).content.decode()
    assert f'data-ref="person:{mine.pk}"' in found and "司**" in found and "司马青" not in found
    assert f'data-ref="person:{theirs.pk}"' not in found
    wide = client_for(admin).get("/lines/disputes/parties/", {"party_q": "司马"})
    assert f'data-ref="person:{theirs.pk}"' in wide.content.decode()
    form = {"kind": "family", "title": "司马家纠纷", "area": GRID_A, "risk": "low"}
    form["source"] = "patrol"
    refused = member.post(
        "/lines/m/disputes/new/", {**form, "linked": f"person:{theirs.pk}:applicant"}
    )
    assert refused.status_code == 400 and not Dispute.objects.exists()
    # an error elsewhere keeps the picked party ticked on the phone page, masked
    again = member.post(
        "/lines/m/disputes/new/", {**form, "title": "", "linked": f"person:{mine.pk}:applicant"}
    )
    html = again.content.decode()
    assert again.status_code == 400 and f'value="person:{mine.pk}:applicant" checked' in html
    assert "司马青" not in html
    made = member.post(
        "/lines/m/disputes/new/",
        {**form, "respondents": "邻居某", "linked": f"person:{mine.pk}:applicant"},
    )
    d = Dispute.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/lines/m/disputes/{d.pk}/"
    parties = sorted(d.parties.values_list("role", "name", "person_id"))
    assert parties == [("applicant", "司马青", mine.pk), ("respondent", "邻居某", None)]


def test_screening_found_goes_on_to_register_in_that_grid(users, client_for):
    """The phone's screening names the grid (not its code); "disputes found" records the
    screening and opens the register form on that grid with the source "screening"; another
    street's operator cannot answer the task (404)."""
    ds.create_screenings(actor=users["admin"])
    member = client_for(users["member_a"])
    page = member.get("/lines/m/screening/").content.decode()
    task_id = page.split('data-id="')[1].split('"')[0]
    grid_name = Area.objects.get(code=GRID_A).name
    assert grid_name in page and f">{GRID_A}<" not in page
    outsider = client_for(users["op_b"]).post(
        "/lines/m/screening/", {"task": task_id, "found": "1"}
    )
    assert outsider.status_code == 404
    found = member.post("/lines/m/screening/", {"task": task_id, "found": "1", "note": "楼道争吵"})
    assert found.status_code == 302 and found["Location"] == f"/lines/m/disputes/new/?area={GRID_A}"
    form = member.get(found["Location"]).content.decode()
    assert 'value="screening" selected' in form and f'value="{GRID_A}" selected' in form
    assert "排查结果已记录。" in form  # the message shown on the phone page
    assert "data-id" not in member.get("/lines/m/screening/").content.decode()


def test_a_dispute_from_the_phone_outbox_is_registered_once(users, client_for):
    """The phone's outbox sends POST /api/v1/disputes with a client key: the first answer is
    201, the same key again 200 with the same dispute; a party picked from the registry may come
    as its id alone (the registry's name is kept); another street's person is refused."""
    import json

    admin = users["admin"]
    mine = _person(admin, "东方白", "EOUTBOX001", GRID_A)
    theirs = _person(admin, "东方红", "EOUTBOX002", "41010500200101")
    member = client_for(users["member_a"])
    key = "0b0c7b1e-4f4a-4d59-9a57-2f9d1c0e5a11"
    body = {
        "kind": "neighbourhood",
        "title": "离线登记的纠纷",
        "area_code": GRID_A,
        "source": "screening",
        "parties": [
            {"name": "西门吹", "role": "applicant"},
            {"role": "respondent", "person_id": mine.pk},
        ],
        "client_key": key,
    }

    def send(client, data):
        return client.post("/api/v1/disputes", json.dumps(data), content_type="application/json")

    first = send(member, body)
    assert first.status_code == 201, first.content
    again = send(member, body)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    d = Dispute.objects.get()
    assert d.client_key == key and d.created_by == users["member_a"]
    assert sorted(d.parties.values_list("name", "person_id")) == [
        ("东方白", mine.pk),
        ("西门吹", None),
    ]
    # the key is the member's: another user sending it makes nothing
    assert send(client_for(users["op_a"]), body).status_code == 400
    other = {**body, "client_key": "0b0c7b1e-4f4a-4d59-9a57-2f9d1c0e5a12"}
    refused = send(member, {**other, "parties": [{"role": "applicant", "person_id": theirs.pk}]})
    assert refused.status_code == 400
    nameless = send(member, {**other, "parties": [{"role": "applicant"}]})
    assert nameless.status_code == 400
    assert Dispute.objects.count() == 1
