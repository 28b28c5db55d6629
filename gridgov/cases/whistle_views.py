"""The whistle (吹哨报到) on the case page: summon departments, and report on site."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.cases import queries, whistle
from gridgov.cases.routing import dispatch_choices


@login_required
@require_POST
def blow(request, pk: int):
    case = queries.get_case_for_user(request.user, pk)
    ids = [v for v in request.POST.getlist("departments") if v.isdigit()][
        : whistle.MAX_DEPARTMENTS + 1
    ]
    try:
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        minutes = 0
    try:
        whistle.blow_whistle(
            case,
            acting_user=request.user,
            departments=list(dispatch_choices(case).filter(pk__in=ids)),
            minutes=minutes,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The departments were summoned."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def report_in(request, pk: int):
    case = queries.get_case_for_user(request.user, pk)
    try:
        whistle.report_in(case, acting_user=request.user, note=request.POST.get("note", ""))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your arrival on site is recorded."))
    return redirect("cases:detail", pk=case.pk)
