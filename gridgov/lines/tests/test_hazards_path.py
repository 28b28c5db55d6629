"""Checklist → hazard → notice → re-inspection → closure; listed supervision and escalation;
tasks generated per place at the plan's interval."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.lines.models import HazardGrade, HazardState, InspectionTask, ItemResult
from gridgov.lines.services import hazards as hs
from gridgov.lines.services.disputes_pdf import notice_pdf
from gridgov.lines.tests.disputes_helpers import PHOTO, days, inspect, plan, shop

pytestmark = pytest.mark.django_db


def test_failure_becomes_hazard_with_notice_then_reinspection_closes(users):
    p = plan(users["admin"])
    org = shop(users["op_a"], "便民小超市")
    inspection = inspect(users["member_a"], p, org, fail="灭火器在有效期内")
    (hazard,) = inspection.hazards.all()
    assert hazard.grade == HazardGrade.GENERAL and hazard.deadline == days(15)
    assert hazard.responsible == "王店主"
    assert notice_pdf(hazard).startswith(b"%PDF")
    with pytest.raises(ValidationError):
        hs.reinspect(hazard, actor=users["member_a"], rectified=False, new_deadline=days(0))
    hs.reinspect(hazard, actor=users["member_a"], rectified=False, new_deadline=days(20))
    assert hazard.deadline == days(20) and hazard.state == HazardState.OPEN
    with pytest.raises(ValidationError):
        hs.reinspect(hazard, actor=users["member_a"], rectified=True)
    hs.reinspect(hazard, actor=users["member_a"], rectified=True, proof=PHOTO)
    assert hazard.state == HazardState.CLOSED and hazard.reinspections == 2


def test_major_hazard_is_under_listed_supervision(users):
    p = plan(users["admin"])
    org = shop(users["op_a"], "小餐馆")
    (hazard,) = inspect(users["member_a"], p, org).hazards.all()
    assert hazard.grade == HazardGrade.MAJOR
    assert (hazard.supervised_by, hazard.supervision_deadline) == ("street", days(60))
    with pytest.raises(PermissionDenied):
        hs.list_supervision(hazard, actor=users["op_a"], level="district")
    hs.list_supervision(hazard, actor=users["district"], level="district", deadline=days(45))
    assert (hazard.supervised_by, hazard.supervision_deadline) == ("district", days(45))
    hs.escalate(hazard, actor=users["op_a"], note="逾期未改")
    assert hazard.state == HazardState.ESCALATED


def test_a_failure_needs_a_photo_and_every_item_an_answer(users):
    p = plan(users["admin"])
    org = shop(users["op_a"], "理发店")
    items = list(p.items.all())
    with pytest.raises(ValidationError):
        hs.record_inspection(
            actor=users["member_a"],
            plan=p,
            organization=org,
            results=[hs.ResultInput(items[0].pk, ItemResult.PASS)],
        )
    with pytest.raises(ValidationError):
        hs.record_inspection(
            actor=users["member_a"],
            plan=p,
            organization=org,
            results=[hs.ResultInput(i.pk, ItemResult.FAIL) for i in items],
        )


def test_plans_are_admin_data_and_generate_tasks(users):
    with pytest.raises(PermissionDenied):
        plan(users["op_a"])
    p = plan(users["admin"])
    shop(users["op_a"], "A店")
    org_b = shop(users["op_b"], "B店", point=(113.625, 34.7175))
    assert hs.generate_tasks(actor=users["admin"]) == 2
    assert hs.generate_tasks(actor=users["admin"]) == 0  # open tasks are not repeated
    task = InspectionTask.objects.get(organization=org_b)
    inspect(users["op_b"], p, org_b).hazards.all()
    task.refresh_from_db()
    assert not task.done  # an inspection outside the task leaves it; the task form closes it


def test_an_overdue_rectification_goes_to_district_supervision_once(users):
    from gridgov.accounts.system import LINES, system_user
    from gridgov.notify.models import Message

    p = plan(users["admin"])
    org = shop(users["op_a"], "五金店")
    (late,) = inspect(users["member_a"], p, org, fail="灭火器在有效期内").hazards.all()
    (on_time,) = inspect(
        users["member_a"], p, shop(users["op_a"], "理发店"), fail="灭火器在有效期内"
    ).hazards.all()
    hs.reinspect(on_time, actor=users["member_a"], rectified=False, new_deadline=days(40))
    robot = system_user(LINES)
    # The day after the first deadline: only the hazard not re-inspected is escalated.
    assert hs.escalate_overdue(actor=robot, today=days(16)) == 1
    late.refresh_from_db()
    on_time.refresh_from_db()
    assert (late.state, late.supervised_by) == (HazardState.ESCALATED, "district")
    assert on_time.state == HazardState.OPEN
    told = Message.objects.filter(title__contains=late.number)
    assert told.filter(user=users["op_a"]).exists() and not told.filter(user=users["op_b"]).exists()
    assert hs.escalate_overdue(actor=robot, today=days(17)) == 0  # once
    assert hs.escalate_overdue(actor=robot, today=days(15)) == 0
