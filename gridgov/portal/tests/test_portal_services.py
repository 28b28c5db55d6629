import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.accounts.system import system_user
from gridgov.cases.models import Case, Channel, Status
from gridgov.cases.services import perform
from gridgov.portal import queries, services
from gridgov.portal.models import DistrictSettings, Follower, FollowKind, Moderation
from gridgov.portal.privacy import redact_text, snap
from gridgov.portal.tests.conftest import POINT_A, category, confirmed, last_code


def report_as(
    portal, citizen, text="路灯不亮，晚上很黑", key="k-00000001", point=POINT_A, code="C0110"
):
    return services.submit_report(
        actor=portal,
        category=category(code),
        description=text,
        citizen=citizen,
        lon=point[0],
        lat=point[1],
        idempotency_key=key,
    )


def test_a_code_confirms_the_phone_once(portal):
    services.send_code("13800000001", actor=portal)
    code = last_code("13800000001")
    with pytest.raises(ValidationError):
        services.confirm_code(
            "13800000001", "000000" if code != "000000" else "111111", actor=portal
        )
    citizen = services.confirm_code("13800000001", code, actor=portal)
    assert citizen.phone == "13800000001"
    with pytest.raises(ValidationError):
        services.confirm_code("13800000001", code, actor=portal)


def test_codes_are_rate_limited_per_phone(portal):
    services.send_code("13800000002", actor=portal)
    with pytest.raises(ValidationError):
        services.send_code("13800000002", actor=portal)


def test_only_the_portal_account_acts_for_citizens(portal, users):
    with pytest.raises(PermissionDenied):
        services.send_code("13800000003", actor=users["admin"])


def test_a_report_enters_the_loop_once_per_key(portal):
    citizen = confirmed("13800000004", portal)
    first = report_as(portal, citizen)
    again = report_as(portal, citizen)
    assert first.pk == again.pk
    case = Case.objects.get(pk=first.case_id)
    assert case.channel == Channel.PORTAL and case.status == Status.REPORTED
    assert first.moderation == Moderation.PENDING  # a new reporter waits for moderation
    assert Follower.objects.filter(report=first, kind=FollowKind.REPORTER).count() == 1


def test_anonymous_only_where_the_district_allows(portal, users):
    with pytest.raises(ValidationError):
        report_as(portal, None, key="anon-0001")
    DistrictSettings.objects.create(area_code="410105", allow_anonymous=True)
    anon = report_as(portal, None, key="anon-0002")
    assert anon.anonymous
    with pytest.raises(ValidationError):
        services.moderate(anon, actor=users["district"], publish=True)


def test_reports_per_phone_are_limited(portal):
    DistrictSettings.objects.create(area_code="410105", reports_per_phone_per_day=2)
    citizen = confirmed("13800000005", portal)
    report_as(portal, citizen, key="lim-00001")
    report_as(portal, citizen, key="lim-00002")
    with pytest.raises(ValidationError):
        report_as(portal, citizen, key="lim-00003")


def test_a_banned_number_gets_no_code_and_cannot_report(portal, users):
    citizen = confirmed("13800000006", portal)
    made = report_as(portal, citizen)
    services.ban_reporter(made, actor=users["district"], reason="spam")
    later = timezone.now() + datetime.timedelta(minutes=5)
    with time_machine.travel(later), pytest.raises(PermissionDenied):
        services.send_code("13800000006", actor=portal)
    citizen.refresh_from_db()
    with pytest.raises(PermissionDenied):
        report_as(portal, citizen, key="ban-00002")


def test_moderation_is_scoped(portal, users):
    citizen = confirmed("13800000007", portal)
    made = report_as(portal, citizen)
    with pytest.raises(PermissionDenied):
        services.moderate(made, actor=users["op_b"], publish=True)
    services.moderate(made, actor=users["op_a"], publish=True)
    made.refresh_from_db()
    assert made.moderation == Moderation.PUBLISHED
    assert queries.find_public(made.number) is not None


def test_a_known_reporter_is_listed_at_once_without_text(portal, users):
    citizen = confirmed("13800000008", portal)
    services.moderate(report_as(portal, citizen), actor=users["op_a"], publish=True)
    citizen.refresh_from_db()
    second = report_as(portal, citizen, key="known-0002")
    assert second.moderation == Moderation.LISTED
    assert queries.public_dict(second)["text"] == ""


def test_never_public_categories(portal):
    from gridgov.cases.models import Category

    with pytest.raises(ValidationError):
        services.put_public_category(
            Category.objects.get(code="E0601"),
            actor=system_user("system:setup"),
            icon="x",
            label="纠纷",
        )


def test_nearby_finds_open_reports_of_the_same_kind(portal, users):
    citizen = confirmed("13800000009", portal)
    made = report_as(portal, citizen)
    services.moderate(made, actor=users["op_a"], publish=True)
    near = queries.nearby(category().pk, POINT_A[0] + 0.0005, POINT_A[1])
    assert [r.number for r in near] == [made.number]
    assert queries.nearby(category("E0102").pk, *POINT_A) == []
    other = confirmed("13800000010", portal)
    services.join_report(made, other, actor=portal, note="我也看到了")
    assert made.followers.filter(citizen=other, kind=FollowKind.CO_REPORTER).exists()


def test_rate_and_not_fixed_within_the_period(portal, users, loop):
    citizen = confirmed("13800000011", portal)
    made = report_as(portal, citizen)
    case = Case.objects.get(pk=made.case_id)
    _close_case(case, users, loop)
    made = services.sync_report(made, actor=portal)
    assert made.public_status == "closed"
    services.rate_report(made, citizen, 2, actor=portal, note="慢")
    case.refresh_from_db()
    assert case.satisfaction == 2
    later = timezone.now() + datetime.timedelta(days=8)
    with time_machine.travel(later), pytest.raises(ValidationError):
        services.not_fixed(made, citizen, "还是不亮", actor=portal)
    made = services.not_fixed(made, citizen, "还是不亮", actor=portal)
    case.refresh_from_db()
    assert case.status == Status.HANDLED
    assert case.events.filter(action="reopen", note="还是不亮").exists()
    assert made.public_status == "checking" and made.public_steps[-1]["step"] == "reopened"


def _close_case(case, users, loop):
    op, squad, handler = users["op_a"], loop["squad"], loop["handler"]
    perform(case, "accept", actor=op)
    perform(case, "file", actor=op)
    perform(case, "dispatch", actor=op, department=squad)
    perform(case, "start", actor=handler)
    perform(case, "feedback", actor=handler, note="已修复")
    perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)


def test_followers_get_an_sms_per_public_step(portal, users, loop):
    from gridgov.notify.models import Outbox

    citizen = confirmed("13800000012", portal)
    made = report_as(portal, citizen)
    _close_case(Case.objects.get(pk=made.case_id), users, loop)
    services.sync_report(made, actor=portal)
    services.sync_report(made, actor=portal)
    bodies = list(
        Outbox.objects.filter(
            destination="13800000012", source__startswith="portal.report"
        ).values_list("body", flat=True)
    )
    assert len(bodies) == len(set(bodies)) >= 4  # received, accepted, in hand, checking, closed


def test_redaction_and_snapping():
    text = redact_text("邻居王小明说13912345678和410105198001011234都写上")
    assert "王小明" not in text and "13912345678" not in text and "410105198001011234" not in text
    x, y = snap(113.60251, 34.71751)
    assert abs(x - 113.60251) < 0.0011 and abs(y - 34.71751) < 0.0011
    assert snap(113.60251, 34.71751) == snap(113.60259, 34.71758)
