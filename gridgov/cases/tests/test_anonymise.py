"""Reporter details of long-finished cases are blanked; figures, ratings and pages stay."""

import datetime
import json

import pytest
from django.utils import timezone

from gridgov.accounts.system import HOTLINE_12345, JOBS, system_user
from gridgov.assessment import queries
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER, october  # noqa: F401 (a fixture)
from gridgov.audit.models import ChangeLog
from gridgov.audit.services import snapshot
from gridgov.cases import services
from gridgov.cases.models import Case, CaseEvent, Status
from gridgov.cases.services import anonymise

NAME, PHONE = "李报告", "13912345678"


def anonymise_now(**kw) -> dict:
    return anonymise.anonymise_reporters(actor=system_user(JOBS), **kw)


@pytest.fixture
def period(settings):
    """October's cases are past a 30-day period in December (the tests' clock is real time)."""
    settings.GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS = 30
    return 30


def close_long_ago(case: Case, days: int = 60) -> Case:
    when = timezone.now() - datetime.timedelta(days=days)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, closed_at=when)
    case.refresh_from_db()
    return case


@pytest.fixture
def reported(october):  # noqa: F811
    """October's five cases, each with a reporter's name and phone (1–4 finished, 5 open)."""
    for case in october["cases"]:
        case.refresh_from_db()
        case.reporter_name, case.reporter_phone = NAME, PHONE
        case.save(update_fields=["reporter_name", "reporter_phone"])
    return october


def _figures(data) -> dict:
    from gridgov.dashboard.queries import cockpit

    district = data["district"]
    figures = {
        "district": queries.totals(district, "area", "410105", [OCTOBER]),
        "street_a": queries.totals(district, "area", "410105001", [OCTOBER]),
        "member": queries.totals(district, "staff", data["member_a"].pk, [OCTOBER]),
        "squad": queries.totals(district, "department", data["squad"].pk, [OCTOBER]),
        "report": queries.unit_report(district, "area", "410105001", OCTOBER)["score"],
    }
    board = cockpit(district, "410105")
    for key in ("counts", "trend_months", "top_classes", "funnel", "children", "ranking"):
        if key in board:
            figures[f"cockpit.{key}"] = board[key]
    return json.loads(json.dumps(figures, default=str))


def test_figures_do_not_change_when_reporters_are_anonymised(reported, period):
    roll_up(full=True)
    before = _figures(reported)
    assert before["district"]["reports"] == 5

    result = anonymise_now()
    assert result["cases"] == 4  # the four finished cases; the fifth is still open
    roll_up()
    assert _figures(reported) == before
    roll_up(full=True)
    assert _figures(reported) == before


def test_no_reporter_detail_is_left_anywhere(reported, period):
    one = reported["cases"][0]
    one.refresh_from_db()
    # the change log never held them: personal fields are masked in every snapshot
    shot = snapshot(one)
    assert shot["reporter_phone"] == "***" and shot["reporter_name"] == "***"
    assert "reporter_phone_index" not in shot

    anonymise_now()
    finished = Case.objects.filter(status__in=anonymise.FINAL_STATUSES)
    assert finished.count() == 4
    for case in finished:
        assert (case.reporter_name, case.reporter_phone, case.reporter_phone_index) == (
            "",
            "",
            None,
        )
        assert case.reporter_id == reported["member_a"].pk  # the staff reporter stays (assessment)
    raw = Case.objects.filter(pk=one.pk).values("reporter_phone", "reporter_phone_index").get()
    assert raw == {"reporter_phone": "", "reporter_phone_index": None}
    five = Case.objects.get(pk=reported["cases"][4].pk)
    assert (five.reporter_name, five.reporter_phone) == (NAME, PHONE)  # still open: kept

    for row in ChangeLog.objects.all():
        text = json.dumps([row.before, row.after, row.note, row.object_repr], ensure_ascii=False)
        assert PHONE not in text and NAME not in text
    for event in CaseEvent.objects.all():
        text = json.dumps([event.note, event.data], ensure_ascii=False)
        assert PHONE not in text and NAME not in text

    entry = ChangeLog.objects.get(object_type="cases.case", actor_name=JOBS)
    assert entry.after["cases"] == 4 and entry.actor.username == JOBS


