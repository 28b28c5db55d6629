"""The only place that changes warnings: drafts, approval, issue, follow-ups, forwards, reads and
acknowledgements. Each operation is one transaction and writes the change log itself."""

import datetime
import hashlib
import json
import random
from dataclasses import dataclass, field

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import code_in_scope, user_may
from gridgov.accounts.system import is_system_account
from gridgov.areas.geometry import parse_boundary
from gridgov.areas.models import Area, Level
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change, snapshot
from gridgov.warnings import fanout
from gridgov.warnings.models import (
    CLOSING_KINDS,
    TRANSITIONS,
    Attachment,
    CapStatus,
    Certainty,
    Channel,
    Colour,
    Kind,
    Receipt,
    Rule,
    State,
    Target,
    Warning,
)

LOGGED = ["identifier", "state", "kind", "colour", "event", "headline", "target_codes"]
MAX_POLYGONS = 20
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass
class WarningInput:
    event: str
    colour: str
    headline: str
    description: str = ""
    instruction: str = ""
    certainty: str = Certainty.LIKELY
    status: str = CapStatus.ACTUAL
    onset: datetime.datetime | None = None
    expires: datetime.datetime | None = None
    target_codes: list[str] = field(default_factory=list)
    polygons: list[dict] = field(default_factory=list)


def _require(acting_user: User, action: str, code: str) -> None:
    if not code_in_scope(acting_user, code, action):
        raise PermissionDenied(_("You may not do this to warnings of this area."))


def _move(warning: Warning, to: str) -> None:
    if to not in TRANSITIONS[warning.state]:
        raise ValidationError(
            _("A warning in state %(state)s cannot become %(to)s.")
            % {"state": warning.get_state_display(), "to": State(to).label}
        )
    warning.state = to


