"""Hand-built October 2026 case histories whose figures the tests work out by hand.

Street A (grid 41010500100101), reported by member_a on Monday 12 October:
1. accepted, filed, dispatched to the squad, handled, verified, closed — every step on time;
2. rejected as invalid;
3. accepted, filed, dispatched to the water company, returned, dispatched to the squad,
   handling reported late (after a yellow card), sent back for rework, handled again on time,
   verified, closed;
4. handled on the spot by the grid member.
Street B: one case, accepted only.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from gridgov.accounts.permissions import Role
from gridgov.accounts.system import JOBS, system_user
from gridgov.cases import services
from gridgov.cases.models import AttachmentKind
from gridgov.cases.photos import check_photo
from gridgov.cases.tests.conftest import (
    POINT_A,
    POINT_B,
    jpeg,
    taxonomy,  # noqa: F401 (a fixture)
)
from gridgov.cases.tests.conftest import loop as loop
from gridgov.conftest import make_user

TZ = timezone.get_default_timezone()
OCTOBER = "2026-10"


class Clock:
    def __init__(self, traveller):
        self.traveller = traveller

    def at(self, day: int, hour: int, minute: int = 0, month: int = 10) -> None:
        self.traveller.move_to(datetime.datetime(2026, month, day, hour, minute, tzinfo=TZ))


@pytest.fixture
def october(loop):
    member, community, op_a = loop["member_a"], loop["community"], loop["op_a"]
    handler, plumber = loop["handler"], loop["plumber"]
    leader_b = make_user("leader_b", Role.LEADER, ["410105002"])
    community_b = make_user("community_b", Role.COMMUNITY_STAFF, ["410105002001"])
    member_b = make_user("member_b", Role.GRID_MEMBER, ["41010500200101"])

    def report(actor, point, category="C0101", **kw):
        case, _created = services.report_case(
            actor=actor,
            channel="grid_member",
            description="井盖松动",
            category=category,
            lon=point[0],
            lat=point[1],
            **kw,
        )
        return case

    with time_machine.travel(datetime.datetime(2026, 10, 12, 9, 0, tzinfo=TZ), tick=False) as t:
        clock = Clock(t)
        one = report(member, POINT_A)
        two = report(member, POINT_A, idempotency_key="october-two")
        three = report(member, POINT_A, idempotency_key="october-three")
        four = report(member, POINT_A, idempotency_key="october-four", category="E0102")
        clock.at(12, 9, 5)
        one = services.perform(one, "accept", actor=community)
        one = services.perform(one, "file", actor=community)
        one = services.perform(one, "dispatch", actor=community, department=loop["squad"])
        one = services.perform(one, "start", actor=handler)
        one = services.perform(one, "feedback", actor=handler, note="已修复")
        one = services.perform(one, "verify_pass", actor=member)
        one = services.perform(one, "close", actor=op_a)
        two = services.perform(two, "reject", actor=community, note="重复上报")
        three = services.perform(three, "accept", actor=community)
        three = services.perform(three, "file", actor=community)
        three = services.perform(three, "dispatch", actor=community, department=loop["water"])
        three = services.perform(three, "return", actor=plumber, note="不属于供水")
        three = services.perform(three, "dispatch", actor=community, department=loop["squad"])
        three = services.perform(three, "start", actor=handler)
        four = services.perform(
            four,
            "self_handle",
            actor=member,
            note="已清理",
            photos=[
                (check_photo(jpeg()), AttachmentKind.BEFORE),
                (check_photo(jpeg((0, 200, 0))), AttachmentKind.AFTER),
            ],
        )
        # The handling deadline of case 3 passes: a yellow card.
        t.move_to(three.stage_deadline + datetime.timedelta(minutes=1))
        services.sweep_deadlines(actor=system_user(JOBS))
        three.refresh_from_db()
        t.move_to(three.stage_deadline + datetime.timedelta(minutes=2))
        three = services.perform(three, "feedback", actor=handler, note="已修复")
        three = services.perform(three, "verify_fail", actor=member, note="仍然松动")
        three = services.perform(three, "feedback", actor=handler, note="再次修复")
        three = services.perform(three, "verify_pass", actor=member)
        three = services.perform(three, "close", actor=op_a)
        clock.at(13, 10)
        five = report(member_b, POINT_B, idempotency_key="october-five")
        five = services.perform(five, "accept", actor=community_b)
    return {
        **loop,
        "cases": [one, two, three, four, five],
        "leader_b": leader_b,
        "community_b": community_b,
        "member_b": member_b,
    }
