"""Changes to assessment state: publishing a month (freezing its figures) and editing schemes."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.areas.models import Level
from gridgov.assessment import periods, queries
from gridgov.assessment.models import MonthlyReport, ReportStatus, Scheme, UnitKind
from gridgov.assessment.rollup import rolled_at
from gridgov.assessment.scoring import clean_items
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot

CHILD_LEVEL = {
    Level.CITY: Level.DISTRICT,
    Level.DISTRICT: Level.STREET,
    Level.STREET: Level.COMMUNITY,
    Level.COMMUNITY: Level.GRID,
}


def build_report(user, area_code: str, month: str) -> dict:
    """An area's month as plain data: its indicators and score, its children and departments
    ranked, its cards. The same dict is shown live for drafts and stored when published."""
    periods.months_of(month)
    if len(periods.months_of(month)) != 1:
        raise ValidationError({"month": _("A monthly report covers one month.")})
    area = queries.unit_for_user(user, UnitKind.AREA, area_code)
    own = queries.unit_report(user, UnitKind.AREA, area.code, month)
    child = CHILD_LEVEL.get(area.level)
    children = (
        queries.ranking(user, UnitKind.AREA, child, month, parent=area.code)["rows"]
        if child
        else []
    )
    departments = queries.ranking(user, UnitKind.DEPARTMENT, "", month, parent=area.code)["rows"]
    cards = queries.card_board(user, month, area=area.code)
    stamp = rolled_at()
    return {
        "area": {"code": area.code, "name": area.name, "level": area.level},
        "month": month,
        "score": own["score"],
        "grade": own["grade"],
        "previous_score": own["previous_score"],
        "indicators": own["indicators"],
        "parts": [p.__dict__ for p in own["parts"]],
        "scheme": own["scheme"].name if own["scheme"] else "",
        "child_level": child or "",
        "children": children,
        "departments": departments,
        "cards": {
            "totals": cards["totals"],
            "areas": cards["areas"][:20],
            "departments": cards["departments"][:20],
        },
        "generated_at": timezone.localtime().isoformat(),
        "rolled_at": timezone.localtime(stamp).isoformat() if stamp else None,
    }


def report_for(user, area_code: str, month: str) -> tuple[MonthlyReport | None, dict]:
    """The published report's frozen data, or the live figures of a draft."""
    queries.unit_for_user(user, UnitKind.AREA, area_code)
    report = MonthlyReport.objects.filter(area_code=area_code, month=month).first()
    if report and report.status == ReportStatus.PUBLISHED:
        return report, report.data
    return report, build_report(user, area_code, month)


@transaction.atomic
def publish_report(actor: User, area_code: str, month: str) -> MonthlyReport:
    queries.unit_for_user(actor, UnitKind.AREA, area_code)
    if not user_may(actor, Action.ASSESS):
        raise PermissionDenied(_("You may not publish assessment reports."))
    if month >= periods.current_month():
        raise ValidationError({"month": _("Only a month that has ended can be published.")})
    report, _created = MonthlyReport.objects.select_for_update().get_or_create(
        area_code=area_code, month=month
    )
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(_("This month is already published; its figures are frozen."))
    report.data = build_report(actor, area_code, month)
    report.status = ReportStatus.PUBLISHED
    report.published_at = timezone.now()
    report.published_by = actor
    report.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=report,
        after={"status": report.status, "score": report.data.get("score")},
        note=_("Published the assessment of %(m)s") % {"m": month},
    )
    return report


@transaction.atomic
def save_scheme(
    actor: User, scheme: Scheme, *, name: str, items: list[dict], active: bool
) -> Scheme:
    if not user_may(actor, Action.MANAGE_SCHEMES):
        raise PermissionDenied(_("You may not edit assessment schemes."))
    before = snapshot(scheme, ["name", "items", "active"])
    scheme.name = name.strip() or scheme.name
    scheme.items = clean_items(items, scheme.unit_kind)
    scheme.active = active
    scheme.save()
    record_change(
        actor=actor,
        action=ChangeAction.UPDATE,
        instance=scheme,
        before=before,
        after=snapshot(scheme, ["name", "items", "active"]),
    )
    return scheme