def _clean(data: WarningInput, issuer: Area) -> tuple[list[str], list[dict]]:
    """Checked targets and polygons, or ValidationError naming what to fix."""
    errors: dict[str, list[str]] = {}
    if data.colour not in Colour.values:
        errors["colour"] = [_("Choose a colour level: blue, yellow, orange or red.")]
    if data.certainty not in Certainty.values:
        errors["certainty"] = [_("Unknown certainty.")]
    if data.status not in CapStatus.values:
        errors["status"] = [_("Unknown status.")]
    if not data.headline.strip():
        errors["headline"] = [_("A headline is required.")]
    if not data.event.strip():
        errors["event"] = [_("Name the event (e.g. rainstorm).")]
    if data.onset and data.expires and data.expires <= data.onset:
        errors["expires"] = [_("The warning must expire after its onset.")]
    codes = sorted({c.strip() for c in data.target_codes if c and c.strip()})
    outside = [c for c in codes if not c.startswith(issuer.code)]
    known = set(Area.objects.active().filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if outside:
        errors["target_codes"] = [
            _("A level issues only to its own subtree; outside it: %(codes)s.")
            % {"codes": ", ".join(outside)}
        ]
    elif unknown:
        errors["target_codes"] = [_("Unknown areas: %(codes)s.") % {"codes": ", ".join(unknown)}]
    polygons = _clean_polygons(data.polygons, issuer, errors)
    if not codes and not polygons and "polygons" not in errors:
        errors["target_codes"] = [_("Choose target areas or draw a polygon.")]
    if errors:
        raise ValidationError(errors)
    return codes, polygons


def _clean_polygons(polygons, issuer: Area, errors: dict) -> list[dict]:
    if not isinstance(polygons, list) or len(polygons) > MAX_POLYGONS:
        errors["polygons"] = [
            _("Polygons come as a list of at most %(n)d GeoJSON geometries.") % {"n": MAX_POLYGONS}
        ]
        return []
    clean = []
    bounds = shapely.geometry.shape(issuer.geometry) if issuer.geometry else None
    for i, polygon in enumerate(polygons, 1):
        try:
            geom = parse_boundary(polygon)
        except ValidationError as exc:
            errors.setdefault("polygons", []).extend(
                _("Polygon %(n)d: %(problem)s") % {"n": i, "problem": m} for m in exc.messages
            )
            continue
        if bounds is not None and not shapely.intersects(geom, bounds):
            errors.setdefault("polygons", []).append(
                _("Polygon %(n)d lies outside the issuing area.") % {"n": i}
            )
            continue
        clean.append(json.loads(shapely.to_geojson(geom)))
    return [{"type": p["type"], "coordinates": _lists(p["coordinates"])} for p in clean]


def _lists(value):
    return [_lists(v) for v in value] if isinstance(value, list | tuple) else value


def _new_identifier(area_code: str) -> str:
    day = timezone.localdate().strftime("%Y%m%d")
    prefix = f"CN-{area_code}-{day}-"
    taken = Warning.objects.filter(identifier__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def _create(
    issuer: Area, data: WarningInput, *, acting_user: User, kind: str, original=None, **extra
) -> Warning:
    codes, polygons = _clean(data, issuer)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                warning = Warning.objects.create(
                    identifier=_new_identifier(issuer.code),
                    area=issuer,
                    area_code=issuer.code,
                    sender=f"gridgov@{issuer.code}",
                    sender_name=issuer.name,
                    status=data.status,
                    kind=kind,
                    original=original,
                    event=data.event.strip(),
                    colour=data.colour,
                    certainty=data.certainty,
                    onset=data.onset,
                    expires=data.expires,
                    headline=data.headline.strip(),
                    description=data.description,
                    instruction=data.instruction,
                    target_codes=codes,
                    polygons=polygons,
                    created_by=acting_user,
                    **extra,
                )
                break
        except IntegrityError:
            continue
    else:
        raise ValidationError(_("Could not number the warning; try again."))
    record_change(
        actor=acting_user,
        action=ChangeAction.CREATE,
        instance=warning,
        after=snapshot(warning, LOGGED),
    )
    return warning


@transaction.atomic
def create_draft(
    *, acting_user: User, area_code: str, data: WarningInput, external_ref: str = ""
) -> Warning:
    """A new warning of the area `area_code`, as a draft."""
    _require(acting_user, Action.ISSUE_WARNING, area_code)
    issuer = Area.objects.active().filter(code=area_code).first()
    if issuer is None:
        raise ValidationError({"area_code": [_("Unknown area.")]})
    return _create(
        issuer, data, acting_user=acting_user, kind=Kind.ALERT, external_ref=external_ref
    )


@transaction.atomic
def edit_draft(warning: Warning, *, acting_user: User, data: WarningInput) -> Warning:
    _require(acting_user, Action.ISSUE_WARNING, warning.area_code)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.state != State.DRAFT:
        raise ValidationError(_("Only a draft can be edited."))
    before = snapshot(warning, LOGGED)
    codes, polygons = _clean(data, warning.area)
    for name in ("event", "colour", "headline", "description", "instruction", "certainty"):
        setattr(warning, name, getattr(data, name))
    warning.status, warning.onset, warning.expires = data.status, data.onset, data.expires
    warning.target_codes, warning.polygons = codes, polygons
    warning.save()
    record_change(
        actor=acting_user,
        action=ChangeAction.UPDATE,
        instance=warning,
        before=before,
        after=snapshot(warning, LOGGED),
    )
    return warning


@transaction.atomic
def add_attachment(
    warning: Warning, upload: UploadedFile, *, acting_user: User, description: str = ""
) -> Attachment:
    _require(acting_user, Action.ISSUE_WARNING, warning.area_code)
    if warning.state != State.DRAFT:
        raise ValidationError(_("Attachments are added to drafts only."))
    if (upload.size or 0) > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    digest = hashlib.sha1(usedforsecurity=False)
    for chunk in upload.chunks():
        digest.update(chunk)
    return Attachment.objects.create(
        warning=warning,
        file=upload,
        description=description[:200] or upload.name or "",
        mime_type=(upload.content_type or "application/octet-stream")[:100],
        size=upload.size or 0,
        digest=digest.hexdigest(),
    )


def _step(warning: Warning, to: str, acting_user: User, action: str, **changes) -> Warning:
    _require(acting_user, action, warning.area_code)
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    before = snapshot(warning, LOGGED)
    _move(warning, to)
    for name, value in changes.items():
        setattr(warning, name, value)
    warning.save()
    record_change(
        actor=acting_user,
        action=ChangeAction.UPDATE,
        instance=warning,
        before=before,
        after=snapshot(warning, LOGGED),
    )
    return warning


@transaction.atomic
def approve(warning: Warning, *, acting_user: User) -> Warning:
    """Approval by a role holding the right at the warning's level."""
    return _step(
        warning,
        State.APPROVED,
        acting_user,
        Action.APPROVE_WARNING,
        approved_by=acting_user,
        approved_at=timezone.now(),
    )


@transaction.atomic
def send_back(warning: Warning, *, acting_user: User) -> Warning:
    return _step(warning, State.DRAFT, acting_user, Action.APPROVE_WARNING, approved_by=None)


@transaction.atomic
def discard(warning: Warning, *, acting_user: User) -> Warning:
    return _step(warning, State.DISCARDED, acting_user, Action.ISSUE_WARNING)


def _ack_code() -> str:
    recent = timezone.now() - datetime.timedelta(days=30)
    live = set(
        Warning.objects.filter(
            state__in=[State.ISSUED, State.CLOSED], sent__gte=recent
        ).values_list("ack_code", flat=True)
    ) | set(Warning.objects.filter(state=State.ISSUED).values_list("ack_code", flat=True))
    rng = random.SystemRandom()
    while True:
        code = f"{rng.randrange(1000, 10000)}"
        if code not in live:
            return code


def _grids_under(polygons: list[dict], issuer: Area) -> list[str]:
    if not polygons:
        return []
    shape = shapely.union_all([shapely.geometry.shape(p) for p in polygons])
    lon0, lat0, lon1, lat1 = shape.bounds
    grids = Area.objects.active().filter(
        level=Level.GRID,
        code__startswith=issuer.code,
        max_lon__gte=lon0,
        min_lon__lte=lon1,
        max_lat__gte=lat0,
        min_lat__lte=lat1,
    )
    return [
        g.code
        for g in grids.only("code", "geometry")
        if g.geometry and shapely.geometry.shape(g.geometry).intersects(shape)
    ]


@transaction.atomic
def issue(warning: Warning, *, acting_user: User, now: datetime.datetime | None = None) -> Warning:
    """Issue an approved warning: its targets are fixed, its receipts (and, for orange and red,
    its SMS) written; a cancellation or all-clear closes the original and its follow-ups."""
    now = now or timezone.now()
    warning = _step(
        warning,
        State.ISSUED,
        acting_user,
        Action.ISSUE_WARNING,
        issued_by=acting_user,
        sent=now,
        ack_code=_ack_code(),
    )
    polygon_grids = _grids_under(warning.polygons, warning.area)
    codes = sorted(set(warning.target_codes) | set(polygon_grids))
    Target.objects.bulk_create(
        [
            Target(warning=warning, code=c, from_polygon=c not in warning.target_codes)
            for c in codes
        ],
        ignore_conflicts=True,
    )
    fanout.write_receipts(warning, codes, now)
    if warning.kind in CLOSING_KINDS and warning.original_id:
        chain = Warning.objects.filter(pk=warning.original_id) | Warning.objects.filter(
            original_id=warning.original_id, state=State.ISSUED
        )
        chain.exclude(pk=warning.pk).update(state=State.CLOSED, closed_at=now, updated_at=now)
        Warning.objects.filter(pk=warning.pk).update(
            state=State.CLOSED, closed_at=now, updated_at=now
        )
        warning.state, warning.closed_at = State.CLOSED, now
    return warning


@transaction.atomic
def raise_from_data(
    *,
    acting_user: User,
    area_code: str,
    data: WarningInput,
    now: datetime.datetime | None = None,
) -> Warning:
    """An early warning raised by the platform's own data (e.g. a business line's escalation):
    drafted, approved and issued at once by a system account holding the issue right at the
    area. The rule that raises it stands in for a person's approval, so only system accounts
    may use this path."""
    if not is_system_account(acting_user):
        raise PermissionDenied(_("You may not do this to warnings of this area."))
    warning = create_draft(acting_user=acting_user, area_code=area_code, data=data)
    warning = _step(
        warning,
        State.APPROVED,
        acting_user,
        Action.ISSUE_WARNING,
        approved_by=acting_user,
        approved_at=now or timezone.now(),
    )
    return issue(warning, acting_user=acting_user, now=now)


@transaction.atomic
def follow_up(
    original: Warning, *, acting_user: User, kind: str, data: WarningInput | None = None
) -> Warning:
    """A draft update, cancellation or all-clear of an issued warning, from its issuing level,
    referencing the original and reaching the same targets."""
    if kind not in (Kind.UPDATE, Kind.CANCEL, Kind.ALL_CLEAR):
        raise ValidationError(_("Unknown follow-up."))
    root = original.root
    _require(acting_user, Action.ISSUE_WARNING, root.area_code)
    if root.state != State.ISSUED:
        raise ValidationError(_("Only an issued, open warning can be followed up."))
    if data is None:
        data = WarningInput(
            event=root.event,
            colour=root.colour,
            headline=root.headline,
            certainty=root.certainty,
            status=root.status,
            onset=root.onset,
            expires=root.expires,
        )
    if not data.target_codes and not data.polygons:
        data.target_codes, data.polygons = list(root.target_codes), list(root.polygons)
    return _create(root.area, data, acting_user=acting_user, kind=kind, original=root)


@transaction.atomic
def forward(received: Warning, *, acting_user: User, area_code: str, instruction: str) -> Warning:
    """A level passes a warning it received on to its own subtree with local instructions: an
    update referencing the original, issued at once when the forwarder may approve it too."""
    _require(acting_user, Action.ISSUE_WARNING, area_code)
    if received.state != State.ISSUED or received.kind in CLOSING_KINDS:
        raise ValidationError(_("Only an issued, open warning can be forwarded."))
    if not area_code.startswith(received.area_code) or area_code == received.area_code:
        raise ValidationError(_("A warning is forwarded by a level below its issuer."))
    if not instruction.strip():
        raise ValidationError({"instruction": [_("Add your local instructions.")]})
    reached = Target.objects.filter(warning=received).values_list("code", flat=True)
    codes = sorted(
        {c for c in reached if c.startswith(area_code)}
        | {area_code for c in reached if area_code.startswith(c)}
    )
    if not codes:
        raise ValidationError(_("This warning does not reach your area."))
    issuer = Area.objects.get(code=area_code)
    data = WarningInput(
        event=received.event,
        colour=received.colour,
        headline=received.headline,
        description=received.description,
        instruction=instruction.strip(),
        certainty=received.certainty,
        status=received.status,
        onset=received.onset,
        expires=received.expires,
        target_codes=codes,
    )
    warning = _create(
        issuer,
        data,
        acting_user=acting_user,
        kind=Kind.FORWARD,
        original=received.root,
        forwarded_from=received,
    )
    if user_may(acting_user, Action.APPROVE_WARNING):
        warning = approve(warning, acting_user=acting_user)
        warning = issue(warning, acting_user=acting_user)
    return warning


def bump_board(warning: Warning) -> None:
    """A receipt of the warning changed: its board (and its original's) has news."""
    ids = {warning.pk, warning.original_id or warning.pk}
    Warning.objects.filter(pk__in=ids).update(board_version=F("board_version") + 1)


@transaction.atomic
def record_delivery(
    receipt_id: int,
    *,
    delivered: bool,
    at: datetime.datetime,
    sent_at: datetime.datetime | None = None,
) -> bool:
    """The SMS gateway's report for one SMS receipt (the gateway is the actor here)."""
    rows = Receipt.objects.filter(pk=receipt_id, channel=Channel.SMS)
    stamp = {"delivered_at": at} if delivered else {"failed_at": at}
    changed = rows.update(sent_at=Coalesce("sent_at", Value(sent_at or at)), **stamp)
    receipt = rows.select_related("warning").first()
    if changed and receipt is not None:
        bump_board(receipt.warning)
    return bool(changed)


@transaction.atomic
def acknowledge(
    warning: Warning, *, acting_user: User, via: str = "app", at: datetime.datetime | None = None
) -> int:
    """The recipient's explicit acknowledgement: every channel of their receipt. Returns the
    number of receipts acknowledged (0 when already done)."""
    at = at or timezone.now()
    open_rows = Receipt.objects.filter(
        warning=warning, user=acting_user, acknowledged_at__isnull=True
    )
    if not Receipt.objects.filter(warning=warning, user=acting_user).exists():
        raise ValidationError(_("This warning was not sent to you."))
    done = open_rows.update(acknowledged_at=at, ack_via=via[:8])
    Receipt.objects.filter(
        warning=warning, user=acting_user, channel=Channel.APP, read_at__isnull=True
    ).update(read_at=at)
    if done:
        bump_board(warning)
    return done


@transaction.atomic
def mark_read(warning: Warning, *, acting_user: User) -> bool:
    """The recipient opened the warning on the desk or the phone."""
    done = Receipt.objects.filter(
        warning=warning, user=acting_user, channel=Channel.APP, read_at__isnull=True
    ).update(read_at=timezone.now())
    if done:
        bump_board(warning)
    return bool(done)


@transaction.atomic
def save_rule(rule: Rule | None, *, acting_user: User, area_code: str, **fields) -> Rule:
    """Create or change an early-warning rule; its owner becomes the acting user, in whose name
    and with whose rights it raises warnings."""
    if not code_in_scope(acting_user, area_code, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not set early-warning rules for this area."))
    if rule is not None and not code_in_scope(acting_user, rule.area_code, Action.MANAGE_SETTINGS):
        raise PermissionDenied(_("You may not set early-warning rules for this area."))
    area = Area.objects.active().filter(code=area_code).first()
    if area is None:
        raise ValidationError({"area_code": [_("Unknown area.")]})
    before = snapshot(rule, ["name", "kind", "area_code", "alpha", "params"]) if rule else None
    rule = rule or Rule()
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.area, rule.owner = area, acting_user
    rule.save()
    record_change(
        actor=acting_user,
        action=ChangeAction.UPDATE if before else ChangeAction.CREATE,
        instance=rule,
        before=before,
        after=snapshot(rule, ["name", "kind", "area_code", "alpha", "params"]),
    )
    return rule
