"""The whole dispute path: registration, escalation, two sessions, the agreement PDF, the signed
scan, court confirmation within 30 days, follow-up to closure; referral; case ↔ dispute;
monthly screening with "none found"."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.audit.models import ChangeLog
from gridgov.lines.models import DisputeState, ScreeningState, ScreeningTask
from gridgov.lines.services import disputes as ds
from gridgov.lines.services.disputes_pdf import agreement_pdf
from gridgov.lines.tests.disputes_helpers import days, dispute

pytestmark = pytest.mark.django_db
GRID_A = "41010500100101"


def test_mediation_path_to_closure(users):
    op = users["op_a"]
    d = dispute(op, "漏水纠纷", GRID_A)
    assert d.state == DisputeState.REGISTERED and not d.flagged
    ds.add_session(d, actor=op, held_on=days(0), participants="张三、李四", record="各自陈述")
    ds.add_session(
        d, actor=op, held_on=days(1), participants="张三、李四", record="协商", agreed="李四赔偿"
    )
    assert d.sessions.count() == 2 and d.state == DisputeState.MEDIATING
    ds.draft_agreement(d, "一、李四赔偿张三800元。\n二、七日内修复防水。", actor=op)
    pdf = agreement_pdf(d)
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    assert d.effective_on is None  # not in force before the signed scan
    ds.upload_signed_agreement(d, b"%PDF scan", "signed.pdf", actor=op)
    assert d.state == DisputeState.FULFILMENT and d.effective_on == days(0)
    with pytest.raises(ValidationError):
        ds.record_court_confirmation(d, actor=op, applied_on=days(31), result="")
    ds.record_court_confirmation(d, actor=op, applied_on=days(30), result="裁定有效")
    ds.record_follow_up(d, actor=op, visited_on=days(7), note="已赔偿一半")
    assert d.state == DisputeState.FULFILMENT
    ds.record_follow_up(d, actor=op, visited_on=days(14), note="履行完毕", fulfilled=True)
    assert d.state == DisputeState.CLOSED and d.success
    assert [e.what for e in d.events.all()][:2] == ["registered", "session"]
    assert ChangeLog.objects.filter(object_type="lines.dispute", object_id=str(d.pk)).count() >= 5


def test_referral_with_acceptance_and_outcome(users):
    op = users["op_a"]
    d = dispute(op, "欠薪纠纷", GRID_A)
    referral = ds.refer(d, actor=op, body="justice", body_name="经八路司法所")
    assert d.state == DisputeState.REFERRED
    ds.record_referral_outcome(referral, actor=op, accepted_on=days(1), outcome="调解成功")
    d.refresh_from_db()
    assert d.state == DisputeState.CLOSED


def test_high_risk_or_many_parties_is_flagged(users):
    op = users["op_a"]
    assert dispute(op, "土地纠纷", GRID_A, risk="high").flagged
    assert dispute(op, "物业纠纷", GRID_A, parties=6).flagged
    low = dispute(op, "小纠纷", GRID_A)
    ds.regrade(low, "group", actor=op)
    assert low.flagged


def test_another_street_cannot_register_or_act(users):
    with pytest.raises(PermissionDenied):
        dispute(users["op_b"], "越权", GRID_A)
    d = dispute(users["op_a"], "纠纷", GRID_A)
    with pytest.raises(PermissionDenied):
        ds.add_session(d, actor=users["op_b"], held_on=days(0), participants="x", record="y")


def test_case_to_dispute_and_dispute_to_case(users):
    from gridgov.cases.services.intake import report_case

    op = users["op_a"]
    case, _ = report_case(
        actor=op,
        channel="grid_member",
        title="邻里噪音",
        description="夜间噪音",
        address="1号楼",
        area_code=GRID_A,
    )
    d = ds.dispute_from_case(
        case, actor=op, kind="neighbourhood", risk="low", parties=[ds.PartyInput(name="张三")]
    )
    assert d.case == case and d.source == "case"
    other = dispute(op, "转回案件", GRID_A)
    back = ds.case_from_dispute(other, actor=op)
    other.refresh_from_db()
    assert other.case == back and back.area_code == GRID_A


def test_monthly_screening_records_none_found(users, tree):
    made = ds.create_screenings(actor=users["admin"], month=datetime.date(2026, 12, 5))
    assert made == len(tree.grids)
    assert ds.create_screenings(actor=users["admin"], month=datetime.date(2026, 12, 20)) == 0
    task = ScreeningTask.objects.get(area_code=GRID_A)
    ds.complete_screening(task, actor=users["member_a"], found=False, note="走访12户，无纠纷")
    task.refresh_from_db()
    assert task.state == ScreeningState.NONE and task.done_by == users["member_a"]
    other = ScreeningTask.objects.get(area_code="41010500200101")
    with pytest.raises(PermissionDenied):
        ds.complete_screening(other, actor=users["member_a"], found=False)


def test_a_party_links_only_to_a_record_the_registrar_may_see(users):
    from gridgov.lines.tests.disputes_helpers import POINT_B, shop

    other_street = shop(users["admin"], "花园路小店", POINT_B)
    party = ds.PartyInput(role="respondent", name="花园路小店", organization_id=other_street.pk)

    def register(actor):
        return ds.register_dispute(
            ds.DisputeInput(
                kind="neighbourhood",
                title="欠款",
                area_code=GRID_A,
                risk="low",
                source="patrol",
                parties=[party],
            ),
            actor=actor,
        )

    with pytest.raises(ValidationError) as refused:
        register(users["op_a"])
    assert "organization_id" in refused.value.message_dict
    linked = register(users["admin"])  # the district administrator sees the shop in street B
    assert linked.parties.get().organization_id == other_street.pk
