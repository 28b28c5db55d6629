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
import hashlib
import math
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
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
from gridgov.patrol.services.tracks_rows import (
    KeptPoint,
    RowChanged,
    StoredMeanwhile,
    copy_session,
    insert_positions,
    lock_session,
    update_if_as_read,
    update_session,
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


def _valid(fix: Fix, worst_accuracy: float) -> tuple[datetime.datetime, tuple] | None:
    """A readable fix (rule 1) as its fix time, to the millisecond, and the values stored with
    it (lat, lon, accuracy, speed, heading, altitude, battery); None if it is invalid."""
    lat, lon = _finite(fix.lat), _finite(fix.lon)
    when = parse_fix_time(fix.fix_time)
    if lat is None or lon is None or when is None:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    accuracy, speed = _finite(fix.accuracy), _finite(fix.speed)
    if accuracy is not None and (accuracy < 0 or accuracy > worst_accuracy):
        return None
    if speed is not None and speed < 0:
        return None
    battery = _finite(fix.battery)
    if battery is not None and not 0 <= battery <= 100:
        battery = None
    heading = _finite(fix.heading)
    if heading is not None:
        heading %= 360
    if when.microsecond % 1000:
        when = when.replace(microsecond=when.microsecond - when.microsecond % 1000)
    return when, (lat, lon, accuracy, speed, heading, _finite(fix.altitude), battery)


def _readable(
    fixes: list[Fix], now: datetime.datetime, result: IngestResult
) -> list[tuple[datetime.datetime, tuple]]:
    """The fixes past the rules that need no session (invalid, future), in arrival order."""
    worst_accuracy = max_accuracy_m()
    latest = now + FUTURE_SLACK
    points = []
    for fix in fixes:
        point = _valid(fix, worst_accuracy)
        if point is None:
            result.drop("invalid")
        elif point[0] > latest:
            result.drop("future")
        else:
            points.append(point)
    return points


def _drop_counts(session: PatrolSession, result: IngestResult) -> dict:
    merged = dict(session.dropped or {})
    for rule, n in result.dropped.items():
        merged[rule] = merged.get(rule, 0) + n
    return merged


def ingest(
    session: PatrolSession, fixes: list[Fix], *, actor: User, source: str = Source.BROWSER
) -> IngestResult:
    """Store a batch of the member's fixes in their session under the drop rules (one
    transaction that locks the session row, so batches of one session never interleave).

    A batch after the newest point of an open session (the usual one) is checked against the
    caller's copy of the row, and the row is locked by the update of its counts, which finds it
    only if it is still as read (same start, open, same newest point); else, and for a late
    batch or one with drops, the batch is done again under a `SELECT … FOR UPDATE` of the row:
    one statement less for the usual batch."""
    if session.user_id != actor.pk:
        raise PermissionDenied(_("Positions go only into one's own patrol."))
    now = timezone.now()
    readable = IngestResult()
    points = _readable(fixes, now, readable)
    mode = "trust" if session.last_fix_at is not None and session.ended_at is None else "lock"
    while True:
        try:
            result, state = _store(session, points, readable, now, source, mode)
            break
        except RowChanged:
            mode = "lock"
        except StoredMeanwhile:  # again, with the stored fix times read and row by row
            mode = "lookup"
    for name in ("accepted", "dropped", "ended_at", "last_fix_at", "last_lat", "last_lon"):
        setattr(session, name, getattr(state, name))
    return result


def _store(
    session: PatrolSession,
    points: list[tuple[datetime.datetime, tuple]],
    readable: IngestResult,
    now: datetime.datetime,
    source: str,
    mode: str,
) -> tuple[IngestResult, PatrolSession]:
    """One transaction: the rules that need the session (outside, duplicate, too fast), the
    insert, the session's counts and last position. `mode`: "trust" the caller's copy of the
    row (checked by the update), "lock" the row first, or also "lookup" the stored points."""
    result = IngestResult(dropped=dict(readable.dropped))
    with transaction.atomic():
        state = copy_session(session) if mode == "trust" else lock_session(session.pk)
        earliest = state.started_at - OUTSIDE_SLACK
        latest = None if state.ended_at is None else state.ended_at + OUTSIDE_SLACK
        candidates: dict[datetime.datetime, tuple] = {}
        for when, values in points:
            if when < earliest or (latest is not None and when > latest):
                result.drop("outside")
            elif when in candidates:
                result.drop("duplicate")
            else:
                candidates[when] = values
        newest = state.last_fix_at
        if mode == "trust" and candidates and (newest is None or min(candidates) <= newest):
            raise RowChanged  # a late batch: its lookup needs the row locked first
        lookup = mode == "lookup"
        kept, rows = _keep(state, candidates, result, now, source, lookup=lookup)
        if mode == "trust":
            if result.dropped:
                raise RowChanged
            if kept:  # the row's update first: it locks the row
                update_if_as_read(state, len(kept), newest, _count(state, kept, result))
            kept = insert_positions(rows, kept, lookup=False)
        else:
            inserted = insert_positions(rows, kept, lookup=lookup)
            if len(inserted) < len(kept):
                result.drop("duplicate", len(kept) - len(inserted))
            kept = inserted
            if kept or result.dropped:
                update_session(state, ["accepted", *_count(state, kept, result)])
        result.accepted = len(kept)
    return result, state


def _count(state: PatrolSession, kept: list[KeptPoint], result: IngestResult) -> list[str]:
    """Add the batch to the session's counts and last point; the fields changed besides
    `accepted`."""
    state.accepted += len(kept)
    changed = []
    if result.dropped:
        state.dropped = _drop_counts(state, result)
        changed.append("dropped")
    newest = kept[-1] if kept else None
    if newest is not None and (state.last_fix_at is None or newest[0] > state.last_fix_at):
        state.last_fix_at, state.last_lat, state.last_lon = newest
        changed += ["last_fix_at", "last_lat", "last_lon"]
    return changed


def _stored_around(
    session: PatrolSession, first: datetime.datetime, last: datetime.datetime, *, lookup: bool
) -> tuple[set[datetime.datetime], tuple | None]:
    """The session's stored fix times in [first, last] and its last point before `first`.
    A batch after the session's newest point (the usual case), or the first batch of a session,
    needs no query unless `lookup`: every point goes in through `ingest`, which keeps the newest
    one on the session row, so nothing can be stored in the batch's span and the previous point
    is the row's (should another writer have stored one, the insert skips it)."""
    newest = session.last_fix_at
    if not lookup and (newest is None or first > newest):
        return set(), None if newest is None else (newest, session.last_lat, session.last_lon)
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
    candidates: dict[datetime.datetime, tuple],
    result: IngestResult,
    now: datetime.datetime,
    source: str,
    *,
    lookup: bool,
) -> tuple[list[KeptPoint], list[tuple]]:
    """The candidates that are new and reachable, in fix-time order, and their rows."""
    if not candidates:
        return [], []
    ordered = sorted(candidates.items())
    known, previous = _stored_around(session, ordered[0][0], ordered[-1][0], lookup=lookup)
    limit = max_speed_ms()
    kept: list[KeptPoint] = []
    rows: list[tuple] = []
    adapt = connection.ops.adapt_datetimefield_value
    head = (session.pk, session.user_id, session.area_code)
    server_time = adapt(now)
    for when, values in ordered:
        if when in known:
            result.drop("duplicate")
            continue
        lat, lon = values[0], values[1]
        if previous is not None:
            seconds = max((when - previous[0]).total_seconds(), 1.0)
            if haversine_m(previous[1], previous[2], lat, lon) > limit * seconds:
                result.drop("too_fast")
                continue
        previous = (when, lat, lon)
        kept.append(previous)
        rows.append((*head, adapt(when), server_time, *values, source))
    return kept, rows


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
