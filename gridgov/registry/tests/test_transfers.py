"""Writes that find a record by its identifier never touch one outside the writer's scope: the
writer learns "held elsewhere", the holder gets a transfer request, the match is logged."""

import datetime
import json

import pytest
from django.utils import timezone

from gridgov.accounts.permissions import Role
from gridgov.accounts.system import TRANSFERS, system_user
from gridgov.audit.models import AccessLog
from gridgov.cases.worktime import minutes_per_workday, working_minutes_between
from gridgov.conftest import make_user
from gridgov.jobs.registry import function_for
from gridgov.notify.models import Message
from gridgov.registry import importing, services, transfers
from gridgov.registry.models import Person, TransferRequest
from gridgov.registry.tests.conftest import ID_A

HEADER = "姓名,公民身份号码,联系电话,人口类型,房屋编码,居住关系,入住日期,民族\n"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _new_person_in_b(client, id_number=ID_A):
    return post(
        client,
        "/api/v1/people",
        {
            "name": "冒名者",
            "id_number": id_number,
            "phone": "13700007777",
            "registration": "floating",
            "house_code": "B-B-1-1-2-202",
        },
    )


def test_a_new_person_with_an_id_held_elsewhere_becomes_a_transfer_request(
    homes, users, client_for
):
    zhang = homes["person_a"]
    answer = _new_person_in_b(client_for(users["op_b"]))
    assert answer.status_code == 409
    body = json.loads(answer.content)
    assert body["code"] == "held_elsewhere"
    # The requester learns nothing of the record: not its name, phone, area or house.
    text = json.dumps(body, ensure_ascii=False)
    assert "张三" not in text and "13800001111" not in text and zhang.area_code not in text
    zhang.refresh_from_db()
    assert (zhang.name, zhang.phone, zhang.area_code) == ("张三", "13800001111", "41010500100101")
    assert zhang.current_house == homes["house_a"]
    transfer = TransferRequest.objects.get(pk=body["details"]["transfer_request"])
    assert (transfer.person, transfer.holder_code, transfer.target_code) == (
        zhang,
        zhang.area_code,
        homes["house_b"].area_code,
    )
    told = Message.objects.filter(user=users["op_a"]).get()
    assert told.url == "/registry/transfers/" and "张三" not in told.title + told.body
    match = AccessLog.objects.get(purpose=transfers.MATCH_PURPOSE)
    assert (match.actor, match.subject_id, match.area_code) == (
        users["op_b"],
        str(zhang.pk),
        zhang.area_code,
    )


def test_the_holder_sees_and_decides_the_requester_sees_only_held_elsewhere(
    homes, users, client_for
):
    _new_person_in_b(client_for(users["op_b"]))
    mine = json.loads(client_for(users["op_b"]).get("/api/v1/transfers").content)
    assert len(mine) == 1 and mine[0]["record"] is None and mine[0]["may_decide"] is False
    assert "holder_code" not in mine[0] or mine[0]["holder_code"] is None
    holder = client_for(users["op_a"])
    (item,) = json.loads(holder.get("/api/v1/transfers").content)
    assert item["record"]["name"] == "张三" and item["may_decide"] is True
    # An outsider (another street with no part in it) sees nothing; the district does.
    other = make_user("op_c", Role.STREET_OPERATOR, ["410105002"])
    assert json.loads(client_for(other).get("/api/v1/transfers").content) == []
    assert client_for(other).get(f"/api/v1/transfers/{item['id']}").status_code == 404
    assert len(json.loads(client_for(users["district"]).get("/api/v1/transfers").content)) == 1
    # The requester cannot decide their own request.
    refused = post(
        client_for(users["op_b"]), f"/api/v1/transfers/{item['id']}/decide", {"accept": True}
    )
    assert refused.status_code == 403
    done = post(holder, f"/api/v1/transfers/{item['id']}/decide", {"accept": True, "note": "搬走"})
    assert done.status_code == 200 and json.loads(done.content)["status"] == "accepted"
    zhang = Person.objects.get(pk=homes["person_a"].pk)
    assert zhang.current_house.code == "B-B-1-1-2-202" and zhang.area_code.startswith("410105002")


def test_undecided_requests_go_to_the_common_parent_after_three_working_days(
    homes, users, client_for
):
    _new_person_in_b(client_for(users["op_b"]))
    transfer = TransferRequest.objects.get()
    assert working_minutes_between(transfer.requested_at, transfer.due_at) == pytest.approx(
        3 * minutes_per_workday()
    )
    assert transfers.escalate_due_transfers(actor=system_user(TRANSFERS)) == 0
    later = transfer.due_at + datetime.timedelta(minutes=1)
    assert transfers.escalate_due_transfers(later, actor=system_user(TRANSFERS)) == 1
    transfer.refresh_from_db()
    assert (transfer.status, transfer.decider_code) == ("escalated", "410105")
    assert not transfers.may_decide(users["op_a"], transfer)
    assert transfers.may_decide(users["district"], transfer)
    transfers.decide_transfer(transfer, actor=users["district"], accept=False, note="不同意")
    assert Person.objects.get(pk=homes["person_a"].pk).area_code == "41010500100101"


