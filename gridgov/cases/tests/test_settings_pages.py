"""Administrators keep the tables that steer the loop on pages: classes, time limits by grade,
grade rules and routing rules. Each write is checked in the service and change-logged."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from gridgov.audit.models import ChangeLog
from gridgov.cases import services
from gridgov.cases import taxonomy_services as tables
from gridgov.cases.deadlines import forget_rules, limit_for
from gridgov.cases.models import Category, Grade, GradeRule, RoutingRule, TimeLimit
from gridgov.cases.tests.conftest import POINT_A

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_rules():
    forget_rules()
    yield
    forget_rules()


def test_an_administrator_creates_a_class_and_sets_its_limits(loop, client_for):
    admin = client_for(loop["admin"])
    major = Category.objects.filter(parent__isnull=True).first()
    created = admin.post(
        "/cases/settings/classes/new/",
        {
            "code": "e9901",
            "name": "共享单车乱停",
            "kind": "event",
            "parent": major.code,
            "active": "on",
        },
    )
    assert created.status_code == 302
    category = Category.objects.get(code="E9901")
    assert category.parent == major and category.active
    limit = admin.post(
        "/cases/settings/classes/E9901/limits/",
        {
            "grade": "major",
            "area_class": "",
            "stage": "handle",
            "amount": "4",
            "unit": "natural_hour",
        },
    )
    assert limit.status_code == 302
    assert limit_for(category, "B", "handle", Grade.MAJOR) == (4, "natural_hour")
    assert limit_for(category, "B", "handle", Grade.GENERAL) != (4, "natural_hour")
    page = admin.get("/cases/settings/classes/E9901/")
    assert page.status_code == 200 and len(page.context["limits"]) == 1
    logged = ChangeLog.objects.filter(object_type__in=["cases.category", "cases.timelimit"])
    assert {e.object_type for e in logged} == {"cases.category", "cases.timelimit"}


def test_only_administrators_change_the_tables(loop, client_for):
    category = Category.objects.get(code="C0101")
    for name in ("district", "op_a", "member_a"):
        with pytest.raises(PermissionDenied):
            tables.save_category(loop[name], category, name="x")
        with pytest.raises(PermissionDenied):
            tables.save_time_limit(
                loop[name],
                category=category,
                grade="",
                area_class="",
                stage="handle",
                amount=1,
                unit="work_day",
            )
        client = client_for(loop[name])
        assert client.get("/cases/settings/classes/").status_code == 403
        assert (
            client.post(
                "/cases/settings/classes/C0101/limits/",
                {"stage": "handle", "amount": "1", "unit": "work_day"},
            ).status_code
            == 403
        )
    assert Category.objects.get(code="C0101").name != "x"
    assert client_for(loop["admin"]).get("/cases/settings/classes/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "handle", "amount": "abc", "unit": "work_day"},
        {"stage": "nope", "amount": "1", "unit": "work_day"},
        {"stage": "handle", "amount": "0", "unit": "work_day"},
        {"stage": "handle", "amount": "1", "unit": "work_day", "grade": "huge"},
    ],
)
def test_bad_limits_are_refused_and_store_nothing(loop, client_for, data):
    before = TimeLimit.objects.count()
    response = client_for(loop["admin"]).post("/cases/settings/classes/C0101/limits/", data)
    assert response.status_code == 302  # back to the page with the message
    assert TimeLimit.objects.count() == before


def test_a_new_class_with_a_taken_code_is_a_400(loop, client_for):
    response = client_for(loop["admin"]).post(
        "/cases/settings/classes/new/", {"code": "C0101", "name": "重复", "kind": "component"}
    )
    assert response.status_code == 400
    assert Category.objects.filter(code="C0101").count() == 1


def test_grading_a_case_changes_its_limit_and_lifts_a_major_event_to_the_district(loop):
    category = Category.objects.get(code="C0101")
    tables.save_time_limit(
        loop["admin"],
        category=None,
        grade=Grade.MAJOR,
        area_class="",
        stage="accept",
        amount=30,
        unit="minute",
    )
    tables.save_grade_rule(
        loop["admin"],
        category=None,
        grade=Grade.MAJOR,
        natural_time=True,
        handling_level="district",
    )
    with time_machine.travel(
        datetime.datetime(2026, 11, 21, 22, 0, tzinfo=TZ), tick=False
    ):  # a Saturday night
        case, _ = services.report_case(
            actor=loop["member_a"],
            channel="grid_member",
            description="燃气管道破裂",
            category=category,
            lon=POINT_A[0],
            lat=POINT_A[1],
        )
        general_deadline = case.stage_deadline
        assert case.level_code == "410105001001"  # the community holds it first
        case = services.perform(
            case, "grade", actor=loop["op_a"], grade=Grade.MAJOR, note="燃气泄漏"
        )
    assert case.grade == Grade.MAJOR
    assert case.stage_deadline == datetime.datetime(2026, 11, 21, 22, 30, tzinfo=TZ)  # natural time
    assert case.stage_deadline < general_deadline
    assert case.level_code == "410105" and case.escalations == 1
    event = case.events.get(action="grade")
    assert event.data == {"grade": "major"}
    with pytest.raises(PermissionDenied):
        services.perform(case, "grade", actor=loop["member_a"], grade=Grade.GENERAL)


def test_grading_through_the_api(loop, client_for):
    case, _ = services.report_case(
        actor=loop["member_a"],
        channel="grid_member",
        description="井盖缺失",
        category="C0101",
        lon=POINT_A[0],
        lat=POINT_A[1],
    )
    client = client_for(loop["op_a"])
    url = f"/api/v1/cases/{case.pk}/actions/grade"
    bad = client.post(url, json.dumps({"grade": "huge"}), content_type="application/json")
    assert bad.status_code == 422
    ok = client.post(url, json.dumps({"grade": "larger"}), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["grade"] == "larger"
    same = client.post(url, json.dumps({"grade": "larger"}), content_type="application/json")
    assert same.status_code == 400


def test_routing_rules_stay_within_the_managers_scope(loop, client_for):
    op_a = client_for(loop["op_a"])
    page = op_a.get("/cases/settings/routing/")
    assert page.status_code == 200
    offered = {d.code for d in page.context["form"].fields["department"].queryset}
    assert loop["squad"].code in offered and loop["other"].code not in offered
    ok = op_a.post(
        "/cases/settings/routing/",
        {"category": "C0101", "area_prefix": "410105001", "department": loop["squad"].pk},
    )
    assert ok.status_code == 302
    outside = op_a.post(
        "/cases/settings/routing/",
        {"category": "C0101", "area_prefix": "410105002", "department": loop["squad"].pk},
    )
    assert outside.status_code == 400
    other_department = op_a.post(
        "/cases/settings/routing/",
        {"category": "C0101", "area_prefix": "410105001", "department": loop["other"].pk},
    )
    assert other_department.status_code == 400
    assert RoutingRule.objects.count() == 1
    # street B's rule is invisible to street A and cannot be removed by it; the admin sees both
    theirs = tables.save_routing_rule(
        loop["admin"], category=None, area_prefix="410105002", department=loop["other"]
    )
    assert {r.pk for r in op_a.get("/cases/settings/routing/").context["page"]} == set(
        RoutingRule.objects.exclude(pk=theirs.pk).values_list("pk", flat=True)
    )
    assert op_a.post(f"/cases/settings/rules/routing/{theirs.pk}/delete/").status_code == 404
    assert RoutingRule.objects.filter(pk=theirs.pk).exists()
    admin_view = client_for(loop["admin"]).get("/cases/settings/routing/")
    assert theirs.pk in {r.pk for r in admin_view.context["page"]}
    assert client_for(loop["member_a"]).get("/cases/settings/routing/").status_code == 403


def test_removing_a_rule(loop, client_for):
    rule = tables.save_grade_rule(
        loop["admin"],
        category=None,
        grade=Grade.LARGER,
        natural_time=False,
        handling_level="street",
    )
    assert (
        client_for(loop["op_a"]).post(f"/cases/settings/rules/grade/{rule.pk}/delete/").status_code
        == 403
    )
    assert (
        client_for(loop["admin"]).post(f"/cases/settings/rules/grade/{rule.pk}/delete/").status_code
        == 302
    )
    assert not GradeRule.objects.filter(pk=rule.pk).exists()
    assert ChangeLog.objects.filter(object_type="cases.graderule", action="delete").exists()
