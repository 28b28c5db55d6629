"""Patrol and duty sessions, their positions, and the tokens of native trackers (OsmAnd/Traccar).

A position is stored only inside a session the member started (个人信息保护法 art. 28: tracks are
sensitive personal information). Positions carry the session's area code (`area_code`, the scope
field) so that scoped reads and coverage need no join. On PostgreSQL the positions table is
partitioned by month of the fix time (migration 0002_tracks); SQLite keeps one table.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.scope import ScopedQuerySet


class SessionKind(models.TextChoices):
    PATROL = "patrol", _("Patrol")
    DUTY = "duty", _("Duty")


class Source(models.TextChoices):
    BROWSER = "browser", _("Phone app")
    OSMAND = "osmand", _("Native tracker (OsmAnd/Traccar)")
    IMPORT = "import", _("Import")


class PatrolSession(models.Model):
    """One patrol or duty session the member started; positions exist only inside one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="patrol_sessions"
    )
    kind = models.CharField(max_length=8, choices=SessionKind.choices, default=SessionKind.PATROL)
    area_code = models.CharField(_("area"), max_length=20, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # The live map reads these instead of the positions table.
    last_fix_at = models.DateTimeField(null=True, blank=True)
    last_lat = models.FloatField(null=True, blank=True)
    last_lon = models.FloatField(null=True, blank=True)
    accepted = models.PositiveIntegerField(default=0)
    # Dropped points by rule: {"invalid": n, "duplicate": n, "future": n, "too_fast": n, ...}
    dropped = models.JSONField(default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="patrol_sess_user_idx"),
            models.Index(
                fields=["area_code"], condition=Q(ended_at__isnull=True), name="patrol_sess_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.user} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def open(self) -> bool:
        return self.ended_at is None


class Position(models.Model):
    """One fix of one session. Unique by (session, fix time): a replayed batch changes nothing."""

    # No single-column indexes: (session, fix_time) and (user, fix_time) serve those lookups.
    session = models.ForeignKey(
        PatrolSession, on_delete=models.CASCADE, related_name="positions", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    area_code = models.CharField(max_length=20)
    fix_time = models.DateTimeField()
    server_time = models.DateTimeField(default=timezone.now)
    lat = models.FloatField()
    lon = models.FloatField()
    accuracy = models.FloatField(null=True, blank=True)
    speed = models.FloatField(null=True, blank=True)  # m/s
    heading = models.FloatField(null=True, blank=True)  # degrees from north
    altitude = models.FloatField(null=True, blank=True)
    battery = models.FloatField(null=True, blank=True)  # percent
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.BROWSER)

    objects = ScopedQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        ordering = ["fix_time", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "fix_time"], name="patrol_pos_session_fix")
        ]
        indexes = [
            models.Index(fields=["user", "fix_time"], name="patrol_pos_user_fix"),
            models.Index(fields=["area_code", "fix_time"], name="patrol_pos_area_fix"),
            models.Index(fields=["fix_time"], name="patrol_pos_fix"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.fix_time:%Y-%m-%d %H:%M:%S} {self.lat:.5f},{self.lon:.5f}"


class TrackerToken(models.Model):
    """The `id` a native tracker sends: a revocable secret (256 bits) bound to one staff account.
    Only its SHA-256 is stored; the raw token is shown once when issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracker_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, blank=True)  # the last characters, to tell tokens apart
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    # Points received while no session of the member was open: dropped, only counted here.
    dropped_outside = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} …{self.hint}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


__all__ = ["PatrolSession", "Position", "SessionKind", "Source", "TrackerToken"]