def test_identifier_matches_are_rate_limited_per_user(homes, users, client_for, settings):
    settings.GRIDGOV_IDENTIFIER_MATCHES_PER_HOUR = 1
    client = client_for(users["op_b"])
    assert _new_person_in_b(client).status_code == 409
    again = _new_person_in_b(client)
    assert again.status_code == 429 and json.loads(again.content)["code"] == "rate_limited"
    assert AccessLog.objects.filter(purpose=transfers.MATCH_PURPOSE).count() == 1


def test_a_new_organization_with_a_credit_code_held_elsewhere(homes, users, client_for):
    org = homes["org_b"]
    page = client_for(users["op_a"]).post(
        "/registry/organizations/new/",
        {
            "name": "甲街道冒名公司",
            "credit_code": org.credit_code,
            "kind": "enterprise",
            "lon": "113.605",
            "lat": "34.7175",
            "staff_count": "0",
            "state": "operating",
        },
    )
    assert page.status_code == 200  # the form again, with the message
    org.refresh_from_db()
    assert (org.name, org.area_code[:9]) == ("乙街道商贸公司", "410105002")
    transfer = TransferRequest.objects.get()
    assert (transfer.organization, transfer.requested_by) == (org, users["op_a"])
    with pytest.raises(transfers.HeldElsewhere):
        services.save_organization(
            {"name": "x", "credit_code": org.credit_code, "lon": 113.605, "lat": 34.7175},
            actor=users["op_a"],
        )


def test_an_import_in_scope_still_updates_the_known_person(homes, users):
    row = f"张三,{ID_A},13800003333,户籍人口,B-A-1-1-3-301,居住,2021-03-01,汉族"
    report = importing.commit(
        "people", (HEADER + row + "\n").encode(), "p.csv", actor=users["op_a"]
    )
    assert (report.created, report.updated) == (0, 1)
    assert Person.objects.get(pk=homes["person_a"].pk).phone == "13800003333"
    assert not TransferRequest.objects.exists()


def test_transfer_page_lists_and_decides(homes, users, client_for):
    _new_person_in_b(client_for(users["op_b"]))
    transfer = TransferRequest.objects.get()
    requester_page = client_for(users["op_b"]).get("/registry/transfers/").content.decode()
    assert "张三" not in requester_page
    holder = client_for(users["op_a"])
    assert "张三" in holder.get("/registry/transfers/").content.decode()
    answer = holder.post(f"/registry/transfers/{transfer.pk}/decide/", {"decision": "refuse"})
    assert answer.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == "refused" and transfer.decided_by == users["op_a"]


def test_an_import_sends_a_transfer_request_for_each_row_held_elsewhere(homes, users, english):
    row = f"冒名者,{ID_A},13700007777,流动人口,B-B-1-1-2-202,居住,2021-03-01,汉族"
    data = (HEADER + row + "\n").encode()
    dry = importing.check("people", data, "p.csv", actor=users["op_b"])
    assert "held by another area" in dry.errors[0].reason
    assert not TransferRequest.objects.exists()
    assert AccessLog.objects.filter(purpose=transfers.MATCH_PURPOSE).count() == 1
    report = importing.commit("people", data, "p.csv", actor=users["op_b"])
    transfer = TransferRequest.objects.get()
    assert transfer.person == homes["person_a"] and transfer.source == "import"
    assert transfer.target_house.code == "B-B-1-1-2-202"
    assert f"No. {transfer.pk}" in report.errors[0].reason
    # A row with its own problem reports that problem (and is no match).
    outside = f"冒名者,{ID_A},,流动人口,B-A-1-1-3-302,居住,2021-03-01,汉族"
    dry = importing.check(
        "people", (HEADER + outside + "\n").encode(), "p.csv", actor=users["op_b"]
    )
    assert [(e.row, e.column) for e in dry.errors] == [(2, "房屋编码")]


def test_escalation_runs_as_a_periodic_job(homes, users, client_for, settings):
    assert "registry.escalate_transfers" in settings.GRIDGOV_PERIODIC_JOBS
    _new_person_in_b(client_for(users["op_b"]))
    TransferRequest.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    assert function_for("registry.escalate_transfers")(None) == {"escalated": 1}
    assert TransferRequest.objects.get().decider_code == "410105"
