"""Assessment counts how departments answer a whistle (吹哨报到): summons in the month they were
made, arrivals on site within the time given. Worked out by hand below."""

import datetime

import pytest
import time_machine

from gridgov.assessment import queries
from gridgov.assessment.indicators import INDICATORS, shown_value
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import TZ
from gridgov.cases import services, whistle
from gridgov.cases.models import Case
from gridgov.cases.tests.conftest import POINT_A


def at(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def _street_case(loop, when):
    with time_machine.travel(when, tick=False):
        case, _ = services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description="占道经营",
            category="C0101",
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
        Case.objects.filter(pk=case.pk).update(level_code="410105001")
        return services.perform(case, "accept", actor=loop["op_a"])


def test_departments_are_scored_on_arriving_when_summoned(loop):
    first = _street_case(loop, at(10, 30, 9))
    with time_machine.travel(at(10, 30, 10), tick=False):
        whistle.blow_whistle(
            first,
            acting_user=loop["op_a"],
            departments=[loop["squad"], loop["water"]],
            minutes=60,
            note="联合处置",
        )
    with time_machine.travel(at(10, 30, 10, 40), tick=False):
        whistle.report_in(first, acting_user=loop["handler"])  # in time
    with time_machine.travel(at(10, 30, 12), tick=False):
        whistle.report_in(first, acting_user=loop["plumber"])  # late
    # a summons made in November of an October case counts in November
    with time_machine.travel(at(11, 2, 9), tick=False):
        whistle.blow_whistle(
            first,
            acting_user=loop["op_a"],
            departments=[loop["water"]],
            minutes=30,
            note="再次召集",
        )
    roll_up()
    october = {
        name: queries.totals(loop["district"], "department", str(loop[name].pk), ["2026-10"])
        for name in ("squad", "water")
    }
    assert (october["squad"]["whistle_calls"], october["squad"]["whistle_on_time"]) == (1, 1)
    assert (october["water"]["whistle_calls"], october["water"]["whistle_on_time"]) == (1, 0)
    november = queries.totals(loop["district"], "department", str(loop["water"].pk), ["2026-11"])
    assert (november["whistle_calls"], november["whistle_on_time"]) == (1, 0)  # never came
    indicator = INDICATORS["whistle_on_time"]
    assert shown_value(indicator, october["squad"]) == 1
    assert shown_value(indicator, october["water"]) == 0
    both = queries.totals(
        loop["district"], "department", str(loop["water"].pk), ["2026-10", "2026-11"]
    )
    assert shown_value(indicator, both) == pytest.approx(0)
    # an answer that comes in later is counted by the next (incremental) roll-up
    with time_machine.travel(at(11, 2, 9, 20), tick=False):
        whistle.report_in(first, acting_user=loop["plumber"])
    roll_up()
    november = queries.totals(loop["district"], "department", str(loop["water"].pk), ["2026-11"])
    assert (november["whistle_calls"], november["whistle_on_time"]) == (1, 1)
