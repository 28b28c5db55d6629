"""Reads of warnings, always through the scope: lists, one warning, the board, my receipts."""

import hashlib

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user, restrict
from gridgov.areas.models import Area, Level
from gridgov.warnings.models import CLOSING_KINDS, Channel, Kind, Receipt, State, Warning

BOARD_LEVELS = [Level.DISTRICT, Level.STREET, Level.COMMUNITY, Level.GRID]


def warnings_for(user, *, within: str = "", state: str = "") -> QuerySet:
    """The warnings the user may see: issued by their areas (drafts included) or reaching them."""
    qs = restrict(Warning.objects.all(), user, Action.VIEW, within=within or None)
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("area").order_by("-created_at", "-id")


def get_warning_for_user(user, pk: int) -> Warning:
    """One warning the user may see, or 404."""
    return get_for_user(Warning.objects.select_related("area", "original"), user, pk=pk)


def active_for(user, now=None) -> list[dict]:
    """Issued, unexpired warnings that reach the user or were issued in their scope, each with
    the user's own receipt state: the cockpit's and the phone's list."""
    now = now or timezone.now()
    qs = (
        warnings_for(user, state=State.ISSUED)
        .exclude(kind__in=CLOSING_KINDS)
        .filter(Q(expires__isnull=True) | Q(expires__gt=now))
        .order_by("-sent", "-id")[:50]
    )
    items = list(qs)
    mine = {
        wid: (read, ack)
        for wid, read, ack in own_receipts(user)
        .filter(warning__in=[w.pk for w in items])
        .values_list("warning_id", "read_at", "acknowledged_at")
    }
    return [
        {
            "id": w.pk,
            "identifier": w.identifier,
            "area_code": w.area_code,
            "issuer": w.sender_name,
            "colour": w.colour,
            "colour_label": str(w.get_colour_display()),
            "kind": w.kind,
            "event": w.event,
            "headline": w.headline,
            "instruction": w.instruction,
            "sent": w.sent.isoformat() if w.sent else None,
            "expires": w.expires.isoformat() if w.expires else None,
            "mine": w.pk in mine,
            "read": bool(mine.get(w.pk, (None, None))[0]),
            "acknowledged": bool(mine.get(w.pk, (None, None))[1]),
        }
        for w in items
    ]


def active_etag(user, now=None) -> str:
    """A cheap fingerprint of what `active_for` would answer (two aggregate queries, no list):
    it changes when any warning changes state or expires, or the user reads or acknowledges."""
    now = now or timezone.now()
    warnings = (
        warnings_for(user, state=State.ISSUED)
        .order_by()
        .aggregate(
            n=Count("pk"), last=Max("updated_at"), expired=Count("pk", filter=Q(expires__lte=now))
        )
    )
    mine = own_receipts(user).aggregate(
        n=Count("pk"), read=Max("read_at"), ack=Max("acknowledged_at")
    )
    return etag_of((warnings, mine, tuple(getattr(user, "scope_codes", ())), user.pk))


def etag_of(data) -> str:
    return '"' + hashlib.sha256(repr(data).encode()).hexdigest()[:32] + '"'


def chain_ids(warning: Warning, user) -> list[int]:
    """The warning and, for an original, the forwards that carry it down the tree (those the
    viewer sees)."""
    if warning.original_id:
        return [warning.pk]
    followers = restrict(
        Warning.objects.filter(
            original=warning, kind=Kind.FORWARD, state__in=[State.ISSUED, State.CLOSED]
        ),
        user,
    ).values_list("pk", flat=True)
    return [warning.pk, *followers]


def board_etag(warning: Warning, user) -> str:
    """Changes with every read, acknowledgement or delivery of the warning or its forwards, and
    differs between viewers of different scopes (each sees their own part of the board)."""
    versions = list(
        restrict(Warning.objects.filter(pk__in=chain_ids(warning, user)), user)
        .order_by("pk")
        .values_list("pk", "board_version", "state")
    )
    return etag_of((versions, tuple(getattr(user, "scope_codes", ())), user.is_superuser))