def test_rerun_and_interrupted_runs_end_the_same(reported, period, monkeypatch):
    first = anonymise_now(batch=1, max_batches=2)  # a run cut short after two batches
    assert (first["cases"], first["batches"]) == (2, 2)

    calls = {"n": 0}
    real = anonymise.record_event

    def dies_on_the_second_batch(**kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")
        return real(**kw)

    monkeypatch.setattr(anonymise, "record_event", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        anonymise_now(batch=1)
    monkeypatch.undo()
    # the batch that died left nothing half done: one more case is blank, one still named
    assert anonymise.still_personal(anonymise.cutoff()).count() == 1

    rest = anonymise_now(batch=1)
    assert rest["cases"] == 1
    again = anonymise_now()
    assert again == {**again, "cases": 0, "batches": 0}
    assert ChangeLog.objects.filter(object_type="cases.case", actor_name=JOBS).count() == 4
    assert not anonymise.still_personal(anonymise.cutoff()).exists()


def test_only_a_system_account_runs_it(reported, period):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        anonymise.anonymise_reporters(actor=reported["admin"])


def test_within_the_period_nothing_changes(reported, settings):
    settings.GRIDGOV_CASE_REPORTER_ANONYMISE_DAYS = 3 * 365 + 1
    assert anonymise_now()["cases"] == 0
    assert Case.objects.filter(reporter_name=NAME).count() == 5


def test_the_daily_job(reported, period, settings):
    from gridgov.jobs.models import Job
    from gridgov.jobs.services import enqueue_due_periodic, run_pending

    assert settings.GRIDGOV_PERIODIC_JOBS["cases.anonymise_reporters"] == 24 * 3600
    assert "cases.anonymise_reporters" in {job.kind for job in enqueue_due_periodic()}
    run_pending()
    job = Job.objects.get(kind="cases.anonymise_reporters")
    assert job.status == "done" and job.result["cases"] == 4


def test_the_case_page_says_the_details_were_removed_and_rating_still_works(
    reported, period, client_for
):
    one = reported["cases"][0]
    five = reported["cases"][4]
    anonymise_now()
    staff = client_for(reported["op_a"])
    page = staff.get(f"/cases/{one.pk}/", headers={"accept-language": "zh-hans"})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="reporter-anonymised"' in text and "报告人信息已按期限匿名化" in text
    assert PHONE not in text and NAME not in text
    assert 'id="reporter-anonymised"' not in staff.get(f"/cases/{five.pk}/").content.decode()
    # the command center records a follow-up rating (回访) of the anonymised case
    rated = services.rate_case(Case.objects.get(pk=one.pk), 4, actor=reported["op_a"])
    assert rated.satisfaction == 4


def test_portal_reports_lose_the_citizen_and_the_status_page_still_works(
    period, users, taxonomy, django_capture_on_commit_callbacks
):
    from django.test import Client

    from gridgov.accounts.system import PORTAL, SETUP
    from gridgov.cases.photos import check_photo
    from gridgov.notify.models import Outbox
    from gridgov.portal import services as portal
    from gridgov.portal.models import Follower, PortalReport
    from gridgov.portal.tests.conftest import POINT_A, category, confirmed, jpeg_with_metadata

    portal.seed_public_categories(actor=system_user(SETUP))
    actor = system_user(PORTAL)
    citizen = confirmed("13800009999", actor)
    report = portal.submit_report(
        actor=actor,
        category=category(),
        description="路灯不亮",
        citizen=citizen,
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="anon-0001",
        photos=[check_photo(jpeg_with_metadata("王小明 13800009999"))],
    )
    photo = report.case.attachments.get()
    old_original = photo.original.name
    assert b"13800009999" in photo.original.read()
    Outbox.objects.filter(source=f"portal.report:{report.pk}").update(status="sent")
    PortalReport.objects.filter(pk=report.pk).update(moderation="published")
    case = close_long_ago(report.case)
    assert case.reporter_phone == "13800009999" and case.idempotency_key

    with django_capture_on_commit_callbacks(execute=True):
        result = anonymise_now()
    assert (result["cases"], result["portal_links"], result["sms_numbers"]) == (1, 1, 1)
    assert result["photos"] == 1
    photo.refresh_from_db()
    assert photo.original.name == photo.public.name != old_original
    assert b"13800009999" not in photo.original.read()
    assert not photo.original.storage.exists(old_original)
    report.refresh_from_db()
    case.refresh_from_db()
    assert report.citizen_id is None and case.reporter_phone == "" and case.idempotency_key is None
    assert not Follower.objects.filter(report=report).exists()
    assert not Outbox.objects.filter(
        source=f"portal.report:{report.pk}", destination="13800009999"
    ).exists()
    page = Client().get(f"/portal/r/{report.number}/")
    assert page.status_code == 200 and "13800009999" not in page.content.decode()
    assert Case.objects.get(pk=case.pk).reporter_phone == ""  # the page's sync put nothing back


def test_a_12345_order_loses_the_caller_and_a_late_rating_still_counts(period, users, taxonomy):
    from gridgov.exchange.models import HotlineOrder
    from gridgov.exchange.services import hotline
    from gridgov.exchange.tests.test_hotline_adapter import order

    made, _created = hotline.receive_order(order(), actor=system_user(HOTLINE_12345))
    close_long_ago(made.case)
    assert made.payload["caller_phone"] == "13800000001"

    result = anonymise_now()
    assert (result["cases"], result["hotline_orders"]) == (1, 1)
    made.refresh_from_db()
    assert made.payload == {} and made.case.reporter_name == "" and made.case.reporter_phone == ""
    hotline.receive_rating(made.order_no, "满意", actor=system_user(HOTLINE_12345))
    assert Case.objects.get(pk=made.case_id).satisfaction == 5
    assert HotlineOrder.objects.get(pk=made.pk).rating == "满意"
