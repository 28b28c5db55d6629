"""Patrol and duty sessions, position ingest with its drop rules, and native-tracker tokens.

Drop rules (docs/field-tracks.md), applied to every point from any source, in this order:

1. ``invalid``: latitude/longitude missing, not finite, outside [-90, 90] / [-180, 180], exactly
   (0, 0); accuracy negative or worse than GRIDGOV_PATROL_MAX_ACCURACY_M (default 200 m); a
   negative speed; a fix time that cannot be read.
2. ``future``: a fix time more than 2 minutes after the server's clock.
3. ``outside``: a fix time before the session started or after it ended (a point with no open
   session of its member — a native tracker left on — is dropped and counted on its token).
4. ``duplicate``: a fix time the session already holds (a replayed batch changes nothing).
5. ``too_fast``: reaching the point from the previous kept point (by fix time, stored or in the
   same batch) would need more than GRIDGOV_PATROL_MAX_SPEED_MS (default 50 m/s = 180 km/h).

Kept points are inserted in fix-time order whatever order they arrive in, so a late batch lands
in its place. Each batch is one transaction; the counts go to the session (`accepted`,
`dropped`).
"""

import datetime
import functools
import hashlib
import math
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import StaffAssignment, User
from gridgov.accounts.system import is_system_account
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.patrol.models.tracks import (
    PatrolSession,
    Position,
    SessionKind,
    Source,
    TrackerToken,
)

FUTURE_SLACK = datetime.timedelta(minutes=2)
OUTSIDE_SLACK = datetime.timedelta(seconds=30)
DROP_RULES = ("invalid", "future", "outside", "duplicate", "too_fast")
EARTH_RADIUS_M = 6_371_008.8


def max_speed_ms() -> float:
    return float(getattr(settings, "GRIDGOV_PATROL_MAX_SPEED_MS", 50.0))


def max_accuracy_m() -> float:
    return float(getattr(settings, "GRIDGOV_PATROL_MAX_ACCURACY_M", 200.0))


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


# ---------------------------------------------------------------------------------------------
# sessions


def home_area_code(user: User) -> str:
    """The area a member's positions are filed under: their current grid, else their most
    specific scope area."""
    today = timezone.localdate()
    assignment = (
        StaffAssignment.objects.filter(user=user, since__lte=today)
        .exclude(until__lt=today)
        .order_by("-since", "-id")
        .first()
    )
    if assignment is not None:
        return assignment.area_code
    codes = sorted(user.scope_codes, key=lambda c: (-len(c), c))
    return codes[0] if codes else ""


def _check_staff(user: User) -> None:
    if not user.is_active or is_system_account(user) or not home_area_code(user):
        raise PermissionDenied(_("Only a staff member working an area can record patrols."))


def open_session(user: User) -> PatrolSession | None:
    return PatrolSession.objects.filter(user=user, ended_at__isnull=True).order_by("-id").first()


def start_session(*, actor: User, kind: str = SessionKind.PATROL) -> PatrolSession:
    """The member starts a patrol (or duty) session; a session already open is returned as is."""
    _check_staff(actor)
    if kind not in SessionKind.values:
        raise ValidationError(_("Unknown session kind."))
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=actor.pk).first()
        current = open_session(actor)
        if current is not None:
            return current
        session = PatrolSession.objects.create(
            user=actor, kind=kind, area_code=home_area_code(actor)
        )
        record_change(
            actor=actor, action=ChangeAction.CREATE, instance=session, after=snapshot(session)
        )
    return session


def end_session(session: PatrolSession, *, actor: User) -> PatrolSession:
    """Only the member ends their own session (tracking stops at once)."""
    if session.user_id != actor.pk:
        raise PermissionDenied(_("Only the member who started a patrol can end it."))
    with transaction.atomic():
        session = PatrolSession.objects.select_for_update().get(pk=session.pk)
        if session.ended_at is None:
            before = snapshot(session, ["ended_at"])
            session.ended_at = timezone.now()
            session.save(update_fields=["ended_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                instance=session,
                before=before,
                after=snapshot(session, ["ended_at"]),
                note=_("Patrol ended"),
            )
    return session


def close_stale_sessions(*, actor: User, hours: int = 14) -> int:
    """Sessions left open longer than `hours` end at their last fix (or start): a forgotten
    patrol does not keep a member tracked."""
    cutoff = timezone.now() - datetime.timedelta(hours=hours)
    count = 0
    for session in PatrolSession.objects.filter(ended_at__isnull=True, started_at__lt=cutoff):
        with transaction.atomic():
            before = snapshot(session, ["ended_at"])
            session.ended_at = session.last_fix_at or session.started_at
            session.save(update_fields=["ended_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                instance=session,
                before=before,
                after=snapshot(session, ["ended_at"]),
                note=f"closed after {hours} hours open",
            )
        count += 1
    return count


# ---------------------------------------------------------------------------------------------
# ingest


@dataclass
class Fix:
    """One point as a client sends it (fix_time aware or ISO text, or epoch seconds)."""

    lat: float | str | None
    lon: float | str | None
    fix_time: datetime.datetime | str | float | int | None
    accuracy: float | str | None = None
    speed: float | str | None = None
    heading: float | str | None = None
    altitude: float | str | None = None
    battery: float | str | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, rule: str, n: int = 1) -> None:
        self.dropped[rule] = self.dropped.get(rule, 0) + n

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted,
            "dropped": {rule: self.dropped.get(rule, 0) for rule in DROP_RULES},
        }