def board(warning: Warning, user) -> dict:
    """Per level of the tree, within the viewer's scope: recipients who acknowledged, who read
    but did not acknowledge yet, and who were not reached (neither); SMS delivered besides."""
    rows = restrict(
        Receipt.objects.filter(warning_id__in=chain_ids(warning, user)), user, Action.VIEW
    )
    app = (
        rows.filter(channel=Channel.APP)
        .values("level")
        .annotate(
            total=Count("user", distinct=True),
            acknowledged=Count("user", distinct=True, filter=Q(acknowledged_at__isnull=False)),
            read=Count(
                "user",
                distinct=True,
                filter=Q(read_at__isnull=False, acknowledged_at__isnull=True),
            ),
        )
    )
    sms = dict(
        rows.filter(channel=Channel.SMS, delivered_at__isnull=False)
        .values("level")
        .annotate(n=Count("user", distinct=True))
        .values_list("level", "n")
    )
    by_level = {r["level"]: r for r in app}
    levels = []
    totals = {"total": 0, "acknowledged": 0, "read": 0, "not_reached": 0, "sms_delivered": 0}
    for level in BOARD_LEVELS:
        r = by_level.get(level)
        if r is None:
            continue
        entry = {
            "level": level,
            "label": str(Level(level).label),
            "total": r["total"],
            "acknowledged": r["acknowledged"],
            "read": r["read"],
            "not_reached": max(0, r["total"] - r["acknowledged"] - r["read"]),
            "sms_delivered": sms.get(level, 0),
        }
        for key in totals:
            totals[key] += entry[key]
        levels.append(entry)
    return {
        "warning": warning.pk,
        "identifier": warning.identifier,
        "area_code": warning.area_code,
        "state": warning.state,
        "levels": levels,
        "totals": totals,
    }


def area_names(codes: list[str]) -> list[str]:
    """The names of a warning's target areas, in its order (names only, whatever the scope)."""
    names = dict(Area.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]


def _outlines(areas) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": a.name}, "geometry": a.geometry}
            for a in areas
            if a.geometry
        ],
    }


def target_outlines(warning: Warning) -> dict:
    """The boundaries of a visible warning's chosen target areas (not their subtrees) and of the
    grids its polygons reached, for its map: outlines and names only."""
    codes = set(warning.target_codes[:200])
    codes |= set(warning.targets.filter(from_polygon=True).values_list("code", flat=True)[:300])
    return _outlines(Area.objects.filter(code__in=codes).only("name", "geometry"))


def drawing_outlines(user) -> dict:
    """The outlines the issuer draws over: the highest areas they may issue from and the level
    below, so a polygon can be placed against streets or communities."""
    mine = restrict(Area.objects.active(), user, Action.ISSUE_WARNING).exclude(level=Level.GRID)
    present = set(mine.values_list("level", flat=True).distinct())
    levels = [level for level in Level.order() if level in present][:2]
    shown = mine.filter(level__in=levels).only("name", "geometry").order_by("code")[:500]
    return _outlines(shown)


def own_receipts(user) -> QuerySet:
    """The user's own desk-and-phone receipts (a receipt carries the recipient's own area)."""
    return restrict(Receipt.objects.filter(user=user, channel=Channel.APP), user)


def my_receipts(user) -> QuerySet:
    """The user's own receipts, newest first."""
    return own_receipts(user).select_related("warning").order_by("-queued_at", "-id")


def silent_recipients(warning: Warning, user, limit: int = 200) -> list[Receipt]:
    """Who has not acknowledged yet, within the viewer's scope, once each (names for the board
    page; a person reached by the original and a forward is listed once)."""
    rows = restrict(
        Receipt.objects.filter(
            warning_id__in=chain_ids(warning, user),
            channel=Channel.APP,
            acknowledged_at__isnull=True,
        ),
        user,
        Action.VIEW,
    )
    seen: dict[int, Receipt] = {}
    for row in rows.select_related("user").order_by("area_code", "user_id")[: limit * 3]:
        seen.setdefault(row.user_id, row)
    return list(seen.values())[:limit]
