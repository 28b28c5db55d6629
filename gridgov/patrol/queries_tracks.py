"""Reads of sessions and positions for pages and API: own tracks, or others' within scope
(VIEW_TRACKS), each view of another person's track written to the access log."""

import datetime

from django.db.models import QuerySet

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict, user_may
from gridgov.audit.services import record_access
from gridgov.patrol.models.tracks import PatrolSession, Position


def member_for(viewer: User, member_id: int) -> User:
    """The member whose track is asked: oneself, or a user within the viewer's scope (404)."""
    if member_id == viewer.pk:
        return viewer
    return get_for_user(User.objects.all(), viewer, Action.VIEW_TRACKS, pk=member_id)


def positions_of(viewer: User, member: User) -> QuerySet:
    if member.pk == viewer.pk:
        return Position.objects.filter(user=member)
    return restrict(Position.objects.filter(user=member), viewer, Action.VIEW_TRACKS)


def sessions_of(viewer: User, member: User) -> QuerySet:
    if member.pk == viewer.pk:
        return PatrolSession.objects.filter(user=member)
    return restrict(PatrolSession.objects.filter(user=member), viewer, Action.VIEW_TRACKS)


def visible_sessions(viewer: User) -> QuerySet:
    """Sessions of others within the viewer's scope (none without VIEW_TRACKS)."""
    return restrict(PatrolSession.objects.all(), viewer, Action.VIEW_TRACKS)


def may_view_tracks(viewer: User) -> bool:
    return user_may(viewer, Action.VIEW_TRACKS)


def log_track_view(viewer: User, member: User, what: str, day: datetime.date | None, area: str):
    """Every view of another person's track goes to the access log (own views do not)."""
    if member.pk == viewer.pk:
        return None
    return record_access(
        actor=viewer,
        subject=member,
        fields=["positions"],
        purpose="view",
        reason=f"{what} {day.isoformat() if day else ''}".strip(),
        area_code=area,
    )


def log_live_view(viewer: User, rows: list[dict]) -> None:
    """The live map shows others' last positions: one access-log row per poll that shows any."""
    others = [r for r in rows if r["user"] != viewer.pk]
    if others:
        record_access(
            actor=viewer,
            subject_type="patrol.live",
            fields=["last_position"],
            purpose="view",
            reason="live map",
            record_count=len(others),
            area_code=min(r["area_code"] for r in others),
        )


def positions_of_area(viewer: User, code: str) -> QuerySet:
    """All positions filed under the grid, within the viewer's scope (VIEW_TRACKS)."""
    return restrict(Position.objects.all(), viewer, Action.VIEW_TRACKS, within=code)


def log_coverage_view(viewer: User, code: str, member: User | None) -> None:
    record_access(
        actor=viewer,
        subject=member,
        subject_type="patrol.coverage" if member is None else "",
        fields=["positions"],
        purpose="view",
        reason=f"coverage {code}",
        area_code=code,
    )
