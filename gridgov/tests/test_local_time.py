"""Local time (Asia/Shanghai) wherever a person reads or a rule counts. Each test stands just after
midnight in Beijing, when the UTC date is still the day before."""

import datetime
import zoneinfo

import pytest
import time_machine

from gridgov.areas.models import Area
from gridgov.cases import services
from gridgov.cases.cards import case_facts

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
JUST_AFTER_MIDNIGHT = datetime.datetime(2026, 12, 1, 0, 30, tzinfo=TZ)  # 30 Nov 16:30 UTC


def _report(user):
    case, _ = services.report_case(
        actor=user, channel="grid_member", description="路灯不亮", address="甲街道1号"
    )
    return case


def test_a_case_number_carries_the_local_date(users):
    with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
        case = _report(users["member_a"])
    case.refresh_from_db()
    assert case.number == f"20261201-{case.pk}"


def test_reported_this_month_starts_at_local_midnight_on_the_first(users):
    with time_machine.travel(JUST_AFTER_MIDNIGHT - datetime.timedelta(hours=1), tick=False):
        _report(users["member_a"])  # 30 November, 23:30 in Beijing: last month
    with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
        _report(users["member_a"])
        facts = {
            f.key: f.value for f in case_facts(Area.objects.get(code="410105001"), users["op_a"])
        }
    assert facts["cases_this_month"] == 1


@pytest.mark.parametrize("field", ["generated_at"])
def test_report_footers_are_local_time(users, field):
    from gridgov.assessment.services import build_report

    with time_machine.travel(JUST_AFTER_MIDNIGHT, tick=False):
        data = build_report(users["district"], "410105", "2026-11")
    assert data[field].startswith("2026-12-01T00:30")
