"""Desk and phone pages of disputes, screening and hazards. Thin: filters and queries in,
services for every change; outside the scope is 404."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas import queries as area_queries
from gridgov.lines import queries_disputes
from gridgov.lines.filters_disputes import DisputeFilter, HazardFilter, ScreeningFilter
from gridgov.lines.models import (
    Dispute,
    DisputeKind,
    DisputeState,
    Hazard,
    HazardGrade,
    InspectionTask,
    ItemResult,
    ScreeningTask,
)
from gridgov.lines.parties_disputes import area_names
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.lines.services import rentals
from gridgov.lines.services.disputes_pdf import agreement_pdf, notice_pdf
from gridgov.lines.views_disputes_forms import dispute_context, user_may_register
from gridgov.registry import exports


def _listing(request, listed, template: str, nav_tab: str, **extra):
    page = Paginator(listed.page_rows(), 25).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            **extra,
            "nav": "lines",
            "tab": nav_tab,
            "page": page,
            "filters": listed,
            "area_choices": area_queries.picker_choices(request.user),
            "selected": listed.area_chosen() if listed.is_valid() else "",
        },
    )


@login_required
@require_GET
def dispute_list(request):
    return _listing(
        request,
        DisputeFilter(request.GET, request.user),
        "lines/disputes/list.html",
        "disputes",
        may_register=user_may_register(request.user),
    )


@login_required
@require_GET
def dispute_detail(request, pk: int):
    dispute = get_for_user(Dispute.objects.all(), request.user, Action.VIEW, pk=pk)
    return render(request, "lines/disputes/detail.html", dispute_context(request.user, dispute))


@login_required
@require_GET
def agreement(request, pk: int):
    dispute = get_for_user(Dispute.objects.all(), request.user, Action.VIEW, pk=pk)
    if not dispute.agreement_text:
        raise Http404
    response = HttpResponse(agreement_pdf(dispute), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dispute.number}.pdf"'
    return response


@login_required
@require_GET
def screening_list(request):
    return _listing(
        request,
        ScreeningFilter(request.GET, request.user),
        "lines/disputes/screenings.html",
        "screenings",
    )


@login_required
@require_GET
def hazard_list(request):
    return _listing(
        request, HazardFilter(request.GET, request.user), "lines/hazards/list.html", "hazards"
    )


@login_required
@require_GET
def hazard_notice(request, pk: int):
    hazard = get_for_user(Hazard.objects.all(), request.user, Action.VIEW, pk=pk)
    response = HttpResponse(notice_pdf(hazard), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{hazard.number}.pdf"'
    return response


def _named(counts: dict[str, int], choices) -> list[tuple[str, int]]:
    """A board's counts by code as (name, count), in the order of the choices: names, not codes."""
    names = dict(choices)
    return [(str(names.get(code, code)), n) for code, n in counts.items()]


@login_required
@require_GET
def board(request):
    listed = DisputeFilter(request.GET, request.user)
    within = listed.area_chosen() if listed.is_valid() else ""
    figures = queries_disputes.board(request.user, within=within)
    named = {
        "disputes_by_kind": _named(figures["disputes_by_kind"], DisputeKind.choices),
        "disputes_by_state": _named(figures["disputes_by_state"], DisputeState.choices),
        "open_hazards_by_grade": _named(figures["open_hazards_by_grade"], HazardGrade.choices),
    }
    return render(
        request,
        "lines/hazards/board.html",
        {
            "nav": "lines",
            "tab": "board",
            "board": figures,
            "named": named,
            "filters": listed,
            "area_choices": area_queries.picker_choices(request.user),
            "selected": within,
        },
    )


# ---------------------------------------------------------------------------------------------
# ledgers (台账) as files: parties' names are personal data, so through registry/exports.py


