"""The relay between a public instance (`GRIDGOV_ROLE=public`) and the core (docs/portal.md).

Up: a report made on the public instance is stored there (its case, photos without metadata,
its public side) and queued in `RelayOut` with a UUID. `push_pending` sends each queued report
to the core's `POST /api/v1/portal/relay/reports` with the instance's client key; a failure
waits RETRY·2^(n-1) seconds (at most an hour) before the next try. The core takes the UUID as
the idempotency key: a retry after a lost answer gives back the same report, never a second case.

Down: `pull_status` asks the core (`POST /api/v1/portal/relay/status`) for the public side of the
reports the instance relayed that may still change, and copies it (public steps, moderation,
moderated text, rating). The public instance polls because it is the side that may open
connections: the core, on the government extranet, never calls out to the internet.
"""

import base64
import binascii
import datetime
import json
import math
import urllib.error
import urllib.request
import uuid as uuid_module
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import PORTAL, is_system_account
from gridgov.cases.photos import check_photo
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.exchange.services.clients import client_area_codes
from gridgov.portal.models import (
    Citizen,
    Moderation,
    PortalReport,
    PublicCategory,
    RelayedReport,
    RelayOut,
    RelayState,
)

MAX_BACKOFF = 3600.0
PUSH_BATCH = 50
PULL_BATCH = 200
# After closing, a report may still be rated or reopened on the core: pulled for this long.
PULL_AFTER_CLOSING = datetime.timedelta(days=30)
FINAL = ("not_accepted", "merged")
MAX_PHOTOS = 4


def is_public() -> bool:
    """Whether this instance is a public one (the citizen side only)."""
    return settings.GRIDGOV_ROLE == "public"


def _require_portal(actor: User) -> None:
    if not (is_system_account(actor) and actor.username == PORTAL):
        raise PermissionDenied(_("Only the public portal acts for citizens."))


class CoreUnreachable(Exception):
    """The core did not answer, or answered with a server error: try again later."""


class CoreRefused(Exception):
    """The core refused the message (4xx): trying again would not help."""


# ---------------------------------------------------------------------------------------------
# the public instance: up


def queue_relay(report: PortalReport, *, actor: User) -> RelayOut:
    """Queue a report made on this public instance for the core (in the report's transaction)."""
    _require_portal(actor)
    row, _created = RelayOut.objects.get_or_create(
        report=report,
        defaults={"next_attempt_at": timezone.now(), "area_code": report.area_code},
    )
    return row


def payload(row: RelayOut) -> dict:
    """What the core needs to make the same report: what the citizen typed, the public copies
    of the photos (without metadata), the kind and the place."""
    report = row.report
    case = report.case
    photos = []
    for attachment in case.attachments.order_by("pk")[:MAX_PHOTOS]:
        with attachment.public.open("rb") as f:
            photos.append(base64.b64encode(f.read()).decode())
    return {
        "uuid": str(row.uuid),
        "category": report.category.category.code if report.category else "",
        "description": case.description[:1000],
        "lon": case.lon,
        "lat": case.lat,
        "address": case.address[:200],
        "phone": report.citizen.phone if report.citizen else "",
        "notify": report.notify,
        "photos": photos,
    }


def _call(path: str, body: dict) -> dict:
    """POST JSON to the core with this instance's client key; its JSON answer."""
    base, key = settings.GRIDGOV_CORE_URL, settings.GRIDGOV_CORE_KEY
    if not base or not key:
        raise CoreUnreachable("GRIDGOV_CORE_URL and GRIDGOV_CORE_KEY are not set")
    request = urllib.request.Request(  # noqa: S310 (the configured core, http or https)
        base + path,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Api-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        text = exc.read()[:300].decode(errors="replace")
        if 400 <= exc.code < 500 and exc.code not in (408, 429):
            raise CoreRefused(f"{exc.code} {text}") from exc
        raise CoreUnreachable(f"{exc.code} {text}") from exc
    except (OSError, ValueError) as exc:
        raise CoreUnreachable(str(exc)[:300]) from exc


def backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.GRIDGOV_OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, MAX_BACKOFF))


@dataclass
class PushResult:
    sent: int = 0
    not_sent: int = 0
    refused: int = 0
    errors: list[str] = field(default_factory=list)


def push_pending(*, actor: User, now: datetime.datetime | None = None) -> PushResult:
    """Send the queued reports that are due (oldest first); one transaction per report's state."""
    _require_portal(actor)
    now = now or timezone.now()
    result = PushResult()
    due = list(
        RelayOut.objects.filter(state=RelayState.PENDING, next_attempt_at__lte=now)
        .select_related("report__case", "report__citizen", "report__category__category")
        .order_by("next_attempt_at", "pk")[:PUSH_BATCH]
    )
    for row in due:
        answer = send(row, "/api/v1/portal/relay/reports", payload(row), result)
        if answer is not None:
            with transaction.atomic():
                RelayOut.objects.filter(pk=row.pk).update(
                    state=RelayState.SENT,
                    attempts=row.attempts + 1,
                    core_number=str(answer.get("number", ""))[:32],
                    sent_at=timezone.now(),
                    last_error="",
                )
            result.sent += 1
    from gridgov.portal.services import relay_actions, relay_follows, relay_open311

    relay_actions.push_actions(result, now=now)
    relay_follows.push_follows(result, now=now)
    relay_open311.push_requests(result, now=now)
    return result


