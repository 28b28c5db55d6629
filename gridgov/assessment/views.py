"""Assessment pages: a unit's indicators with drill-down, rankings, card boards, monthly reports
and the schemes. Every figure comes from queries.py, which applies the scope."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts.permissions import Action, Role
from gridgov.accounts.scope import user_may
from gridgov.areas import queries as area_queries
from gridgov.areas.models import Level
from gridgov.assessment import filters, periods, queries, services
from gridgov.assessment.indicators import INDICATORS, codes_for
from gridgov.assessment.models import MonthlyReport, ReportStatus, Scheme, UnitKind
from gridgov.assessment.rollup import rolled_at
from gridgov.assessment.scoring import format_bands, parse_bands
from gridgov.tables import workbook_response

LEVEL_CHOICES = [
    (lv, lv.label) for lv in (Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID)
]
MAX_SCHEME_ROWS = 60
STAFF_ROLES = [
    (Role.GRID_MEMBER, Role.GRID_MEMBER.label),
    (Role.COMMUNITY_STAFF, Role.COMMUNITY_STAFF.label),
    (Role.STREET_OPERATOR, Role.STREET_OPERATOR.label),
    (Role.DISTRICT_OPERATOR, Role.DISTRICT_OPERATOR.label),
]


def _bad_input_is_400(view):
    """A malformed period, kind or level is the user's mistake: say so with a 400."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ValidationError as exc:
            text = "; ".join(exc.messages)
            body = render_to_string("assessment/error.html", {"message": text}, request=request)
            return HttpResponseBadRequest(body)

    return wrapper


def _period(request) -> str:
    period = request.GET.get("period", "").strip() or periods.last_complete_month()
    periods.months_of(period)
    return period


@login_required
@_bad_input_is_400
def overview(request):
    kind = request.GET.get("kind", UnitKind.AREA)
    unit = request.GET.get("unit", "").strip() or (
        queries.default_area(request.user) if kind == UnitKind.AREA else ""
    )
    if kind not in UnitKind.values:
        raise ValidationError(_("Unknown unit kind."))
    period = _period(request)
    report = queries.unit_report(request.user, kind, unit, period) if unit else None
    return render(
        request,
        "assessment/overview.html",
        {
            "nav": "assessment",
            "report": report,
            "period": period,
            "kind": kind,
            "areas": queries.area_choices(request.user),
            "rolled_at": rolled_at(),
        },
    )


@login_required
@_bad_input_is_400
def rankings(request):
    listing = filters.RankingFilter(request.GET, request.user)
    result = listing.rows()
    data = listing.cleaned_data
    kind, level, period, parent = data["kind"], data["level"], data["period"], data["parent"]
    if request.GET.get("format") == "xlsx":
        areas = kind == UnitKind.AREA
        return workbook_response(
            [(_("Ranking"), _ranking_headers(areas), _ranking_rows(result["rows"], areas))],
            f"{_('Ranking')}-{period}",
        )
    return render(
        request,
        "assessment/rankings.html",
        {
            "nav": "assessment",
            "result": result,
            "kind": kind,
            "level": level,
            "period": period,
            "parent": parent,
            "levels": LEVEL_CHOICES,
            "roles": STAFF_ROLES,
            "rolled_at": rolled_at(),
        },
    )


LINE_COLUMNS = ("mediation_success_rate", "rectify_on_time", "special_visits_on_time")


def _ranking_headers(areas: bool = False) -> list[str]:
    lines = [str(INDICATORS[code].label) for code in LINE_COLUMNS] if areas else []
    return [
        _("Rank"),
        _("Name"),
        _("Code"),
        _("Score"),
        _("Grade"),
        _("Previous rank"),
        _("Score change"),
        _("Reports"),
        _("Closing rate"),
        _("On-time closing"),
        _("Yellow cards"),
        _("Red cards"),
        *lines,
    ]


def _pct(value) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _ranking_rows(rows: list[dict], areas: bool = False) -> list[list]:
    return [
        [
            r["rank"],
            r["name"],
            r["key"],
            r["score"],
            r["grade"],
            r["previous_rank"],
            r["score_change"],
            r["reports"],
            _pct(r["closing_rate"]),
            _pct(r["close_on_time"]),
            r["yellow_cards"],
            r["red_cards"],
            *([_pct(r.get(code)) for code in LINE_COLUMNS] if areas else []),
        ]
        for r in rows
    ]


@login_required
@_bad_input_is_400
def drill(request):
    listing = filters.DrillFilter(request.GET, request.user)
    page = Paginator(listing.rows(), 50).get_page(request.GET.get("page"))
    data = listing.cleaned_data
    kind, unit, indicator = data["kind"], data["unit"], data["indicator"]
    part, period = data["part"], data["period"]
    return render(
        request,
        "assessment/drill.html",
        {
            "nav": "assessment",
            "page": page,
            "indicator": INDICATORS[indicator],
            "part": part,
            "period": period,
            "unit_name": queries.unit_name(queries.unit_for_user(request.user, kind, unit)),
            "back": f"{reverse('assessment:overview')}?kind={kind}&unit={unit}&period={period}",
        },
    )


