"""Intake: a report from any channel becomes a case, once per idempotency key."""

import math
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import user_may
from gridgov.accounts.system import is_system_account
from gridgov.areas.crs import Crs, to_wgs84
from gridgov.areas.locator import locator
from gridgov.areas.models import Area
from gridgov.cases.models import AttachmentKind, Case, Category, Channel, Urgency
from gridgov.cases.photos import CheckedPhoto
from gridgov.cases.services.sql import find_case_by_idempotency_key, insert_row
from gridgov.cases.services.timeline import _attach, _enter_stage, _event, category_by_code

_CHANNELS = frozenset(Channel.values)
_URGENCIES = frozenset(Urgency.values)


def _locate(lon, lat, crs) -> tuple[float, float, str | None]:
    try:
        x, y = (float(v) for v in to_wgs84(lon, lat, Crs(crs)))
    except (TypeError, ValueError) as exc:
        raise ValidationError(
            {"crs": _("Unknown coordinate system %(crs)s.") % {"crs": crs}}
        ) from exc
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        raise ValidationError({"lon": _("The position is not a valid longitude and latitude.")})
    hit = locator.locate(x, y)
    return x, y, hit.code if hit else None


def default_area_code(actor: User) -> str:
    """Where a report without a position goes: the reporter's own area, else the top of the tree."""
    codes = actor.scope_codes
    if codes:
        return codes[0]
    top = (
        Area.objects.active()
        .filter(parent__isnull=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )
    if top is None:
        raise ValidationError(_("There is no area to receive the report."))
    return top


def level_for(area_code: str) -> str:
    """A case first goes to the community of its grid (小事不出网格), or to the area it names."""
    return area_code[:12] if len(area_code) > 12 else area_code


def report_case(
    *,
    actor: User,
    channel: str,
    description: str,
    category: Category | str | None = None,
    title: str = "",
    lon: float | None = None,
    lat: float | None = None,
    crs: str = Crs.WGS84,
    address: str = "",
    idempotency_key: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    urgency: str = Urgency.NORMAL,
    photos: Sequence[CheckedPhoto] = (),
    area_code: str | None = None,
) -> tuple[Case, bool]:
    """Record a report from any channel. The same idempotency key twice from the same reporter
    (or, without an account, the same channel) gives the same case (a phone retrying on a bad
    network makes one case): returns (case, created). An inbound gateway that authenticated
    itself (SMS) reports as its system account; the actor needs the right to report."""
    if not user_may(actor, Action.REPORT):
        raise PermissionDenied(_("You may not report cases."))
    if channel not in _CHANNELS:
        raise ValidationError({"channel": _("Unknown channel %(c)s.") % {"c": channel}})
    if urgency not in _URGENCIES:
        raise ValidationError({"urgency": _("Unknown urgency %(u)s.") % {"u": urgency}})
    description = (description or "").strip()
    if not description and not title:
        raise ValidationError({"description": _("Describe the problem.")})
    if idempotency_key is not None and not (8 <= len(idempotency_key) <= 64):
        raise ValidationError(
            {"idempotency_key": _("The idempotency key must have 8 to 64 characters.")}
        )
    if reporter_phone and not reporter_phone.replace("-", "").replace("+", "").isdigit():
        raise ValidationError({"reporter_phone": _("The phone number may contain digits only.")})
    if isinstance(category, str):
        category = category_by_code(category)
    x = y = None
    needs_locating = False
    if lon is not None or lat is not None:
        if lon is None or lat is None:
            raise ValidationError({"lat": _("Give both longitude and latitude, or neither.")})
        x, y, grid = _locate(lon, lat, crs)
        if grid is None:
            raise ValidationError(
                {"lon": _("The position lies outside every grid of the jurisdiction.")}
            )
        code = grid
    else:
        if not address.strip():
            raise ValidationError({"address": _("Give a position on the map or an address.")})
        code = area_code or default_area_code(actor)
        needs_locating = True
    now = timezone.now()
    # Everything is prepared before the write transaction, which only inserts: writers queue on
    # the database, so the shorter the locked part, the more reports per second.
    case = Case(
        title=(title or (category.name if category else description[:30]))[:100],
        description=description,
        category=category,
        channel=channel,
        urgency=urgency,
        lon=x,
        lat=y,
        address=address[:200],
        area_code=code,
        needs_locating=needs_locating,
        level_code=level_for(code),
        reporter=None if is_system_account(actor) else actor,
        reporter_name=reporter_name[:50],
        reporter_phone=reporter_phone[:20],
        idempotency_scope=idempotency_scope(actor, channel),
        idempotency_key=idempotency_key or None,
        created_at=now,
    )
    _enter_stage(case, now)
    event = _event(
        case, actor, "report", "", description[:500], now=now, data={"channel": channel}, save=False
    )
    try:
        with transaction.atomic():
            insert_row(case)
            event.case = case
            insert_row(event)
            _attach(case, event, [(p, AttachmentKind.REPORT) for p in photos], actor)
    except IntegrityError:
        # The key was used before (a retry): the unique index said so, no lookup needed up front.
        existing = (
            find_case_by_idempotency_key(case.idempotency_scope, idempotency_key)
            if idempotency_key
            else None
        )
        if existing is None:
            raise
        return existing, False
    return case, True


def idempotency_scope(actor: User, channel: str) -> str:
    """Whose keys a key is compared with: the reporter's own, or the channel's for gateways."""
    return f"channel:{channel}" if is_system_account(actor) else f"user:{actor.pk}"
