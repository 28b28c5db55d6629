import datetime
import zoneinfo

import time_machine

from gridgov.accounts.system import JOBS, system_user
from gridgov.cases import services
from gridgov.cases.models import Card, Case
from gridgov.cases.tests.conftest import POINT_A
from gridgov.jobs.services import enqueue, run_pending
from gridgov.notify.models import Message

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_yellow_then_red_card_then_escalation_across_national_day(loop, settings):
    settings.GRIDGOV_ESCALATE_ON_RED = True
    with time_machine.travel(datetime.datetime(2026, 9, 30, 17, 0, tzinfo=TZ), tick=False):
        case, _ = services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description="井盖缺失",
            category="C0101",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
        case = services.perform(case, "accept", actor=loop["op_a"])
        case = services.perform(case, "file", actor=loop["op_a"])
        case = services.perform(case, "dispatch", actor=loop["op_a"], department=loop["squad"])
    # Handling limit for 上水井盖: 3 working days from Wednesday 30 September 17:00 → Saturday 10 October
    # 17:00 (1–7 October are holidays; the 10th is a working Saturday).
    assert case.stage_deadline == datetime.datetime(2026, 10, 10, 17, 0, tzinfo=TZ)
    with time_machine.travel(datetime.datetime(2026, 10, 7, 12, 0, tzinfo=TZ), tick=False):
        assert services.sweep_deadlines(actor=system_user(JOBS)) == {
            "yellow": 0,
            "red": 0,
            "escalated": 0,
        }
    with time_machine.travel(datetime.datetime(2026, 10, 10, 17, 1, tzinfo=TZ), tick=False):
        assert services.sweep_deadlines(actor=system_user(JOBS))["yellow"] == 1
        assert services.sweep_deadlines(actor=system_user(JOBS))["yellow"] == 0  # once per deadline
    case.refresh_from_db()
    assert case.stage_card == "yellow" and Card.objects.get(case=case).kind == "yellow"
    assert Message.objects.filter(user=loop["handler"], title__contains="黄牌").exists()
    # Red when the deadline has passed by the limit again: 3 more working days → Wednesday 14 October 17:00.
    with time_machine.travel(datetime.datetime(2026, 10, 14, 17, 1, tzinfo=TZ), tick=False):
        counts = services.sweep_deadlines(actor=system_user(JOBS))
    assert counts == {"yellow": 0, "red": 1, "escalated": 1}
    case.refresh_from_db()
    assert case.stage_card == "red" and case.level_code == "410105001" and case.escalations == 1
    assert list(
        case.events.filter(action__in=["yellow_card", "red_card", "escalate"]).values_list(
            "action", flat=True
        )
    ) == ["yellow_card", "red_card", "escalate"]


def test_finishing_the_stage_clears_the_card_and_judges_lateness(loop):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=False):
        case, _ = services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description="x",
            category="E0102",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0, tzinfo=TZ), tick=False):
        services.sweep_deadlines(
            actor=system_user(JOBS)
        )  # acceptance limit 30 working minutes: passed
        case = services.perform(case, "accept", actor=loop["op_a"])
    assert case.events.get(action="accept").on_time is False
    assert Card.objects.get(case=case).cleared_at is not None
    assert case.stage_card == "" and case.stage == "file"


def test_the_sweep_runs_as_a_job(loop):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, 0, tzinfo=TZ), tick=False):
        services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description="x",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
    with time_machine.travel(datetime.datetime(2026, 11, 24, 9, 0, tzinfo=TZ), tick=False):
        job = enqueue("cases.sweep_deadlines", actor=system_user(JOBS))
        run_pending()
    job.refresh_from_db()
    assert job.status == "done" and job.result["red"] == 1
    assert Case.objects.get().stage_card == "red"
