"""Demo patrols: for a few grid members, an hour's patrol on each of the last three days (a loop
inside their grid, with a short stop), through the services, so their track, coverage and the
live map have something to show. The first member is on patrol now."""

import datetime

import shapely
import time_machine
from django.utils import timezone

from gridgov.accounts.models import ForceType, StaffAssignment
from gridgov.patrol.services import tracks as services

STEP_S = 15


def _loop(grid: shapely.Geometry, n: int) -> list[tuple[float, float]]:
    """n points along a loop inside the grid (its boundary pulled in by a fifth of its size)."""
    minx, miny, maxx, maxy = grid.bounds
    inner = shapely.buffer(grid, -min(maxx - minx, maxy - miny) / 5)
    ring = (inner if not inner.is_empty else grid).exterior
    points = [ring.interpolate(i / n, normalized=True) for i in range(n)]
    return [(p.y, p.x) for p in points]


def _patrol(member, grid, start: datetime.datetime, minutes: int, *, end: bool) -> int:
    with time_machine.travel(start, tick=False):
        session = services.start_session(actor=member)
    n = minutes * 60 // STEP_S
    loop = _loop(grid, n)
    fixes = []
    for i, (lat, lon) in enumerate(loop):
        when = start + datetime.timedelta(seconds=STEP_S * (i + 1))
        fixes.append(
            services.Fix(
                lat=lat, lon=lon, fix_time=when, accuracy=6, speed=1.2, battery=90 - i / 20
            )
        )
    # A four-minute stop a third of the way round (talking to a resident).
    stop_at = n // 3
    for fix in fixes[stop_at : stop_at + 16]:
        fix.lat, fix.lon = loop[stop_at]
    with time_machine.travel(start + datetime.timedelta(minutes=minutes, seconds=30), tick=False):
        for b in range(0, len(fixes), 50):
            services.ingest(session, fixes[b : b + 50], actor=member)
        if end:
            services.end_session(session, actor=member)
    return len(fixes)


def load(*, stdout, scale: str, seed: int, size: str = "full", **options) -> None:
    assignments = list(
        StaffAssignment.objects.filter(force_type=ForceType.GRID_MEMBER, until__isnull=True)
        .select_related("user", "grid")
        .order_by("area_code", "id")[: 3 if size == "small" else 8]
    )
    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    total = 0
    for a in assignments:
        if not a.grid.geometry or not a.user.is_active:
            continue
        grid = shapely.geometry.shape(a.grid.geometry)
        for days_ago in (3, 2, 1):
            day = today - datetime.timedelta(days=days_ago)
            start = datetime.datetime.combine(day, datetime.time(9, 0), tz)
            total += _patrol(a.user, grid, start, 60, end=True)
    if assignments and assignments[0].grid.geometry:
        first = assignments[0]
        start = timezone.now() - datetime.timedelta(minutes=20)
        total += _patrol(
            first.user, shapely.geometry.shape(first.grid.geometry), start, 15, end=False
        )
    stdout.write(f"  patrols: {len(assignments)} members, {total} positions")
