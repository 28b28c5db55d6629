"""The working-calendar page: a year at a glance, single days, and the yearly holiday notice."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.cases import workdays
from gridgov.cases.holiday_notice import NoticeError


def _year(value, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if workdays.FIRST_YEAR <= year <= workdays.LAST_YEAR else default


def _page(request, year: int, *, notice: str = "", preview=None, error: str = "", status=200):
    return render(
        request,
        "cases/calendar.html",
        {
            "nav": "calendar",
            "year": year,
            "source": workdays.year_source(year),
            "months": workdays.year_grid(year),
            "may_edit": user_may(request.user, Action.MANAGE_SETTINGS),
            "notice": notice,
            "preview": preview,
            "error": error,
            "years": range(year - 1, year + 3),
        },
        status=status,
    )


@login_required
def calendar_page(request):
    today = timezone.localdate()
    return _page(
        request, _year(request.GET.get("year"), workdays.missing_year_to_warn() or today.year)
    )


def _back(year: int):
    return redirect(f"{reverse('cases:calendar')}?year={year}")


@login_required
@require_POST
def calendar_day(request):
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied
    try:
        day = datetime.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:
        year = _year(request.POST.get("year"), timezone.localdate().year)
        return _page(request, year, error=_("Enter a date as YYYY-MM-DD."), status=400)
    try:
        kind = request.POST.get("kind")
        if kind == "clear":
            workdays.clear_day(request.user, day)
        elif kind in ("work", "off"):
            workdays.set_day(request.user, day, kind == "work", request.POST.get("note", ""))
        else:
            raise ValidationError(_("Choose a working day, a day off or clear."))
    except ValidationError as exc:
        return _page(request, day.year, error=" ".join(exc.messages), status=400)
    messages.success(request, _("The calendar was saved."))
    return _back(day.year)


@login_required
@require_POST
def calendar_notice(request):
    if not user_may(request.user, Action.MANAGE_SETTINGS):
        raise PermissionDenied
    year = _year(request.POST.get("year"), 0)
    text = request.POST.get("notice", "")
    if not year:
        return _page(
            request, timezone.localdate().year, notice=text, error=_("Choose a year."), status=400
        )
    try:
        if request.POST.get("confirm") == "1":
            days = workdays.apply_notice(request.user, year, text)
            messages.success(
                request,
                _("The holidays of %(year)s were saved (%(n)s days).")
                % {"year": year, "n": len(days)},
            )
            return _back(year)
        preview = workdays.preview_notice(year, text)
    except (ValidationError, NoticeError) as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return _page(request, year, notice=text, error=message, status=400)
    return _page(request, year, notice=text, preview=preview)
