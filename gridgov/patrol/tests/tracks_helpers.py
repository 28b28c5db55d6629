"""Shared pieces of the tracks tests: a member on patrol in grid A and fixes along a line."""

import datetime

from django.utils import timezone

from gridgov.patrol.services import tracks as services

GRID_A_LAT = 34.7155  # inside tree.grids[0] (lon 113.60–113.61, lat 34.715–34.72)
GRID_A_LON = 113.6050


def fixes_along(start: datetime.datetime, n: int, *, step_s: int = 15, dlat: float = 0.0001):
    """n fixes northwards, ≈ 11 m apart, `step_s` seconds apart."""
    return [
        services.Fix(
            lat=GRID_A_LAT + i * dlat,
            lon=GRID_A_LON,
            fix_time=start + datetime.timedelta(seconds=step_s * i),
            accuracy=8,
            speed=0.8,
            battery=80,
        )
        for i in range(n)
    ]


def start_patrol(member):
    """The member's open patrol, started an hour ago."""
    session = services.start_session(actor=member)
    session.started_at = timezone.now() - datetime.timedelta(hours=1)
    session.save(update_fields=["started_at"])
    return session
