"""Open311 GeoReport v2 on a public instance (docs/open311.md, "On a public instance").

A POST there is checked as the core checks it (key, service, location, the client's areas),
stored in `RelayRequest` with a token and a UUID, and queued like a portal report, in one
transaction; the answer is the token. `push_requests` (part of the relay's push) sends the due
ones to the core's `POST /api/v1/portal/relay/open311`, which makes the case through the core's
own Open311 intake (`submit_request`, channel open311) with the UUID as idempotency key and
answers with its service_request_id and its public Open311 fields. The status poll
(`pull_requests`) refreshes those fields while the request may change. The instance answers
`GET requests`, `requests/{id}` and `tokens/{token}` from these copies only; `GET requests`
and `requests/{id}` also list the portal reports made here, from the core's Open311 view of each
(copied with their status by the relay's poll, `relay.apply_status`).
"""

import datetime
import json
import math
import secrets
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField, F, QuerySet, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import OPEN311, PORTAL, is_system_account
from gridgov.areas.locator import locator
from gridgov.exchange.models import ClientKind, ClientSystem, Open311Token
from gridgov.exchange.open311.mapping import REQUEST_FIELDS, RequestRow, public_category, when
from gridgov.exchange.services.clients import client_area_codes
from gridgov.exchange.services.open311 import PostedRequest, submit_request
from gridgov.portal.models import RelayOut, RelayRequest, RelayState
from gridgov.portal.services import relay

# A request is taken here a little before the core makes it (relayed later).
RELAY_MARGIN = datetime.timedelta(days=2)
REPORTER_FIELDS = ("first_name", "last_name", "phone", "email", "device_id", "account_id")


def _require(actor: User, username: str) -> None:
    if not (is_system_account(actor) and actor.username == username):
        raise PermissionDenied(_("Only the platform's Open311 service acts for its clients."))


def _in_scope(client: ClientSystem, code: str) -> bool:
    return any(code.startswith(p) for p in client_area_codes(client))


# ---------------------------------------------------------------------------------------------
# the public instance: a POST, its token, the push and the poll


def accept_request(
    client: ClientSystem, posted: PostedRequest, *, actor: User
) -> tuple[RelayRequest, bool]:
    """(Public) a POSTed request, checked as the core would and queued for it; whether it is new
    (a retry — the same Idempotency-Key, or the same post — gives back the same token)."""
    _require(actor, OPEN311)
    if client.kind != ClientKind.OPEN311 or not client.active:
        raise PermissionDenied(_("Invalid api_key received -- can't proceed with create_request."))
    category = public_category(posted.service_code)
    if category is None:
        raise LookupError(posted.service_code)
    key = posted.digest(client)
    known = RelayRequest.objects.filter(client=client, request_key=key).first()
    if known is not None:
        return known, False
    area_code = _where(client, posted)
    reporter = {name: getattr(posted, name).strip() for name in REPORTER_FIELDS}
    try:
        with transaction.atomic():
            row = RelayRequest.objects.create(
                token=secrets.token_hex(16),
                client=client,
                request_key=key,
                service_code=category.code,
                lat=posted.lat,
                long=posted.long,
                address_string=posted.address_string[:200],
                description=posted.description[:4000],
                media_url=posted.media_url[:500],
                reporter=json.dumps({k: v for k, v in reporter.items() if v}, ensure_ascii=False)[
                    :400
                ],
                next_attempt_at=timezone.now(),
                area_code=area_code,
            )
    except IntegrityError:  # the same post at the same moment: the other one won
        return RelayRequest.objects.get(client=client, request_key=key), False
    return row, True


def _where(client: ClientSystem, posted: PostedRequest) -> str:
    """The area code of the request's place (within the client's areas), as far as this
    instance's area tree tells; the core checks again."""
    if posted.address_id:
        raise ValidationError(
            {"address_id": _("address_id is not known here: give lat and long, or address_string.")}
        )
    if posted.lat is not None or posted.long is not None:
        if posted.lat is None or posted.long is None:
            raise ValidationError({"lat": _("Give both lat and long, or neither.")})
        if not (math.isfinite(posted.lat) and math.isfinite(posted.long)):
            raise ValidationError({"lat": _("The position is not a valid longitude and latitude.")})
        hit = locator.locate(posted.long, posted.lat)
        if hit is not None and not _in_scope(client, hit.code):
            raise PermissionDenied(_("This place lies outside the areas of this client."))
        if hit is not None:
            return hit.code
    elif not posted.address_string.strip():
        raise ValidationError(
            {"lat": _("Give a location: lat and long, address_string or address_id.")}
        )
    areas = sorted(client_area_codes(client))
    if not areas:
        raise PermissionDenied(_("This client may not report anywhere."))
    return areas[0]


