"""Rental housing and foreigners: the inspection checklist and risk colour, overcrowding at once,
permits, leases and police registrations by the job, and the foreign-affairs right."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from gridgov.jobs.registry import function_for
from gridgov.lines.models import LedgerWarning, RiskColour, WarningKind
from gridgov.lines.services import rentals
from gridgov.lines.tests import populations_world as pw

TZ = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def world(tree, users):
    with time_machine.travel(START, tick=False):
        yield pw.build(users)


def _open(kind: str, area: str = "410105001") -> list[LedgerWarning]:
    return list(
        LedgerWarning.objects.filter(
            kind=kind, resolved_at__isnull=True, area_code__startswith=area
        )
    )


def test_overcrowding_turns_the_house_red_and_warns_at_once(world, users):
    rental = world["rental_a"]
    member = users["member_a"]
    rentals.inspect_rental(rental, actor=member, occupants=2, results=pw.checklist("电动自行车"))
    rental.refresh_from_db()
    assert rental.risk_colour == RiskColour.YELLOW and not _open(WarningKind.OVERCROWDED)
    inspection = rentals.inspect_rental(rental, actor=member, occupants=5, results=pw.checklist())
    rental.refresh_from_db()
    assert inspection.occupants == 5 and rental.risk_colour == RiskColour.RED
    (warning,) = _open(WarningKind.OVERCROWDED)
    assert warning.flagged and not warning.sensitive
    rentals.inspect_rental(rental, actor=member, occupants=1, results=pw.checklist())
    assert not _open(WarningKind.OVERCROWDED)


def test_the_job_warns_of_permits_leases_and_police_registration(world, users):
    job = function_for("lines.rental_warnings")
    with time_machine.travel(START + datetime.timedelta(hours=1), tick=False):
        assert job(None) == {
            "permit": 0,
            "lease": 0,
            "tenant_police": 0,
            "foreigner_police": 0,
            "visa": 0,
        }
    # a day later: the foreigners were not registered within 24 hours
    with time_machine.travel(START + datetime.timedelta(days=1, hours=1), tick=False):
        assert job(None)["foreigner_police"] == 2
        (late,) = _open(WarningKind.POLICE_UNREGISTERED)
        assert late.flagged
        rentals.register_stay(world["stay_a"], actor=users["op_a"])
        assert not _open(WarningKind.POLICE_UNREGISTERED)
    # five days later the tenant is still not reported to the police (3 days allowed)
    with time_machine.travel(START + datetime.timedelta(days=5), tick=False):
        assert job(None)["tenant_police"] == 2
        rentals.check_police_registration(
            world["tenant_a"], actor=users["member_a"], registered_on=datetime.date(2026, 11, 3)
        )
        assert not _open(WarningKind.POLICE_UNREGISTERED)
    # visas expire in 90 days: warned 30 days ahead; permits in 200 days
    with time_machine.travel(START + datetime.timedelta(days=61), tick=False):
        assert job(None)["visa"] == 2
        assert job(None)["visa"] == 0  # once while open
    with time_machine.travel(START + datetime.timedelta(days=171), tick=False):
        assert job(None)["permit"] == 2
        rentals.move_out(world["tenant_b"], actor=users["admin"])
    # the lease ended after 300 days with tenants still there
    with time_machine.travel(START + datetime.timedelta(days=301), tick=False):
        assert job(None)["lease"] == 1  # B's tenant moved out
        rentals.add_lease(
            world["rental_a"],
            actor=users["op_a"],
            start=datetime.date(2027, 8, 30),
            end=datetime.date(2028, 8, 29),
        )
        assert not _open(WarningKind.LEASE_ENDED)


def test_foreigners_need_the_foreign_affairs_right(world, users, client_for):
    member = client_for(users["member_a"])
    assert member.get("/lines/foreigners/").status_code == 403
    assert member.get("/api/v1/lines/foreigners").status_code == 403
    op_a = client_for(users["op_a"])
    page = op_a.get("/lines/foreigners/")
    assert page.status_code == 200
    assert "Freedonia" in page.content.decode() and pw.NATION_B not in page.content.decode()
    rows = json.loads(op_a.get("/api/v1/lines/foreigners?registered=0").content)
    assert [r["nationality"] for r in rows] == ["Freedonia"]
    assert rows[0]["name"] == "甲**"


def test_rental_pages_show_the_checklist(world, users, client_for):
    op_a = client_for(users["op_a"])
    url = f"/lines/rentals/{world['rental_a'].pk}/"
    answers = {f"item_{r.item_id}": r.result for r in pw.checklist()}
    answer = op_a.post(url, answers | {"occupants": "6"})
    assert answer.status_code == 302
    page = op_a.get(url).content.decode()
    assert "colour-red" in page and pw.NAME_A not in page  # the landlord's name masked
    board = op_a.get("/lines/ledger-warnings/?kind=overcrowded").content.decode()
    assert world["house_a"].code in board
