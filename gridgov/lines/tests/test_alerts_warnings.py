"""The lines' escalations raise warnings of the warnings part: once, from the district to the
record's area (the street gets receipts, the district sees its own warning), by the LINES system
account, with the record's number and page but no person's name."""

import pytest

from gridgov.accounts.permissions import Action
from gridgov.accounts.system import LINES
from gridgov.areas.testing import DISTRICT, STREET_A
from gridgov.lines.models import AlertCause, RaisedAlert
from gridgov.lines.services import alerts, disputes, populations, rentals
from gridgov.lines.tests import disputes_helpers as dh
from gridgov.lines.tests import populations_world as pw
from gridgov.warnings import fanout
from gridgov.warnings.models import Colour, Receipt, State, Warning


def _texts(warning: Warning) -> str:
    return " ".join(
        [warning.headline, warning.description, warning.instruction, fanout.sms_text(warning)]
    )


def _seen(user) -> set[int]:
    return set(Warning.objects.restrict(user, Action.VIEW).values_list("pk", flat=True))


def _warnings(cause: str) -> list[Warning]:
    return [a.warning for a in RaisedAlert.objects.filter(cause=cause).select_related("warning")]


def test_a_high_risk_dispute_raises_one_warning_to_street_and_district(tree, users):
    grid = tree.grids[0].code
    dispute = dh.dispute(users["op_a"], "张三李四漏水纠纷", grid, risk="high")
    (warning,) = _warnings(AlertCause.DISPUTE_ESCALATED)
    assert warning.state == State.ISSUED and warning.created_by.username == LINES
    assert warning.area_code == DISTRICT and warning.target_codes == [grid]
    assert warning.colour == Colour.YELLOW
    assert dispute.number in warning.headline and f"/lines/disputes/{dispute.pk}/" in (
        warning.description
    )
    for name in ("张三", "李四", "漏水"):  # parties and the free-text title stay out
        assert name not in _texts(warning)
    # the street's operator gets a receipt, the district sees it as its own, street B nothing
    assert Receipt.objects.filter(warning=warning, user=users["op_a"]).exists()
    assert not Receipt.objects.filter(warning=warning, user=users["op_b"]).exists()
    assert warning.pk in _seen(users["district"]) and warning.pk in _seen(users["op_a"])
    assert warning.pk not in _seen(users["op_b"])
    # regraded, regraded again: still one warning
    disputes.regrade(dispute, "group", actor=users["op_a"])
    disputes.regrade(dispute, "group", actor=users["op_a"])
    assert Warning.objects.count() == 1
    assert (
        alerts.raise_alert(
            cause=AlertCause.DISPUTE_ESCALATED,
            subject=dispute,
            area_code=dispute.area_code,
            headline="again",
            url="/",
        )
        is None
    )
    assert Warning.objects.count() == 1


def test_many_parties_escalate_and_a_low_dispute_does_not(tree, users):
    grid = tree.grids[0].code
    dh.dispute(users["op_a"], "小纠纷", grid, risk="low", parties=2)
    assert not Warning.objects.exists()
    low = dh.dispute(users["op_a"], "多人纠纷", grid, risk="low", parties=6)
    (warning,) = _warnings(AlertCause.DISPUTE_ESCALATED)
    assert low.number in warning.headline and "6" in warning.headline
    assert STREET_A in grid


def test_regrading_to_group_risk_raises_an_orange_warning(tree, users):
    dispute = dh.dispute(users["op_a"], "纠纷", tree.grids[0].code, risk="medium")
    assert not Warning.objects.exists()
    disputes.regrade(dispute, "group", actor=users["op_a"])
    (warning,) = _warnings(AlertCause.DISPUTE_ESCALATED)
    assert warning.colour == Colour.ORANGE


@pytest.fixture
def world(tree, users):
    return pw.build(users)


def test_lost_contact_and_overcrowding_raise_warnings_without_names(world, users):
    # build() marks B's record as lost
    (lost,) = _warnings(AlertCause.LOST_CONTACT)
    record_b = world["record_b"]
    assert lost.colour == Colour.ORANGE and f"#{record_b.pk}" in lost.headline
    assert f"/lines/populations/{record_b.pk}/" in lost.description
    person = world["person_b"]
    for secret in (person.name, pw.NAME_B, "乙", "key_youth", "某中学"):
        assert secret not in _texts(lost)
    assert lost.pk in _seen(users["op_b"]) and lost.pk not in _seen(users["op_a"])
    assert lost.pk in _seen(users["district"])
    # found again, lost again: a new episode, a new warning; asking twice in one episode: none
    populations.record_visit(world["record_b"], actor=users["admin"], met=True)
    record_b.refresh_from_db()
    populations.mark_lost_contact(record_b, actor=users["admin"])
    assert len(_warnings(AlertCause.LOST_CONTACT)) == 2

    rental = world["rental_a"]
    rentals.inspect_rental(rental, actor=users["member_a"], occupants=5, results=pw.checklist())
    # still open: no twin
    rentals.inspect_rental(rental, actor=users["member_a"], occupants=6, results=pw.checklist())
    (crowded,) = _warnings(AlertCause.OVERCROWDED)
    assert rental.house.code in crowded.headline
    assert pw.NAME_A not in _texts(crowded)
    assert crowded.pk in _seen(users["op_a"]) and crowded.pk not in _seen(users["op_b"])