def body_of(row: RelayRequest) -> dict:
    """What the core needs to make the same request."""
    try:
        reporter = json.loads(row.reporter or "{}")
    except ValueError:
        reporter = {}
    return {
        "uuid": str(row.uuid),
        "service_code": row.service_code,
        "lat": row.lat,
        "long": row.long,
        "address_string": row.address_string,
        "description": row.description,
        "media_url": row.media_url,
        **{name: str(reporter.get(name, ""))[:100] for name in REPORTER_FIELDS},
    }


def _copy(row: RelayRequest, answer: dict) -> dict:
    """The fields to keep of the core's answer about a request: its id and public view."""
    number = str(answer.get("service_request_id") or "")[:32]
    public = answer.get("request")
    changes: dict = {}
    if number and number != row.core_number:
        changes["core_number"] = number
    if isinstance(public, dict):
        public = {k: public.get(k) for k in REQUEST_FIELDS}
        if public != row.public:
            changes["public"] = public
    return changes


def push_requests(result: "relay.PushResult", *, now: datetime.datetime) -> None:
    """(Public) send the due Open311 requests to the core (oldest first)."""
    due = list(
        RelayRequest.objects.filter(state=RelayState.PENDING, next_attempt_at__lte=now).order_by(
            "next_attempt_at", "pk"
        )[: relay.PUSH_BATCH]
    )
    for row in due:
        answer = relay.send(row, "/api/v1/portal/relay/open311", body_of(row), result)
        if answer is None:
            continue
        with transaction.atomic():
            RelayRequest.objects.filter(pk=row.pk).update(
                state=RelayState.SENT,
                attempts=row.attempts + 1,
                sent_at=timezone.now(),
                last_error="",
                **_copy(row, answer if isinstance(answer, dict) else {}),
            )
        result.sent += 1


def pull_requests() -> int:
    """(Public) refresh the public view of the requests relayed from here that may still change
    (open, or closed less than 30 days ago); how many changed."""
    since = timezone.now() - relay.PULL_AFTER_CLOSING
    rows = [
        r
        for r in RelayRequest.objects.filter(state=RelayState.SENT).order_by("pk")
        if (r.public or {}).get("status") != "closed"
        or (r.public.get("updated_datetime") or "") >= since.isoformat()[:10]
    ]
    changed = 0
    for start in range(0, len(rows), relay.PULL_BATCH):
        batch = {str(r.uuid): r for r in rows[start : start + relay.PULL_BATCH]}
        answer = relay._call("/api/v1/portal/relay/status", {"uuids": [], "requests": list(batch)})
        for item in answer.get("requests", []):
            row = batch.get(str(item.get("uuid")))
            changes = _copy(row, item) if row is not None else {}
            if row is not None and changes:
                RelayRequest.objects.filter(pk=row.pk).update(**changes)
                changed += 1
        RelayRequest.objects.filter(pk__in=[r.pk for r in batch.values()]).update(
            status_pulled_at=timezone.now()
        )
    return changed


# ---------------------------------------------------------------------------------------------
# the public instance: what Open311 clients read (no key; the public view only)


# The columns both sources of `GET requests` share, in the same order on each side of the UNION:
# which table, the row's id, when it was taken here, the core's public view.
_COLUMNS = ("source", "row", "taken", "shown")


def _listed(source: str, rows: QuerySet, taken: str) -> QuerySet:
    """One source of `GET requests` (rows the core has numbered and described), with the shared
    columns and the public view's requested time and status as text for the filters."""
    return (
        rows.exclude(core_number="")
        .exclude(public={})
        .order_by()
        .annotate(
            source=Value(source, output_field=CharField()),
            row=F("pk"),
            taken=F(taken),
            shown=F("public"),
            requested=Cast(KT("public__requested_datetime"), TextField()),
            open_or_closed=Cast(KT("public__status"), TextField()),
        )
    )


def _sources() -> tuple[QuerySet, QuerySet]:
    """(Public) the Open311 requests taken here and the portal reports made here."""
    return (
        _listed("request", RelayRequest.objects.all(), "created_at"),
        _listed("report", RelayOut.objects.filter(state=RelayState.SENT), "report__created_at"),
    )


def _local_text(moment: datetime.datetime, *, up: bool = False) -> str:
    """A moment as the core writes requested_datetime (local time, whole seconds), so that text
    order is time order; `up`: rounded up to the next whole second."""
    if up and moment.microsecond:
        moment += datetime.timedelta(seconds=1)
    return when(moment) or ""


