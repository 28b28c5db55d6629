"""吹哨报到: a street summons departments to a case on site; each reports within its time limit.
The whistle and every arrival are timeline entries; a summoned department sees the case and joins
the handling notes, others see nothing."""

import datetime
import json

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.permissions import Role
from gridgov.cases import services, whistle
from gridgov.cases.models import WhistleCall
from gridgov.cases.tests.conftest import POINT_A
from gridgov.conftest import make_user
from gridgov.notify.models import Outbox


@pytest.fixture
def filed(loop):
    case, _ = services.report_case(
        actor=loop["member_a"],
        channel="grid_member",
        description="占道经营堵塞消防通道",
        lon=POINT_A[0],
        lat=POINT_A[1],
        category="C0101",
    )
    case = services.perform(
        case, "escalate", actor=loop["community"], note="社区无法协调，上报街道"
    )
    case = services.perform(case, "accept", actor=loop["op_a"])
    return services.perform(case, "file", actor=loop["op_a"])


def test_the_street_summons_and_the_departments_report_in_time_or_late(loop, filed):
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        calls = whistle.blow_whistle(
            filed,
            acting_user=loop["op_a"],
            departments=[loop["squad"], loop["water"]],
            minutes=60,
            note="现场联合处置",
        )
    assert {c.department for c in calls} == {loop["squad"], loop["water"]}
    assert Outbox.objects.filter(destination=loop["handler"].phone).exists()
    # the water company's plumber now sees the case, and may add to the joint handling
    assert services.allowed_actions(filed, loop["plumber"])
    with time_machine.travel(start + datetime.timedelta(minutes=40), tick=False):
        whistle.report_in(filed, acting_user=loop["handler"], note="已到场")
    with time_machine.travel(start + datetime.timedelta(minutes=95), tick=False):
        whistle.report_in(filed, acting_user=loop["plumber"])
        services.perform(filed, "comment", actor=loop["plumber"], note="已关闭阀门")
    with pytest.raises(PermissionDenied):
        whistle.report_in(filed, acting_user=loop["plumber"])  # reported already
    events = {e.action: e for e in filed.events.all()}
    assert events["whistle"].data["departments"] == sorted([loop["squad"].code, loop["water"].code])
    arrivals = filed.events.filter(action="report_in").order_by("time")
    assert [(e.department, e.on_time, e.data["minutes"]) for e in arrivals] == [
        (loop["squad"], True, 40),
        (loop["water"], False, 95),
    ]
    assert filed.events.filter(action="comment", actor=loop["plumber"]).exists()


def test_only_the_holding_street_may_blow_and_only_for_its_choices(loop, filed):
    for name in ("member_a", "handler", "op_b"):
        with pytest.raises(PermissionDenied):
            whistle.blow_whistle(
                filed, acting_user=loop[name], departments=[loop["squad"]], minutes=60, note="x"
            )
    with pytest.raises(ValidationError):  # street B's squad is not a department this level may call
        whistle.blow_whistle(
            filed, acting_user=loop["op_a"], departments=[loop["other"]], minutes=60, note="x"
        )
    with pytest.raises(ValidationError):
        whistle.blow_whistle(
            filed, acting_user=loop["op_a"], departments=[loop["squad"]], minutes=5, note="x"
        )
    with pytest.raises(ValidationError):
        whistle.blow_whistle(
            filed, acting_user=loop["op_a"], departments=[loop["squad"]], minutes=60, note=" "
        )
    assert not WhistleCall.objects.exists()


def test_a_department_that_was_not_summoned_cannot_report_or_see(loop, filed, client_for):
    whistle.blow_whistle(
        filed, acting_user=loop["op_a"], departments=[loop["squad"]], minutes=60, note="联合执法"
    )
    outsider = make_user(
        "outsider", Role.DEPARTMENT_HANDLER, ["410105002"], department=loop["other"]
    )
    with pytest.raises(PermissionDenied):
        whistle.report_in(filed, acting_user=outsider)
    assert client_for(outsider).get(f"/api/v1/cases/{filed.pk}/whistle").status_code == 404
    assert client_for(loop["handler"]).get(f"/api/v1/cases/{filed.pk}/whistle").status_code == 200


def test_the_api_and_the_page(loop, filed, client_for):
    op = client_for(loop["op_a"])
    url = f"/api/v1/cases/{filed.pk}/whistle"
    bad = op.post(
        url, json.dumps({"departments": ["nope"], "note": "x"}), content_type="application/json"
    )
    assert bad.status_code == 400
    made = op.post(
        url,
        json.dumps({"departments": [loop["squad"].code], "minutes": 30, "note": "现场协调"}),
        content_type="application/json",
    )
    assert made.status_code == 201
    assert [c["department"] for c in made.json()] == [loop["squad"].code]
    assert made.json()[0]["reported_at"] is None
    handler = client_for(loop["handler"])
    page = handler.get(f"/cases/{filed.pk}/")
    assert page.status_code == 200 and page.context["my_summons"] is not None
    assert handler.post(f"/cases/{filed.pk}/report-in/", {"note": "到场"}).status_code == 302
    calls = handler.get(url).json()
    assert calls[0]["on_time"] is True
    assert (
        op.post(
            f"/api/v1/cases/{filed.pk}/report-in", "{}", content_type="application/json"
        ).status_code
        == 403
    )
    page = op.get(f"/cases/{filed.pk}/")
    assert page.context["whistle_departments"] is not None
    assert page.context["my_summons"] is None