def _finite(value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def parse_fix_time(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else None
    number = _finite(value) if not isinstance(value, str) or value.strip().isdigit() else None
    if number is not None:
        if number > 1e11:  # milliseconds (browsers, some trackers)
            number /= 1000
        try:
            return datetime.datetime.fromtimestamp(number, tz=datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str):
        try:
            parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if timezone.is_aware(parsed) else None
    return None


def _valid(fix: Fix) -> tuple[datetime.datetime, dict] | None:
    lat, lon = _finite(fix.lat), _finite(fix.lon)
    when = parse_fix_time(fix.fix_time)
    if lat is None or lon is None or when is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    accuracy, speed = _finite(fix.accuracy), _finite(fix.speed)
    if accuracy is not None and (accuracy < 0 or accuracy > max_accuracy_m()):
        return None
    if speed is not None and speed < 0:
        return None
    battery = _finite(fix.battery)
    if battery is not None and not 0 <= battery <= 100:
        battery = None
    heading = _finite(fix.heading)
    if heading is not None:
        heading = heading % 360
    values = {
        "lat": lat,
        "lon": lon,
        "accuracy": accuracy,
        "speed": speed,
        "heading": heading,
        "altitude": _finite(fix.altitude),
        "battery": battery,
    }
    return when.replace(microsecond=(when.microsecond // 1000) * 1000), values


def _drop_counts(session: PatrolSession, result: IngestResult) -> dict:
    merged = dict(session.dropped or {})
    for rule, n in result.dropped.items():
        merged[rule] = merged.get(rule, 0) + n
    return merged


def ingest(
    session: PatrolSession, fixes: list[Fix], *, actor: User, source: str = Source.BROWSER
) -> IngestResult:
    """Store a batch of the member's fixes in their session under the drop rules (one
    transaction; the session row is locked, so batches of one session never interleave)."""
    if session.user_id != actor.pk:
        raise PermissionDenied(_("Positions go only into one's own patrol."))
    now = timezone.now()
    result = IngestResult()
    with transaction.atomic():
        locked = PatrolSession.objects.select_for_update().get(pk=session.pk)
        candidates: dict[datetime.datetime, dict] = {}
        for fix in fixes:
            checked = _valid(fix)
            if checked is None:
                result.drop("invalid")
                continue
            when, values = checked
            if when > now + FUTURE_SLACK:
                result.drop("future")
            elif when < locked.started_at - OUTSIDE_SLACK or (
                locked.ended_at is not None and when > locked.ended_at + OUTSIDE_SLACK
            ):
                result.drop("outside")
            elif when in candidates:
                result.drop("duplicate")
            else:
                candidates[when] = values
        rows = _keep(locked, candidates, result, now, source) if candidates else []
        result.accepted = len(rows)
        if rows or result.dropped:
            locked.accepted += len(rows)
            locked.dropped = _drop_counts(locked, result)
            fields = ["accepted", "dropped"]
            newest = rows[-1] if rows else None
            if newest is not None and (
                locked.last_fix_at is None or newest.fix_time > locked.last_fix_at
            ):
                locked.last_fix_at = newest.fix_time
                locked.last_lat, locked.last_lon = newest.lat, newest.lon
                fields += ["last_fix_at", "last_lat", "last_lon"]
            locked.save(update_fields=fields)
    for name in ("accepted", "dropped", "ended_at", "last_fix_at", "last_lat", "last_lon"):
        setattr(session, name, getattr(locked, name))
    return result


@dataclass(frozen=True)
class Kept:
    """A point stored by `ingest` (what the session's last position needs)."""

    fix_time: datetime.datetime
    lat: float
    lon: float


INSERT_FIELDS = (
    "session",
    "user",
    "area_code",
    "fix_time",
    "server_time",
    "lat",
    "lon",
    "accuracy",
    "speed",
    "heading",
    "altitude",
    "battery",
    "source",
)


def _stored_around(
    session: PatrolSession, first: datetime.datetime, last: datetime.datetime
) -> tuple[set[datetime.datetime], tuple | None]:
    """The session's stored fix times in [first, last] and its last point before `first`.
    A batch after the session's newest point (the usual case) needs no query: nothing can be
    stored in its span, and the previous point is the one the session row keeps."""
    if session.last_fix_at is not None and first > session.last_fix_at:
        return set(), (session.last_fix_at, session.last_lat, session.last_lon)
    known = set(
        Position.objects.filter(
            session=session, fix_time__gte=first, fix_time__lte=last
        ).values_list("fix_time", flat=True)
    )
    previous = (
        Position.objects.filter(session=session, fix_time__lt=first)
        .order_by("-fix_time")
        .values_list("fix_time", "lat", "lon")
        .first()
    )
    return known, previous


def _keep(
    session: PatrolSession,
    candidates: dict[datetime.datetime, dict],
    result: IngestResult,
    now: datetime.datetime,
    source: str,
) -> list[Kept]:
    """The candidates that are new and reachable, inserted in fix-time order by one
    executemany; on a duplicate (a concurrent replay) row by row."""
    ordered = sorted(candidates.items())
    first, last = ordered[0][0], ordered[-1][0]
    known, previous = _stored_around(session, first, last)
    limit = max_speed_ms()
    kept: list[Kept] = []
    rows: list[tuple] = []
    adapt = connection.ops.adapt_datetimefield_value
    server_time = adapt(now)
    for when, values in ordered:
        if when in known:
            result.drop("duplicate")
            continue
        lat, lon = values["lat"], values["lon"]
        if previous is not None:
            seconds = max((when - previous[0]).total_seconds(), 1.0)
            if haversine_m(previous[1], previous[2], lat, lon) > limit * seconds:
                result.drop("too_fast")
                continue
        kept.append(Kept(when, lat, lon))
        rows.append(
            (
                session.pk,
                session.user_id,
                session.area_code,
                adapt(when),
                server_time,
                lat,
                lon,
                values["accuracy"],
                values["speed"],
                values["heading"],
                values["altitude"],
                values["battery"],
                source,
            )
        )
        previous = (when, lat, lon)
    if not rows:
        return kept
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # a savepoint
            cursor.executemany(_insert_sql(), rows)
    except IntegrityError:
        return _insert_one_by_one(rows, kept, result)
    return kept


@functools.cache
def _insert_sql() -> str:
    meta = Position._meta
    fields = {f.name: str(f.column) for f in meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(fields[name]) for name in INSERT_FIELDS)
    marks = ", ".join(["%s"] * len(INSERT_FIELDS))
    return f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model, values bound)


def _insert_one_by_one(rows: list[tuple], kept: list[Kept], result: IngestResult) -> list[Kept]:
    stored = []
    for row, point in zip(rows, kept, strict=True):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_insert_sql(), row)
            stored.append(point)
        except IntegrityError:
            result.drop("duplicate")
    return stored


# ---------------------------------------------------------------------------------------------
# native trackers (OsmAnd / Traccar Client)


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_tracker_token(*, actor: User, label: str = "") -> tuple[TrackerToken, str]:
    """A new token (256 random bits) for the member's own native tracker; the raw value is
    returned once and never stored."""
    _check_staff(actor)
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        token = TrackerToken.objects.create(
            user=actor, token_hash=_token_hash(raw), hint=raw[-4:], label=label[:100]
        )
        record_change(
            actor=actor,
            action=ChangeAction.CREATE,
            instance=token,
            after=snapshot(token, ["user_id", "hint", "label"]),
        )
    return token, raw


def revoke_tracker_token(token: TrackerToken, *, actor: User) -> TrackerToken:
    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Only the token's owner can revoke it."))
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_change(
                actor=actor,
                action=ChangeAction.UPDATE,
                instance=token,
                after={"revoked_at": token.revoked_at.isoformat()},
                note=_("Tracker token revoked"),
            )
    return token


def token_user(raw: str) -> TrackerToken | None:
    if not raw or len(raw) > 200:
        return None
    token = (
        TrackerToken.objects.select_related("user")
        .filter(token_hash=_token_hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or is_system_account(token.user):
        return None
    return token


def ingest_from_tracker(token: TrackerToken, fix: Fix) -> IngestResult:
    """One point from a native tracker: into the member's open session, else dropped and
    counted on the token (no session, no storage)."""
    actor = token.user
    session = open_session(actor)
    TrackerToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    if session is None:
        TrackerToken.objects.filter(pk=token.pk).update(dropped_outside=F("dropped_outside") + 1)
        result = IngestResult()
        result.drop("outside")
        return result
    return ingest(session, [fix], actor=actor, source=Source.OSMAND)