@login_required
@_bad_input_is_400
def cards(request):
    listing = filters.CardFilter(request.GET, request.user)
    board = listing.rows()
    period, area = listing.cleaned_data["period"], listing.cleaned_data["area"].strip()
    latest = board["latest"]
    page = Paginator(latest, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/cards.html",
        {
            "nav": "assessment",
            "board": board,
            "page": page,
            "period": period,
            "area": area,
            "area_choices": area_queries.picker_choices(request.user),
        },
    )


@login_required
@_bad_input_is_400
def reports(request):
    area = request.GET.get("area", "").strip() or queries.default_area(request.user)
    month = request.GET.get("month", "").strip()
    if month:
        return redirect("assessment:report", area=area, month=month)
    published = MonthlyReport.objects.restrict(request.user).filter(status=ReportStatus.PUBLISHED)
    return render(
        request,
        "assessment/reports.html",
        {
            "nav": "assessment",
            "area": area,
            "areas": queries.area_choices(request.user),
            "months": periods.last_months(12, periods.current_month())[::-1],
            "published": published[:100],
        },
    )


@login_required
@_bad_input_is_400
def report(request, area: str, month: str):
    if len(periods.months_of(month)) != 1:
        raise ValidationError(_("A monthly report covers one month."))
    saved, data = services.report_for(request.user, area, month)
    if request.GET.get("format") == "xlsx":
        return workbook_response(_report_sheets(data), f"{data['area']['name']}-{month}")
    return render(
        request,
        "assessment/report.html",
        {
            "nav": "assessment",
            "saved": saved,
            "data": data,
            "published": bool(saved and saved.status == ReportStatus.PUBLISHED),
            "may_publish": user_may(request.user, Action.ASSESS)
            and month < periods.current_month(),
        },
    )


@login_required
@require_POST
@_bad_input_is_400
def publish(request, area: str, month: str):
    services.publish_report(request.user, area, month)
    messages.success(request, _("The month is published; its figures are now frozen."))
    return HttpResponseRedirect(reverse("assessment:report", args=[area, month]))


def _report_sheets(data: dict) -> list:
    indicators = [
        [
            r["label"],
            _pct(r["value"]) if r["is_rate"] else r["value"],
            r["numerator"],
            r["denominator"],
            _pct(r["previous"]) if r["is_rate"] else r["previous"],
        ]
        for r in data["indicators"]
    ]
    summary = [
        [_("Area"), data["area"]["name"]],
        [_("Code"), data["area"]["code"]],
        [_("Month"), data["month"]],
        [_("Score"), data["score"]],
        [_("Grade"), data["grade"]],
        [_("Scheme"), data["scheme"]],
        [_("Figures as of"), data["rolled_at"] or ""],
    ]
    sheets = [
        (_("Summary"), [_("Item"), _("Value")], summary),
        (
            _("Indicators"),
            [_("Indicator"), _("Value"), _("Numerator"), _("Denominator"), _("Previous period")],
            indicators,
        ),
    ]
    if data["children"]:
        sheets.append(
            (
                _("Areas ranked"),
                _ranking_headers(areas=True),
                _ranking_rows(data["children"], areas=True),
            )
        )
    if data["departments"]:
        sheets.append(
            (_("Departments ranked"), _ranking_headers(), _ranking_rows(data["departments"]))
        )
    return sheets


@login_required
def schemes(request):
    return render(
        request,
        "assessment/schemes.html",
        {
            "nav": "assessment",
            "schemes": Scheme.objects.all(),
            "may_edit": user_may(request.user, Action.MANAGE_SCHEMES),
            "indicators": INDICATORS,
        },
    )


@login_required
def scheme_edit(request, code: str):
    if not user_may(request.user, Action.MANAGE_SCHEMES):
        raise PermissionDenied
    scheme = get_object_or_404(Scheme, code=code)
    error = ""
    if request.method == "POST":
        items = []
        rows_sent = request.POST.get("rows", "")
        try:
            if not rows_sent.isdigit() or int(rows_sent) > MAX_SCHEME_ROWS:
                raise ValidationError(
                    _("The form arrived incomplete; reload the page and try again.")
                )
            for i in range(int(rows_sent)):
                indicator = request.POST.get(f"indicator_{i}", "")
                if not indicator:
                    continue
                items.append(
                    {
                        "indicator": indicator,
                        "weight": request.POST.get(f"weight_{i}", ""),
                        "bands": parse_bands(request.POST.get(f"bands_{i}", "")),
                        "fewer_is_better": request.POST.get(f"fewer_{i}") == "on",
                    }
                )
            services.save_scheme(
                request.user,
                scheme,
                name=request.POST.get("name", ""),
                items=items,
                active=request.POST.get("active") == "on",
            )
        except ValidationError as exc:
            error = "; ".join(exc.messages)
        else:
            messages.success(request, _("The scheme was saved."))
            return redirect("assessment:schemes")
    rows = [
        {**item, "bands_text": format_bands(item.get("bands") or [])} for item in scheme.items
    ] + [{"indicator": "", "weight": "", "bands_text": ""}] * 3
    return render(
        request,
        "assessment/scheme_edit.html",
        {
            "nav": "assessment",
            "scheme": scheme,
            "rows": rows,
            "indicators": [INDICATORS[c] for c in codes_for(scheme.unit_kind)],
            "error": error,
        },
        status=400 if error else 200,
    )
