"""Special-population records: visit intervals by category and risk, overdue warnings, lost
contact escalated at once, the reading right and the access log on every read."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.audit.models import AccessLog
from gridgov.lines.models import (
    LedgerWarning,
    PopulationCategory,
    RecordState,
    VisitInterval,
    WarningKind,
)
from gridgov.lines.phone_todo import todo_items
from gridgov.lines.services import populations
from gridgov.lines.tests import populations_world as pw
from gridgov.notify.models import Message

TZ = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def world(tree, users):
    with time_machine.travel(START, tick=False):
        yield pw.build(users)


def _open(kind: str) -> list[LedgerWarning]:
    return list(LedgerWarning.objects.filter(kind=kind, resolved_at__isnull=True))


def test_default_intervals_by_category_and_risk(db):
    mental = PopulationCategory.objects.get(code="mental")
    assert populations.interval_days(mental, 0) == 90
    assert populations.interval_days(mental, 3) == 14
    assert populations.interval_days(mental, 5) == 7
    assert populations.interval_days(PopulationCategory.objects.get(code="elderly_alone"), 1) == 7
    assert PopulationCategory.objects.filter(group="care").count() == 3


def test_due_dates_follow_category_risk_and_visits(world, users):
    admin = users["admin"]
    record = world["record_a"]  # mental disorder, risk 1: monthly
    assert record.next_visit_due == datetime.date(2026, 12, 2)
    with time_machine.travel(START, tick=False):
        populations.set_risk(record, actor=admin, risk_level=0)
        assert record.next_visit_due == datetime.date(2027, 1, 31)  # 90 days
        populations.set_risk(record, actor=admin, risk_level=4)
        assert record.next_visit_due == datetime.date(2026, 11, 16)  # 14 days
        with pytest.raises(ValidationError):
            populations.set_risk(record, actor=admin, risk_level=6)
    # the table is editable: an administrator changes level 4 to 10 days
    VisitInterval.objects.filter(category=record.category, risk_level=4).update(every_days=10)
    with time_machine.travel(START + datetime.timedelta(days=3), tick=False):
        populations.record_visit(record, actor=users["member_a"], note="服药规律")
    record.refresh_from_db()
    assert record.next_visit_due == datetime.date(2026, 11, 15)
    assert record.visits.count() == 1 and record.visits.get().registry_visit is not None


def test_overdue_visits_raise_one_warning_until_visited(world, users):
    record = world["record_a"]
    with time_machine.travel(START + datetime.timedelta(days=30), tick=False):
        assert populations.sweep_overdue_visits()["raised"] == 0
    with time_machine.travel(START + datetime.timedelta(days=31), tick=False):
        assert populations.sweep_overdue_visits()["raised"] == 1
        assert populations.sweep_overdue_visits()["raised"] == 0
        (warning,) = _open(WarningKind.VISIT_OVERDUE)
        assert warning.sensitive and pw.NAME_A not in warning.title
        # a visit that did not find the person leaves the warning open
        populations.record_visit(record, actor=users["member_a"], met=False)
        assert _open(WarningKind.VISIT_OVERDUE)
        populations.record_visit(record, actor=users["member_a"], met=True)
        assert not _open(WarningKind.VISIT_OVERDUE)


def test_lost_contact_escalates_at_once_and_a_visit_ends_it(world, users):
    record = world["record_a"]
    before = Message.objects.filter(user=users["op_a"]).count()
    populations.mark_lost_contact(record, actor=users["member_a"])
    record.refresh_from_db()
    assert record.state == RecordState.LOST
    (warning,) = [w for w in _open(WarningKind.LOST_CONTACT) if w.area_code == record.area_code]
    assert warning.flagged
    assert Message.objects.filter(user=users["op_a"]).count() == before + 1
    assert not Message.objects.filter(user=users["op_b"], title=warning.title).exists()
    with pytest.raises(ValidationError):
        populations.mark_lost_contact(record, actor=users["member_a"])
    populations.record_visit(record, actor=users["member_a"])
    record.refresh_from_db()
    assert record.state == RecordState.ACTIVE
    assert not LedgerWarning.objects.filter(pk=warning.pk, resolved_at__isnull=True).exists()


def test_writes_need_the_right_and_the_scope(world, users):
    category = PopulationCategory.objects.get(code="drug")
    with pytest.raises(PermissionDenied):  # a grid member has no special-population right
        populations.create_record(world["person_a"], actor=users["member_a"], category=category)
    with pytest.raises(PermissionDenied):  # street B's person
        populations.create_record(world["person_b"], actor=users["op_a"], category=category)
    with pytest.raises(PermissionDenied):  # not responsible, no right
        populations.record_visit(world["record_b"], actor=users["member_a"])
    record = populations.create_record(
        world["person_a"],
        actor=users["op_a"],
        category=category,
        facts=populations.RecordFacts(details={"agreement_number": "X-1", "unknown": "dropped"}),
    )
    assert record.details == {"agreement_number": "X-1"}
    assert record.key_tag is not None and record.key_tag.category == "drug"


def test_the_phone_todo_lists_the_members_due_visits(world, users):
    with time_machine.travel(START + datetime.timedelta(days=27), tick=False):
        (item,) = todo_items(users["member_a"])
    assert item["kind"] == "special_visit"
    assert timezone.localtime(item["due"]).date() == datetime.date(2026, 12, 2)
    assert pw.NAME_A not in item["title"] and item["url"].endswith(f"/{world['record_a'].pk}/")
    assert todo_items(users["op_a"]) == []


def test_every_read_is_in_the_access_log(world, users, client_for):
    op_a = client_for(users["op_a"])
    n = AccessLog.objects.count()
    page = op_a.get("/lines/populations/")
    assert page.status_code == 200
    text = page.content.decode()
    assert pw.NAME_A not in text and pw.NAME_A[0] + "**" in text  # masked in lists
    assert AccessLog.objects.count() == n + 1
    row = AccessLog.objects.order_by("pk").last()
    assert (row.actor, row.subject_type, row.record_count) == (
        users["op_a"],
        "lines.specialrecord",
        1,
    )
    detail = op_a.get(f"/lines/populations/{world['record_a'].pk}/")
    assert detail.status_code == 200 and pw.NAME_A in detail.content.decode()
    assert (
        AccessLog.objects.filter(
            subject_type="lines.specialrecord", subject_id=str(world["record_a"].pk)
        ).count()
        == 1
    )
    api = op_a.get("/api/v1/lines/populations")
    assert [r["name"] for r in json.loads(api.content)] == [pw.NAME_A[0] + "**"]
    op_a.get(f"/api/v1/lines/populations/{world['record_a'].pk}")
    assert AccessLog.objects.count() == n + 4


def test_without_the_right_nothing_is_read(world, users, client_for):
    member = client_for(users["member_a"])
    n = AccessLog.objects.count()
    assert member.get("/lines/populations/").status_code == 403
    assert member.get(f"/lines/populations/{world['record_a'].pk}/").status_code == 403
    assert member.get("/api/v1/lines/populations").status_code == 403
    assert AccessLog.objects.count() == n
    # the responsible member sees their own visits on the phone (masked), logged too
    phone = member.get("/lines/m/visits/")
    assert phone.status_code == 200 and pw.NAME_A[0] + "**" in phone.content.decode()
    assert AccessLog.objects.count() == n + 1


def test_the_ledger_export_needs_the_rights_and_a_reason(world, users, client_for):
    url = "/lines/populations/export/"
    assert client_for(users["op_a"]).post(url, {"reason": "x", "fmt": "csv"}).status_code == 403
    district = client_for(users["district"])
    n = AccessLog.objects.count()
    assert district.post(url, {"fmt": "csv"}).status_code == 400
    answer = district.post(url + "?area=410105001", {"reason": "上报季度台账", "fmt": "csv"})
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    text = answer.content.decode("utf-8-sig")
    assert pw.NAME_A in text and pw.NAME_B not in text
    assert AccessLog.objects.count() == n + 1
    row = AccessLog.objects.order_by("pk").last()
    assert (row.purpose, row.reason, row.record_count) == ("export", "上报季度台账", 1)


def test_administrators_edit_categories_and_intervals(db, users, client_for):
    admin = client_for(users["admin"])
    assert client_for(users["op_a"]).get("/lines/populations/settings/").status_code == 403
    page = admin.get("/lines/populations/settings/")
    assert page.status_code == 200 and "mental" in page.content.decode()
    answer = admin.post(
        "/lines/populations/settings/",
        {"action": "interval", "category": "mental", "risk_level": "0", "every_days": "60"},
    )
    assert answer.status_code == 302
    mental = PopulationCategory.objects.get(code="mental")
    assert populations.interval_days(mental, 0) == 60
    answer = admin.post(
        "/lines/populations/settings/",
        {
            "action": "category",
            "code": "petition",
            "name": "重点信访人员",
            "group": "control",
            "max_risk": "2",
            "field_schema": '[{"name": "matter", "label": "信访事项"}]',
        },
    )
    assert answer.status_code == 302
    added = PopulationCategory.objects.get(code="petition")
    assert added.field_schema == [{"name": "matter", "label": "信访事项", "type": "text"}]
    assert populations.interval_days(added, 2) == 30  # no row yet: the fallback