def public_page(
    *,
    codes: Sequence[str],
    statuses: set[str],
    start: datetime.datetime,
    end: datetime.datetime,
    first: int,
    size: int,
) -> list[dict]:
    """(Public) one page of what `GET requests` lists: the requests taken here and the portal
    reports made here, once the core has numbered them, newest taken first — one UNION ALL,
    filtered, ordered and paged in SQL. The window is judged on the core's requested_datetime;
    the time taken here (a little earlier: relayed later) narrows the rows on its index first."""
    requests, reports = _sources()
    if codes:
        requests = requests.filter(service_code__in=list(codes))
        reports = reports.filter(report__category__category__code__in=list(codes))
    window = {
        "taken__gte": start - RELAY_MARGIN,
        "taken__lte": end,
        "requested__gte": _local_text(start, up=True),
        "requested__lte": _local_text(end),
    }
    if len(statuses) == 1:
        window["open_or_closed"] = next(iter(statuses))
    both = (
        requests.filter(**window)
        .values(*_COLUMNS)
        .union(reports.filter(**window).values(*_COLUMNS), all=True)
        .order_by("-taken", "-row", "source")
    )
    return [_shown(r["shown"]) for r in both[first : first + size]]


def public_requests(numbers: Sequence[str]) -> dict[str, dict]:
    """(Public) the public view of the requests and reports numbered so, by number."""
    found: dict[str, dict] = {}
    for rows in _sources():
        for number, shown in (
            rows.filter(core_number__in=list(numbers)[:100])
            .order_by("-taken", "-row")
            .values_list("core_number", "shown")
        ):
            found.setdefault(number, _shown(shown))
    return found


def _shown(public: dict) -> dict:
    return {k: public.get(k) for k in REQUEST_FIELDS}


def token_answer(token: str) -> dict | None:
    """(Public) `{token, service_request_id}` of a POST's token (no id until the core gave one)."""
    row = RelayRequest.objects.filter(token=token[:40]).first()
    if row is None:
        return None
    if row.core_number:
        return {"service_request_id": row.core_number, "token": row.token}
    return {"token": row.token}


# ---------------------------------------------------------------------------------------------
# the core


def _posted(client: ClientSystem, body: dict) -> PostedRequest:
    return PostedRequest(
        service_code=str(body.get("service_code") or "")[:12],
        lat=body.get("lat"),
        long=body.get("long"),
        address_string=str(body.get("address_string") or "")[:200],
        description=str(body.get("description") or "")[:4000],
        media_url=str(body.get("media_url") or "")[:500],
        idempotency_key=f"relay:{relay._uuid(str(body.get('uuid')))}",
        **{name: str(body.get(name) or "")[:100] for name in REPORTER_FIELDS},
    )


def receive_request(client: ClientSystem, body: dict, *, actor: User) -> dict:
    """(Core) an Open311 request a public instance took: made through the core's Open311 intake
    (`submit_request`: channel open311, the client's areas, the category allow-list), once per
    UUID; its service_request_id and public view."""
    _require(actor, PORTAL)
    if client.kind != ClientKind.PUBLIC_PORTAL or not client.active:
        raise PermissionDenied(_("This client may not relay reports."))
    posted = _posted(client, body)
    try:
        _token, case, _created = submit_request(relay_system_user(), client, posted)
    except LookupError as exc:
        raise ValidationError({"service_code": _("Not a public service.")}) from exc
    return {
        "uuid": str(body.get("uuid")),
        "service_request_id": case.number,
        "request": RequestRow(case).as_dict(),
    }


def relay_system_user() -> User:
    from gridgov.accounts.system import system_user

    return system_user(OPEN311)


def requests_status(client: ClientSystem, uuids: list[str], *, actor: User) -> list[dict]:
    """(Core) the public view of the Open311 requests *this client* relayed, and of no other."""
    _require(actor, PORTAL)
    keys = {
        PostedRequest(service_code="", idempotency_key=f"relay:{relay._uuid(u)}").digest(client): u
        for u in uuids[: relay.PULL_BATCH]
    }
    rows = Open311Token.objects.filter(
        client=client, request_key__in=list(keys), case__isnull=False
    ).select_related("case__category", "case__department")
    return [
        {
            "uuid": keys[t.request_key],
            "service_request_id": t.case.number,
            "request": RequestRow(t.case).as_dict(),
        }
        for t in rows
        if t.case is not None
    ]


__all__ = [
    "accept_request",
    "public_page",
    "public_requests",
    "pull_requests",
    "push_requests",
    "receive_request",
    "requests_status",
    "token_answer",
]
