"""The federation page: on a city, its member districts and their cases counted once; on a
district, its parent and the messages exchanged (MANAGE_CLIENTS)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.areas.models import Area, Level
from gridgov.cases.models import Case
from gridgov.exchange.models import (
    FederationLink,
    FederationMember,
    FederationMessage,
    FederationTask,
    MemberCaseFact,
)
from gridgov.exchange.models.federation import LinkRole, Signing
from gridgov.exchange.services import federation


@login_required
def federation_page(request: HttpRequest) -> HttpResponse:
    if not user_may(request.user, Action.MANAGE_CLIENTS):
        raise PermissionDenied
    members = restrict(
        FederationMember.objects.select_related("client"), request.user, Action.MANAGE_CLIENTS
    )
    facts = restrict(MemberCaseFact.objects.all(), request.user, Action.MANAGE_CLIENTS)
    rows = federation.member_figures(members, facts)
    exchanged = restrict(FederationMessage.objects.all(), request.user, Action.MANAGE_CLIENTS)[:50]
    parent = federation.parent_config()
    escalated = restrict(
        FederationLink.objects.filter(role=LinkRole.FROM_MEMBER).select_related("case"),
        request.user,
        Action.MANAGE_CLIENTS,
    )[:20]
    from_above = restrict(FederationTask.objects.all(), request.user, Action.MANAGE_CLIENTS)[:20]
    return render(
        request,
        "exchange/federation/page.html",
        {
            "rows": rows,
            "total": sum(r["cases"] for r in rows),
            "exchanged": exchanged,
            "escalated": escalated,
            "from_above": from_above,
            "parent": {"url": parent["url"], "area": parent["area"]} if parent else None,
            "signing_choices": Signing.choices,
        },
    )


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


@login_required
def reveal_page(request: HttpRequest, case_id: int) -> HttpResponse:
    """On the city: ask the member platform for the reporter of a case it escalated (a reason,
    logged on both platforms); the answer is shown once and not kept (no-store)."""
    case = get_for_user(Case.objects.all(), request.user, Action.VIEW_PERSONAL, pk=case_id)
    link = (
        restrict(FederationLink.objects.all(), request.user, Action.VIEW_PERSONAL)
        .filter(case=case, role=LinkRole.FROM_MEMBER)
        .first()
    )
    form = RevealForm(request.POST or None)
    revealed, error = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            revealed = federation.reveal_reporter(
                request.user, case, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied as exc:
            error = str(exc) or str(_("You may not see this case's reporter."))
        except ValidationError as exc:
            error = "; ".join(exc.messages)
    response = render(
        request,
        "exchange/federation/reveal.html",
        {"case": case, "link": link, "form": form, "revealed": revealed, "error": error},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def tasks_from_above_page(request: HttpRequest) -> HttpResponse:
    """The command center's list of field tasks sent by the level above, each with a form to
    assign it to the members of an area (those who may assign field tasks)."""
    if not user_may(request.user, Action.ASSIGN_TASKS):
        raise PermissionDenied
    tasks = list(restrict(FederationTask.objects.all(), request.user, Action.ASSIGN_TASKS)[:100])
    names = dict(
        restrict(Area.objects.all(), request.user, Action.ASSIGN_TASKS, field="code")
        .filter(code__in={t.assigned_area for t in tasks})
        .values_list("code", "name")
    )
    for task in tasks:
        task.area_name = names.get(task.assigned_area, task.assigned_area)
        task.choices = [] if task.assigned_area else assign_choices(request.user, task)
    return render(request, "exchange/federation/tasks.html", {"tasks": tasks})


def assign_choices(user, task: FederationTask) -> list[tuple[str, str]]:
    """The areas under the task's area that the user may assign tasks in, by name (streets and
    communities first, then grids), for the assign form."""
    areas = restrict(Area.objects.active(), user, Action.ASSIGN_TASKS, field="code").filter(
        code__startswith=task.area_code, level__in=[Level.STREET, Level.COMMUNITY, Level.GRID]
    )
    return list(areas.order_by("code").values_list("code", "name")[:500])


@login_required
@require_POST
def assign_task_page(request: HttpRequest, task_id: int) -> HttpResponse:
    """The command center assigns a task of the level above to the members of an area."""
    task = get_for_user(FederationTask.objects.all(), request.user, Action.ASSIGN_TASKS, pk=task_id)
    area_code = request.POST.get("area_code", "")[:20]
    if area_code not in {code for code, _name in assign_choices(request.user, task)}:
        return HttpResponse(_("Choose an area of this platform."), status=400)
    try:
        made = federation.assign_task_from_above(request.user, task, area_code=area_code)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    messages.success(request, _("%(n)d tasks sent to the members.") % {"n": made})
    return redirect("exchange:federation-tasks")


@login_required
def assessment_page(request: HttpRequest) -> HttpResponse:
    """On the city: the member districts ranked from the facts they push (no personal data)."""
    from gridgov.exchange.services.federation_assessment import district_ranking

    period = request.GET.get("period", "")
    try:
        ranking = district_ranking(request.user, period)
    except ValidationError as exc:
        return render(
            request,
            "exchange/federation/assessment.html",
            {"error": " ".join(exc.messages), "period": period},
            status=400,
        )
    return render(
        request, "exchange/federation/assessment.html", {"ranking": ranking, "period": period}
    )


@login_required
@require_POST
def member_signing_page(request: HttpRequest, member_id: int) -> HttpResponse:
    """On the city: the signature algorithm of the messages with a member (the member's
    GRIDGOV_FEDERATION_SIGNING must be set the same)."""
    member = get_for_user(
        FederationMember.objects.select_related("client"),
        request.user,
        Action.MANAGE_CLIENTS,
        pk=member_id,
    )
    try:
        federation.set_member_signing(request.user, member, request.POST.get("signing", "")[:12])
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    messages.success(
        request,
        _("Messages with %(member)s are now signed with %(algorithm)s.")
        % {"member": member.client.name, "algorithm": member.get_signing_display()},
    )
    return redirect("exchange:federation")
