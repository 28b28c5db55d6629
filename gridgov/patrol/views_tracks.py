"""Pages of patrols and tracks: the desk track playback, the coverage map of a grid, the live map
of on-duty members, and the phone page where a member starts and stops a patrol."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import restrict
from gridgov.areas.models import Area
from gridgov.patrol import queries_tracks as queries
from gridgov.patrol.api_tracks import coverage_answer, interval_s, parse_day
from gridgov.patrol.services import tracks as services
from gridgov.patrol.services import tracks_geo as geo


def _day(text: str | None) -> datetime.date:
    if not text:
        return timezone.localdate()
    try:
        return parse_day(text)  # the API's rule: a readable day from 2000 to 2099
    except ValidationError:
        raise Http404 from None


def _member_id(text: str | None, default: int) -> int:
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise Http404 from None


@login_required
@require_GET
def track_page(request):
    """One member's track of one day on the map, with stops and distance (own by default)."""
    day = _day(request.GET.get("day"))
    member = queries.member_for(
        request.user, _member_id(request.GET.get("member"), request.user.pk)
    )
    positions = queries.positions_of(request.user, member)
    data = geo.track(positions, day)
    if member.pk != request.user.pk:
        if not data["count"] and not queries.sessions_of(request.user, member).exists():
            raise Http404
        area = positions.values_list("area_code", flat=True).first() or ""
        queries.log_track_view(request.user, member, "track", day, area)
    sessions = (
        queries.visible_sessions(request.user).select_related("user")[:30]
        if queries.may_view_tracks(request.user)
        else queries.sessions_of(request.user, request.user)[:30]
    )
    return render(
        request,
        "patrol/tracks/track.html",
        {
            "nav": "patrol",
            "member": member,
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "track": data,
            "sessions": sessions,
            "own": member.pk == request.user.pk,
        },
    )


@login_required
@require_GET
def coverage_page(request, code: str):
    """The coverage map of one grid: what the patrols of the period came within 30 m of."""
    return render(
        request, "patrol/tracks/coverage.html", {"nav": "patrol", **_coverage(request, code)}
    )


@login_required
@require_GET
def phone_coverage_page(request):
    """The coverage of the member's own grid on the phone, to plan where to walk next. Built
    from tracks, so never kept on the phone (no-store)."""
    code = services.home_area_code(request.user)  # a grid, else the most specific scope area
    grids = restrict(Area.objects.grids(), request.user, Action.VIEW)
    mine = bool(code) and grids.filter(code=code).exists()
    context = _coverage(request, code) if mine else {}  # no grid of one's own: the page says so
    response = render(request, "patrol/tracks/phone_coverage.html", {"tab": "patrol", **context})
    response["Cache-Control"] = "private, no-store"
    return response


def _coverage(request, code: str) -> dict:
    """The coverage answer of a grid for the page's period (`period`, `day`, `member`)."""
    period = request.GET.get("period", "week")
    if period not in ("day", "week", "month"):
        period = "week"
    member = request.GET.get("member")
    try:
        data = coverage_answer(
            request.user,
            code,
            period,
            _day(request.GET.get("day")),
            _member_id(member, 0) if member else None,
        )
    except ValidationError as exc:
        raise Http404 from exc
    return {
        "coverage": data,
        "period": period,
        "percent": data["share"] * 100,
        # The period's first and last local days (its end is the next period's start).
        "first_day": datetime.datetime.fromisoformat(data["start"]).date(),
        "last_day": (
            datetime.datetime.fromisoformat(data["end"]) - datetime.timedelta(days=1)
        ).date(),
    }


@login_required
@require_GET
def live_page(request):
    """The command center's map of on-duty members (polls /api/v1/patrols/live with ETags)."""
    if not queries.may_view_tracks(request.user):
        raise PermissionDenied(_("You may not view others' patrol tracks."))
    grids = restrict(Area.objects.grids().active(), request.user, Action.VIEW_TRACKS)
    return render(
        request,
        "patrol/tracks/live.html",
        {"nav": "patrol", "grids": grids.order_by("code")[:200]},
    )


@login_required
@require_GET
def phone_track_page(request):
    """The member's own track of a day on the phone (the tab bar, a map, Play, the stops). A
    track is sensitive personal information: the page is never kept on the phone (no-store,
    so the service worker does not cache it for offline use)."""
    day = _day(request.GET.get("day"))
    data = geo.track(queries.positions_of(request.user, request.user), day)
    response = render(
        request,
        "patrol/tracks/phone_track.html",
        {
            "tab": "patrol",
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "today": timezone.localdate(),
            "track": data,
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def phone_page(request):
    """The member's patrol on the phone: start/stop, a visible "tracking on" indicator, today's
    track; positions go up in batches while the page is open."""
    session = services.open_session(request.user)
    return render(
        request,
        "patrol/tracks/phone.html",
        {
            "tab": "patrol",
            "session": session,
            "interval_s": interval_s(),
            "today": timezone.localdate(),
            "grid_code": services.home_area_code(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def tracker_page(request):
    """The member's ids for a native tracker (Traccar Client, OsmAnd): issue one (shown once,
    with the address to type into the app), see when each was last used, revoke."""
    new_token = ""
    status = 200
    if request.method == "POST":
        try:
            _token, new_token = services.issue_tracker_token(
                actor=request.user, label=request.POST.get("label", "").strip()
            )
            status = 201
        except PermissionDenied as exc:
            return render(
                request,
                "patrol/tracks/tracker.html",
                {"tokens": [], "refused": str(exc)},
                status=403,
            )
    tokens = request.user.tracker_tokens.order_by("revoked_at", "-created_at")
    return render(
        request,
        "patrol/tracks/tracker.html",
        {
            "tokens": tokens,
            "new_token": new_token,
            "server_url": request.build_absolute_uri("/api/v1/patrols/osmand"),
        },
        status=status,
    )


@login_required
@require_POST
def tracker_revoke(request, pk: int):
    token = get_object_or_404(request.user.tracker_tokens, pk=pk)  # only one's own ids
    services.revoke_tracker_token(token, actor=request.user)
    return redirect("patrol:tracker")
