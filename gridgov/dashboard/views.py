"""The cockpit page (a full screen for the command center's wall) and its Excel export."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.dashboard import queries, queries_federation
from gridgov.dashboard.export_lines import lines_sheets
from gridgov.lines.services.rentals import EXPIRY_NOTICE_DAYS
from gridgov.tables import workbook_response


@login_required
def cockpit(request):
    area = queries.area_for(request.user, request.GET.get("area", "").strip())
    return render(
        request,
        "dashboard/cockpit.html",
        {
            "area": area,
            "time_zone": settings.TIME_ZONE,
            "may_populations": user_may(request.user, Action.VIEW_SPECIAL_POPULATION),
            "may_foreign": user_may(request.user, Action.VIEW_FOREIGN_AFFAIRS),
            "federation": queries_federation.in_sight(request.user, area),
        },
    )


@login_required
def foreign(request):
    """The foreign-affairs cockpit (涉外驾驶舱): its own right, then the area in scope."""
    if not user_may(request.user, Action.VIEW_FOREIGN_AFFAIRS):
        raise PermissionDenied
    area = queries.area_for(request.user, request.GET.get("area", "").strip())
    return render(
        request,
        "dashboard/foreign.html",
        {
            "area": area,
            "time_zone": settings.TIME_ZONE,
            "may_foreign": True,
            "notice_days": EXPIRY_NOTICE_DAYS,
        },
    )


@login_required
def export(request):
    """The cockpit's figures as Excel: the counts, trends, classes, areas below and the business
    lines (special populations only for holders of that right, as on the page)."""
    data = queries.cockpit(request.user, request.GET.get("area", "").strip())
    c = data["counts"]
    summary = [
        [_("Area"), data["area"]["name"]],
        [_("Code"), data["area"]["code"]],
        [_("Reports today"), c["today_reports"]],
        [_("Reports this month"), c["month_reports"]],
        [_("Closed this month"), c["month_closed"]],
        [_("Open"), c["open"]],
        [_("Overdue"), c["overdue"]],
        [_("Figures as of"), data["rolled_at"] or ""],
    ]
    sheets = [
        (_("Summary"), [_("Item"), _("Value")], summary),
        (
            _("By day"),
            [_("Day"), _("Reports"), _("Closed")],
            [[d["day"], d["reports"], d["closed"]] for d in data["trend_days"]],
        ),
        (
            _("By month"),
            [_("Month"), _("Reports"), _("Closed")],
            [[m["month"], m["reports"], m["closed"]] for m in data["trend_months"]],
        ),
        (
            _("Top classes"),
            [_("Class"), _("Reports")],
            [[t["name"], t["count"]] for t in data["top_classes"]],
        ),
        (
            _("Areas below"),
            [_("Code"), _("Name"), _("Reports this month"), _("Open"), _("Overdue"), _("People")],
            [
                [a["code"], a["name"], a["reports"], a["open"], a["overdue"], a["people"]]
                for a in data["children"]["areas"]
            ],
        ),
        *lines_sheets(data["lines"], data["populations"]),
    ]
    return workbook_response(sheets, f"{data['area']['name']}-{data['month']}")