def send(row, path: str, body: dict, result: PushResult) -> dict | None:
    """One try of an outbox row (a report, an action or an Open311 request): the core's answer,
    or None after the failure is noted on the row and counted in `result`."""
    try:
        return _call(path, body)
    except CoreRefused as exc:
        _note_failure(row, str(exc), refused=True)
        result.refused += 1
        result.errors.append(str(exc))
    except CoreUnreachable as exc:
        _note_failure(row, str(exc), refused=False)
        result.not_sent += 1
        result.errors.append(str(exc))
    return None


def _note_failure(row, error: str, *, refused: bool) -> None:
    """A failed try of an outbox row (a report, an action or an Open311 request)."""
    with transaction.atomic():
        attempts = row.attempts + 1
        type(row).objects.filter(pk=row.pk).update(
            attempts=attempts,
            last_error=error[:300],
            state=RelayState.REFUSED if refused else RelayState.PENDING,
            next_attempt_at=timezone.now() + backoff(attempts),
        )


# ---------------------------------------------------------------------------------------------
# the public instance: down


def pull_status(*, actor: User) -> int:
    """Ask the core for the public side of the relayed reports that may still change, and copy
    it; the number of reports that changed here."""
    _require_portal(actor)
    since = timezone.now() - PULL_AFTER_CLOSING
    rows = list(
        RelayOut.objects.filter(state=RelayState.SENT)
        .exclude(report__public_status__in=FINAL)
        .exclude(report__closed_at__lt=since)
        .select_related("report")
        .order_by("pk")
    )
    changed = 0
    for start in range(0, len(rows), PULL_BATCH):
        batch = {str(r.uuid): r for r in rows[start : start + PULL_BATCH]}
        answer = _call("/api/v1/portal/relay/status", {"uuids": list(batch)})
        for item in answer.get("items", []):
            row = batch.get(str(item.get("uuid")))
            if row is not None and apply_status(row.report, item, actor=actor):
                changed += 1
        RelayOut.objects.filter(pk__in=[r.pk for r in batch.values()]).update(
            status_pulled_at=timezone.now()
        )
    from gridgov.portal.services.relay_open311 import pull_requests

    return changed + pull_requests()


def _steps(value) -> list[dict]:
    if not isinstance(value, list):
        return []
    return [
        {"step": str(s.get("step", ""))[:20], "time": str(s.get("time", ""))[:20]}
        for s in value[:100]
        if isinstance(s, dict)
    ]


def apply_status(report: PortalReport, item: dict, *, actor: User) -> bool:
    """Copy the core's public side of a report here; SMS to followers for each new step (as
    `sync_report` does on the core). Whether anything changed."""
    from gridgov.portal.services import _tell_followers

    _require_portal(actor)
    with transaction.atomic():
        report = PortalReport.objects.select_for_update().get(pk=report.pk)
        before = (
            report.public_status,
            report.public_steps,
            report.moderation,
            report.public_text,
            report.satisfaction,
            report.closed_at,
        )
        steps = _steps(item.get("steps"))
        told = {s["step"] for s in report.public_steps}
        for n, step in enumerate(steps[len(report.public_steps) :], start=len(report.public_steps)):
            if step["step"] not in told or step["step"] == "reopened":
                _tell_followers(report, step["step"], n + 1)
            told.add(step["step"])
        if len(steps) >= len(report.public_steps):
            report.public_steps = steps
        report.public_status = str(item.get("status") or report.public_status)[:16]
        moderation = item.get("moderation")
        if moderation in Moderation.values:
            report.moderation = moderation
        if report.moderation == Moderation.PUBLISHED and isinstance(item.get("text"), str):
            report.public_text = item["text"][:500]
        satisfaction = item.get("satisfaction")
        report.satisfaction = satisfaction if isinstance(satisfaction, int) else None
        closed = item.get("closed_at")
        report.closed_at = datetime.datetime.fromisoformat(closed) if closed else None
        on_time = item.get("closed_on_time")
        report.closed_on_time = on_time if isinstance(on_time, bool) else None
        after = (
            report.public_status,
            report.public_steps,
            report.moderation,
            report.public_text,
            report.satisfaction,
            report.closed_at,
        )
        copied = _copy_request(report, item)
        if after == before:
            return copied
        report.save()
    return True


def _copy_request(report: PortalReport, item: dict) -> bool:
    """(Public) keep the core's Open311 view of a relayed report (for `GET requests` here)."""
    from gridgov.exchange.open311.mapping import REQUEST_FIELDS

    view = item.get("request")
    if not isinstance(view, dict):
        return False
    view = {k: view.get(k) for k in REQUEST_FIELDS}
    row = RelayOut.objects.filter(report=report).first()
    if row is None or row.public == view:
        return False
    RelayOut.objects.filter(pk=row.pk).update(public=view)
    return True


