"""Rented houses inspected with the hazard part's machinery: the rental-housing checklist (data),
failures become hazards of the house (notice, re-inspection, closure), the house's risk colour
follows its latest inspection; desk form, phone task and API; scope."""

import base64
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.lines.filters_disputes import HazardFilter
from gridgov.lines.models import (
    Hazard,
    HazardGrade,
    HazardState,
    InspectionTask,
    LedgerWarning,
    RiskColour,
    WarningKind,
)
from gridgov.lines.queries_disputes import board
from gridgov.lines.services import hazards, rentals
from gridgov.lines.tests import populations_world as pw
from gridgov.mobile.queries import todo_items as phone_home


@pytest.fixture
def world(tree, users):
    return pw.build(users, prefix="RI")


def _colour(rental) -> str:
    rental.refresh_from_db()
    return rental.risk_colour


def test_failures_become_hazards_of_the_house_and_the_colour_follows(world, users, client_for):
    rental, member = world["rental_a"], users["member_a"]
    plan = hazards.rental_plan()
    assert plan is not None and plan.current_items().filter(major=True).exists()
    assert _colour(rental) == RiskColour.GREEN
    inspection = rentals.inspect_rental(
        rental, actor=member, occupants=1, results=pw.checklist("疏散通道")
    )
    (hazard,) = inspection.hazards.all()
    assert hazard.rental == rental and hazard.organization is None
    assert hazard.grade == HazardGrade.MAJOR and hazard.supervised_by == "street"
    assert hazard.responsible == pw.NAME_A and hazard.area_code == rental.area_code
    assert _colour(rental) == RiskColour.RED  # a major hazard still open
    # the hazard ledger and board of street A hold it, street B's do not
    assert list(HazardFilter({}, users["op_a"]).rows()) == [hazard]
    assert not HazardFilter({}, users["op_b"]).rows().exists()
    op_a = client_for(users["op_a"])
    page = op_a.get("/lines/hazards/")
    assert rental.house.code in page.content.decode()
    notice = op_a.get(f"/lines/hazards/{hazard.pk}/notice.pdf")
    assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
    assert board(users["op_b"])["places_never_inspected"] == 1  # street B's house
    assert board(users["op_a"])["places_never_inspected"] == 0
    # re-inspection closes it (销号): the house is green again
    hazards.reinspect(hazard, actor=member, rectified=True, proof=pw.PHOTO)
    assert Hazard.objects.get(pk=hazard.pk).state == HazardState.CLOSED
    assert _colour(rental) == RiskColour.GREEN
    # a general failure: yellow; a later clean inspection: green, the hazard stays open
    later = rentals.inspect_rental(
        rental, actor=member, occupants=2, results=pw.checklist("灭火器")
    )
    assert _colour(rental) == RiskColour.YELLOW
    rentals.inspect_rental(rental, actor=member, occupants=2, results=pw.checklist())
    assert _colour(rental) == RiskColour.GREEN
    assert later.hazards.get().state == HazardState.OPEN
    # the rental plan inspects rented houses only; the house is street A's
    with pytest.raises(ValidationError):
        hazards.record_inspection(
            actor=member, plan=plan, organization=None, rental=None, results=pw.checklist()
        )
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied outside the scope
        rentals.inspect_rental(world["rental_b"], actor=member, occupants=1, results=pw.checklist())


def test_the_desk_form_the_phone_task_and_the_api(world, users, client_for):
    rental, member = world["rental_a"], users["member_a"]
    # the plan makes a task per rented house; the member answers it on the phone
    assert hazards.generate_tasks(actor=users["admin"]) >= 2
    task = InspectionTask.objects.get(rental=rental, done=False)
    # the task is on the member's phone home (with the field app's other items), B's is not
    home = [i for i in phone_home(member) if i["kind"] == "inspection"]
    assert [i["url"] for i in home] == [f"/lines/m/inspect/{task.pk}/"]
    assert rental.house.code in home[0]["title"]
    phone = client_for(member)
    page = phone.get(f"/lines/m/inspect/{task.pk}/")
    assert page.status_code == 200 and 'name="occupants"' in page.content.decode()
    answers = {f"item_{r.item_id}": "pass" for r in pw.checklist()}
    done = phone.post(f"/lines/m/inspect/{task.pk}/", answers | {"occupants": "5"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.done and _colour(rental) == RiskColour.RED  # 5 occupants, 2 allowed
    assert LedgerWarning.objects.filter(
        kind=WarningKind.OVERCROWDED, subject_id=rental.pk, resolved_at__isnull=True
    ).exists()
    other = InspectionTask.objects.get(rental=world["rental_b"])
    assert phone.get(f"/lines/m/inspect/{other.pk}/").status_code == 404

    # the desk: the checklist on the house's page, a failure with its photo
    desk = client_for(users["op_a"])
    shown = desk.get(f"/lines/rentals/{rental.pk}/").content.decode()
    assert "电动自行车" in shown and 'id="rental-inspect"' in shown
    ebike = next(r.item_id for r in pw.checklist("电动自行车") if r.result == "fail")
    posted = desk.post(
        f"/lines/rentals/{rental.pk}/",
        answers
        | {
            "occupants": "2",
            f"item_{ebike}": "fail",
            f"note_{ebike}": "楼道充电",
            f"photo_{ebike}": SimpleUploadedFile("p.jpg", pw.PHOTO, "image/jpeg"),
        },
    )
    assert posted.status_code == 302
    hazard = Hazard.objects.get(rental=rental, description="楼道充电")
    assert hazard.grade == HazardGrade.GENERAL and _colour(rental) == RiskColour.YELLOW
    shown = desk.get(f"/lines/rentals/{rental.pk}/").content.decode()
    assert hazard.number in shown
    refused = desk.post(
        f"/lines/rentals/{rental.pk}/", answers | {"occupants": "1"} | {f"item_{ebike}": "fail"}
    )  # a failure without a photo
    assert refused.status_code == 200 and Hazard.objects.filter(rental=rental).count() == 1

    # the API: the same checklist, item by item
    url = f"/api/v1/lines/rentals/{rental.pk}/inspections"
    results = [{"item_id": r.item_id, "result": "pass"} for r in pw.checklist()]
    results[0] = {"item_id": results[0]["item_id"], "result": "fail"}
    body = {"occupants": 1, "results": results}
    answer = desk.post(url, json.dumps(body), content_type="application/json")
    assert answer.status_code == 400  # the failure has no photo
    results[0]["photo_base64"] = base64.b64encode(pw.PHOTO).decode()
    answer = desk.post(url, json.dumps(body), content_type="application/json")
    assert answer.status_code == 201
    out = answer.json()
    newest = out["inspections"][0]
    assert newest["occupants"] == 1 and len(newest["hazards"]) == 1 and newest["failed"]
    assert out["risk_colour"] == "yellow"
    assert (
        desk.post(
            f"/api/v1/lines/rentals/{world['rental_b'].pk}/inspections",
            json.dumps(body),
            content_type="application/json",
        ).status_code
        == 404
    )
    # the administrators edit the rental checklist like any other plan
    plans = client_for(users["admin"]).get("/lines/hazards/plans/").content.decode()
    assert hazards.rental_plan().name in plans
