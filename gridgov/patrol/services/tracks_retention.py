"""Positions are deleted after their retention period (default 180 days, GRIDGOV_RETENTION_DAYS
["patrol.position"]); sessions that ended before the cutoff go with them. On PostgreSQL whole
monthly partitions past the cutoff are dropped first, then the rest is deleted row by row."""

import datetime

from django.db import connection
from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import DataKind, register

DEFAULT_DAYS = 180


def purge_positions(cutoff: datetime.datetime) -> int:
    from gridgov.patrol.models.tracks import PatrolSession, Position

    removed = 0
    if connection.vendor == "postgresql":
        from gridgov.patrol.partitions import drop_partitions_before

        removed += drop_partitions_before(cutoff)
    old = Position.objects.filter(fix_time__lt=cutoff)
    removed += old._raw_delete(old.db)
    PatrolSession.objects.filter(ended_at__lt=cutoff).delete()
    return removed


def register_kinds() -> None:
    register(
        DataKind(
            name="patrol.position",
            label=_("Patrol positions and tracks"),
            default_days=DEFAULT_DAYS,
            minimum_days=0,
            purge=purge_positions,
            basis=_("Personal Information Protection Law art. 19: kept no longer than needed"),
        )
    )