# ---------------------------------------------------------------------------------------------
# the core: what a public instance sends and asks


def client_for_key(raw_key: str) -> ClientSystem | None:
    """The active public-portal client holding this key, else None."""
    from gridgov.exchange.services.clients import authenticate_client

    return authenticate_client(raw_key, kind=ClientKind.PUBLIC_PORTAL)


@dataclass
class Relayed:
    uuid: str
    category: str
    description: str
    lon: float | None = None
    lat: float | None = None
    address: str = ""
    phone: str = ""
    notify: bool = True
    photos: list[str] = field(default_factory=list)


def _uuid(text: str) -> uuid_module.UUID:
    try:
        return uuid_module.UUID(str(text))
    except ValueError as exc:
        raise ValidationError({"uuid": _("Not a UUID.")}) from exc


def _in_client_scope(client: ClientSystem, code: str) -> bool:
    return any(code.startswith(p) for p in client_area_codes(client))


def citizen_for(phone: str) -> Citizen:
    """(Core) the citizen known by this phone (made on first use), as the portal keeps them."""
    citizen = Citizen.objects.filter(phone=phone).first()
    if citizen is None:
        citizen = Citizen.objects.create(phone=phone)
    return citizen


def receive_report(client: ClientSystem, sent: Relayed, *, actor: User) -> PortalReport:
    """(Core) a report relayed by a public instance: made through the portal's own
    `submit_report` (channel portal, the reporter as typed, the photos), once per UUID."""
    from gridgov.cases.services.intake import _locate
    from gridgov.portal.services import submit_report

    _require_portal(actor)
    if client.kind != ClientKind.PUBLIC_PORTAL or not client.active:
        raise PermissionDenied(_("This client may not relay reports."))
    key = _uuid(sent.uuid)
    with transaction.atomic():
        known = RelayedReport.objects.filter(client=client, uuid=key).select_related("report")
        found = known.first()
        if found is not None:
            return found.report
        category = (
            PublicCategory.objects.filter(category__code=sent.category)
            .select_related("category")
            .first()
        )
        if category is None:
            raise ValidationError({"category": _("Not a public category.")})
        if sent.lon is not None and sent.lat is not None:
            if not (math.isfinite(sent.lon) and math.isfinite(sent.lat)):
                raise ValidationError(
                    {"lon": _("The position is not a valid longitude and latitude.")}
                )
            code = _locate(sent.lon, sent.lat, "wgs84")[2] or ""
            if not code or not _in_client_scope(client, code):
                raise PermissionDenied(_("This place lies outside the areas of this client."))
        elif not client_area_codes(client):
            raise PermissionDenied(_("This client may not report anywhere."))
        citizen = citizen_for(sent.phone) if sent.phone else None
        photos = []
        for n, text in enumerate(sent.photos[:MAX_PHOTOS]):
            try:
                data = base64.b64decode(text, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValidationError({"photos": _("A photo is not valid base64.")}) from exc
            photos.append(check_photo(data, f"photo {n + 1}"))
        report = submit_report(
            actor=actor,
            category=category,
            description=sent.description,
            citizen=citizen,
            lon=sent.lon,
            lat=sent.lat,
            address=sent.address,
            photos=photos,
            idempotency_key=key.hex,
            notify=False,  # the public instance tells its citizens; the core must not as well
        )
        RelayedReport.objects.create(
            client=client, uuid=key, report=report, area_code=report.area_code
        )
    return report


def status_for(client: ClientSystem, uuids: list[str], *, actor: User) -> list[dict]:
    """(Core) the public side of the reports this client relayed (and of no other), up to date."""
    from gridgov.portal.services import sync_report

    _require_portal(actor)
    keys = [_uuid(u) for u in uuids[:PULL_BATCH]]
    rows = (
        RelayedReport.objects.filter(client=client, uuid__in=keys)
        .select_related("report")
        .order_by("pk")
    )
    return [status_item(row.uuid, sync_report(row.report, actor=actor)) for row in rows]


def status_item(key: uuid_module.UUID, report: PortalReport) -> dict:
    """(Core) what a public instance may copy of a report it relayed: the public side only, and
    the report's public Open311 view (what the core's `GET /open311/v2/requests` shows of it)."""
    from gridgov.cases.models import Case
    from gridgov.exchange.open311.mapping import RequestRow

    published = report.moderation == Moderation.PUBLISHED and not report.anonymous
    case = Case.objects.select_related("category", "department").get(pk=report.case_id)
    return {
        "request": RequestRow(case).as_dict(),
        "uuid": str(key),
        "number": report.number,
        "status": report.public_status,
        "steps": report.public_steps,
        "moderation": report.moderation,
        "text": report.public_text if published else "",
        "satisfaction": report.satisfaction,
        "closed_at": report.closed_at.isoformat() if report.closed_at else None,
        "closed_on_time": report.closed_on_time,
    }