@login_required
@require_GET
def export_disputes(request, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404
    listing = DisputeFilter(request.GET, request.user, Action.EXPORT)
    if not listing.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))
    asked = exports.ExportRequest(
        subject_type="lines.dispute",
        name="disputes",
        fmt=fmt,
        fields=["parties"],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        found = list(listing.rows().prefetch_related("parties")[: exports.EXPORT_LIMIT])
        rows = [
            [
                d.number,
                timezone.localtime(d.created_at).date().isoformat(),
                d.get_kind_display(),
                d.title,
                "、".join(f"{p.name}（{p.get_role_display()}）" for p in d.parties.all()),
                d.get_risk_display(),
                d.get_source_display(),
                d.mediation_body,
                d.get_state_display(),
                "" if d.success is None else ("成功" if d.success else "未成功"),
                d.area_code,
            ]
            for d in found
        ]
        headers = [
            "编号",
            "登记日期",
            "纠纷类型",
            "纠纷事项",
            "当事人",
            "风险等级",
            "来源",
            "调解组织",
            "状态",
            "调解结果",
            "区划编码",
        ]
        return exports.Table(headers, rows, [d.area_code for d in found])

    return exports.export_table(request.user, asked, table)


@login_required
@require_GET
def export_hazards(request, fmt: str):
    if fmt not in exports.FORMATS:
        raise Http404
    listing = HazardFilter(request.GET, request.user, Action.EXPORT)
    if not listing.is_valid():
        return HttpResponseBadRequest(" ".join(m for e in listing.errors.values() for m in e))
    asked = exports.ExportRequest(
        subject_type="lines.hazard",
        name="hazards",
        fmt=fmt,
        fields=["responsible"],
        area=listing.area_chosen(),
    )

    def table() -> exports.Table:
        found = list(
            listing.rows().select_related("organization", "rental__house", "item")[
                : exports.EXPORT_LIMIT
            ]
        )
        rows = [
            [
                h.number,
                h.place_name,
                h.item.text,
                h.description,
                h.get_grade_display(),
                h.responsible,
                h.deadline.isoformat(),
                h.get_state_display(),
                h.supervised_by,
                h.area_code,
            ]
            for h in found
        ]
        headers = [
            "编号",
            "场所",
            "检查项",
            "隐患描述",
            "等级",
            "责任人",
            "整改期限",
            "状态",
            "挂牌督办",
            "区划编码",
        ]
        return exports.Table(headers, rows, [h.area_code for h in found])

    return exports.export_table(request.user, asked, table)


# ---------------------------------------------------------------------------------------------
# phone pages


def checklist_results(request, items) -> list[hs.ResultInput]:
    """A checklist form's answers (`item_<id>`, `note_<id>`, `photo_<id>`), desk or phone."""
    results = []
    for item in items:
        photo = request.FILES.get(f"photo_{item.pk}")
        results.append(
            hs.ResultInput(
                item.pk,
                request.POST.get(f"item_{item.pk}", ""),
                request.POST.get(f"note_{item.pk}", "")[:300],
                photo.read(10 * 1024 * 1024) if photo else b"",
            )
        )
    return results


def _occupants(request) -> int:
    try:
        value = int(request.POST.get("occupants", ""))
    except ValueError:
        raise ValidationError({"occupants": _("Enter a valid value.")}) from None
    if not 0 <= value <= 500:
        raise ValidationError({"occupants": _("Enter a valid value.")})
    return value


@login_required
@require_http_methods(["GET", "POST"])
def m_screening(request):
    """The member's screenings of the month: found / none found. "Found" goes on to register
    the dispute in that grid (source: screening)."""
    if request.method == "POST":
        task = get_for_user(
            ScreeningTask.objects.all(), request.user, Action.VIEW, pk=request.POST.get("task")
        )
        found = request.POST.get("found") == "1"
        try:
            ds.complete_screening(
                task,
                actor=request.user,
                found=found,
                note=request.POST.get("note", "")[:500],
            )
        except PermissionDenied:
            raise Http404 from None
        messages.success(request, _("Screening recorded."))
        if found:
            return redirect(
                f"{reverse('lines:m_dispute_new')}?{urlencode({'area': task.area_code})}"
            )
        return redirect("lines:m_screening")
    tasks = list(
        restrict(ScreeningTask.objects.all(), request.user, Action.CHANGE).filter(state="open")[:50]
    )
    names = area_names([t.area_code for t in tasks])
    for t in tasks:
        t.area_name = names.get(t.area_code, t.area_code)  # type: ignore[attr-defined]
    return render(request, "lines/disputes/m_screening.html", {"tasks": tasks})


@login_required
@require_http_methods(["GET", "POST"])
def m_inspect(request, pk: int):
    """An inspection task on the phone: each item passed / failed (photo) / not applicable."""
    task = get_for_user(
        InspectionTask.objects.select_related("plan", "organization", "rental__house"),
        request.user,
        Action.VIEW,
        pk=pk,
    )
    items = list(task.plan.current_items())
    error = ""
    if request.method == "POST":
        results = checklist_results(request, items)
        try:
            if task.rental is not None:  # a rented house: the occupants found count too
                inspection = rentals.inspect_rental(
                    task.rental,
                    actor=request.user,
                    occupants=_occupants(request),
                    results=results,
                    task=task,
                )
            else:
                inspection = hs.record_inspection(
                    actor=request.user,
                    plan=task.plan,
                    organization=task.organization,
                    results=results,
                    task=task,
                )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                _("Inspection recorded: %(n)d hazards.") % {"n": inspection.hazards.count()},
            )
            return redirect("lines:m_inspect", pk=task.pk)
    return render(
        request,
        "lines/hazards/m_inspect.html",
        {"task": task, "items": items, "choices": ItemResult.choices, "error": error},
        status=400 if error else 200,
    )
