"""Federation on the wire: the parent's configuration, signing and checking messages, and the
gateway that delivers the outbox's federation messages in batches (docs/federation.md).

Signing follows the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
`webhook-signature` over `id.timestamp.body`) with one of two algorithms, chosen per member:

- `hmac-sha256`: `v1,` + base64 of HMAC-SHA256 (the convention's own);
- `hmac-sm3`: `v1sm3,` + base64 of HMAC-SM3 (GB/T 32905 hash, RFC 2104 construction), for
  platforms assessed under the commercial-cryptography rules.

A receiver accepts only the algorithm agreed for the sender: a message signed with the other
one is refused like a wrong signature.

Batches: the outbox holds one row per message. When the sender hands the gateway one of them,
the gateway leases the other due rows for the same receiver (oldest first, up to `BATCH_SIZE`
messages and `BATCH_BYTES` of body), sends them as one signed request
`{"batch": [{"id", "kind", "data"}, …]}` and records each row from the receiver's answer per
message (applied, duplicate or refused). The receiver applies a batch in one transaction, each
message on its own savepoint, with the same de-duplication by message id as a single message.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import json
import logging
import os
import time
import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridgov.crypto.keys import hmac_sm3
from gridgov.exchange.models import FederationMember, FederationMessage
from gridgov.exchange.models.federation import Direction, Signing
from gridgov.exchange.services.webhooks import secret_bytes
from gridgov.notify.gateways import GATEWAYS, OutgoingMessage, SendResult
from gridgov.notify.models import Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import SENDER_NAME, enqueue_message, record_answers

logger = logging.getLogger(__name__)

CHANNEL = "federation"
UP_PATH = "/api/v1/federation/up"
DOWN_PATH = "/api/v1/federation/down"
REVEAL_PATH = "/api/v1/federation/reveal"
# A signed message older (or newer) than this is refused: a replayed capture is useless.
TOLERANCE_SECONDS = 7 * 24 * 3600
BATCH_SIZE = 200
BATCH_BYTES = 512 * 1024  # a batch's body stays under this (one larger message goes alone)
BATCH_LEASE_SECONDS = 120  # rows taken into a batch are held this long at least
PREFIX = {Signing.HMAC_SHA256: "v1,", Signing.HMAC_SM3: "v1sm3,"}


def _setting(name: str) -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, "") or "")


def parent_config() -> dict[str, str] | None:
    """This platform's parent, or None when it is not a member of a level above."""
    url = _setting("GRIDGOV_FEDERATION_PARENT_URL")
    if not url:
        return None
    signing = _setting("GRIDGOV_FEDERATION_SIGNING") or Signing.HMAC_SHA256
    return {
        "url": url.rstrip("/"),
        "area": _setting("GRIDGOV_FEDERATION_AREA"),
        "key": _setting("GRIDGOV_FEDERATION_KEY"),
        "secret": _setting("GRIDGOV_FEDERATION_SECRET"),
        "parent_area": _setting("GRIDGOV_FEDERATION_PARENT_AREA") or "parent",
        "signing": signing if signing in Signing.values else Signing.HMAC_SHA256,
    }


# --- queueing --------------------------------------------------------------------------------


def send_later(
    *,
    url: str,
    msg_id: str,
    kind: str,
    data: dict,
    peer: str,
    area_code: str,
    local_id: str,
    member: FederationMember | None = None,
    priority: int = Priority.CASE_STEP,
) -> None:
    """Queue one message (inside the caller's transaction) and log it; queued twice, it goes
    once."""
    enqueue_message(
        CHANNEL,
        url,
        payload={
            "msg_id": msg_id,
            "member": member.pk if member else None,
            "body": {"kind": kind, "data": data},
        },
        priority=priority,
        source=f"exchange.federation:{kind}",
        dedupe_key=f"fed:{peer}:{msg_id}",
    )
    try:
        with transaction.atomic():
            FederationMessage.objects.create(
                direction=Direction.OUT,
                peer=peer,
                msg_id=msg_id,
                kind=kind,
                area_code=area_code,
                local_id=local_id,
                outcome="queued",
            )
    except IntegrityError:
        pass


def members_under(codes: list[str]) -> list[FederationMember]:
    """The members a message for these areas reaches: a member inside one of them, or one of
    them inside a member."""
    return [
        m
        for m in FederationMember.objects.select_related("client").order_by("area_code")
        if m.client.revoked_at is None
        and any(m.area_code.startswith(c) or c.startswith(m.area_code) for c in codes)
    ]


# --- signing ---------------------------------------------------------------------------------


def mac(algorithm: str, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """One signature as it stands in the header (prefix and base64)."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    key = secret_bytes(secret)
    if algorithm == Signing.HMAC_SM3:
        digest = hmac_sm3(key, signed)
    else:
        digest = hmac.new(key, signed, hashlib.sha256).digest()
    return PREFIX[Signing(algorithm)] + base64.b64encode(digest).decode()


def signature_headers(
    secrets: list[str], msg_id: str, body: bytes, algorithm: str = Signing.HMAC_SHA256
) -> dict[str, str]:
    stamp = int(time.time())
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": " ".join(mac(algorithm, s, msg_id, stamp, body) for s in secrets),
    }


class Refused(Exception):
    """A message that is not signed or not sent by whom it claims (answered 401)."""


def verify(secrets: list[str], headers, body: bytes, algorithm: str = Signing.HMAC_SHA256) -> str:
    """The message id of a message signed with one of `secrets` under `algorithm`, else
    Refused (a signature under another algorithm does not count)."""
    msg_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    given = set(headers.get("webhook-signature", "").split())
    if not msg_id or len(msg_id) > 100 or not stamp.isdigit() or not given:
        raise Refused("unsigned")
    if abs(time.time() - int(stamp)) > TOLERANCE_SECONDS:
        raise Refused("too old")
    for secret in secrets:
        if secret and mac(algorithm, secret, msg_id, int(stamp), body) in given:
            return msg_id
    raise Refused("bad signature")


def post(url: str, headers: dict[str, str], body: bytes) -> tuple[int, str]:
    """POST to a configured peer (an administrator's address; redirects are not followed)."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection_ = kind(parts.hostname or "", parts.port, timeout=30)
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection_.request("POST", path, body=body, headers=headers)
        response = connection_.getresponse()
        return response.status, response.read(200_000).decode("utf-8", "replace")
    finally:
        connection_.close()


# --- the gateway -----------------------------------------------------------------------------


def _lease_companions(message: OutgoingMessage, n: int) -> list[Outbox]:
    """Lease up to `n` other due federation rows for the same receiver (and signer), oldest
    first, for this sender: they travel in the batch of `message`."""
    if n <= 0:
        return []
    now = timezone.now()
    lease = max(settings.GRIDGOV_OUTBOX_LEASE_SECONDS, BATCH_LEASE_SECONDS)
    until = now + datetime.timedelta(seconds=lease)
    due = (
        Outbox.objects.filter(
            channel=CHANNEL, destination=message.destination, status=OutboxStatus.PENDING
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lte=now))
        .exclude(pk=int(message.id))
    )
    with transaction.atomic():
        rows = [
            row
            for row in due.select_for_update(skip_locked=True).order_by("id")[:n]
            if row.payload.get("member") == message.payload.get("member")
        ]
        Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(
            leased_until=until, leased_by=SENDER_NAME, attempts=F("attempts") + 1
        )
    for row in rows:
        row.leased_until, row.leased_by = until, SENDER_NAME
        row.attempts += 1
    return rows


def _release(rows: list[Outbox]) -> None:
    """Rows leased for a batch that did not fit: due again at once, the attempt not counted."""
    if rows:
        Outbox.objects.filter(pk__in=[r.pk for r in rows]).update(
            leased_until=None, attempts=F("attempts") - 1
        )


def _entry(payload: dict) -> dict:
    return {"id": payload["msg_id"], **payload["body"]}


def _fit(first: dict, companions: list[Outbox]) -> tuple[list[Outbox], list[Outbox]]:
    """The companions that fit in one batch body with `first` (in their order), and the rest."""
    size = len(json.dumps(_entry(first), ensure_ascii=False).encode())
    taken: list[Outbox] = []
    for i, row in enumerate(companions):
        size += len(json.dumps(_entry(row.payload), ensure_ascii=False).encode()) + 2
        if size > BATCH_BYTES:
            return taken, companions[i:]
        taken.append(row)
    return taken, []


def _result(status: int, outcome: str | None, answer: str) -> SendResult:
    if outcome is None:
        permanent = status in (400, 404, 410, 413, 422)
        return SendResult(ok=False, permanent=permanent, error=f"HTTP {status} {answer[:300]}")
    if outcome in ("applied", "duplicate"):
        return SendResult(ok=True, response=f"HTTP {status} {outcome}")
    return SendResult(ok=False, permanent=True, error=f"HTTP {status} {outcome[:300]}")


class FederationGateway:
    """Delivers federation messages, in batches: signed with the member's secret under the
    member's algorithm (down) or this platform's own secret for its parent (up, with its key)."""

    name = "federation"

    def send(self, message: OutgoingMessage) -> SendResult:
        payload = message.payload
        member_id = payload.get("member")
        headers = {"Content-Type": "application/json", "User-Agent": "gridgov-federation/2"}
        if member_id:
            member = FederationMember.objects.select_related("client").filter(pk=member_id).first()
            if member is None or member.client.revoked_at is not None:
                return SendResult(ok=False, permanent=True, error="member removed or revoked")
            secrets, algorithm = [member.client.secret], member.signing
        else:
            config = parent_config()
            if config is None:
                return SendResult(ok=False, permanent=True, error="no parent configured")
            secrets, algorithm = [config["secret"]], config["signing"]
            headers["X-Api-Key"] = config["key"]
        companions, rest = _fit(payload, _lease_companions(message, BATCH_SIZE - 1))
        _release(rest)
        if not companions:  # alone: the single-message form
            body = json.dumps(payload["body"], ensure_ascii=False, sort_keys=True).encode()
            headers.update(signature_headers(secrets, payload["msg_id"], body, algorithm))
            return self._single(message.destination, headers, body)
        # the queue's order (per case, the order its messages were written in)
        rows = sorted([(int(message.id), payload), *((r.pk, r.payload) for r in companions)])
        entries = [_entry(p) for _pk, p in rows]
        body = json.dumps({"batch": entries}, ensure_ascii=False, sort_keys=True).encode()
        batch_id = f"batch:{uuid.uuid4().hex}"
        headers.update(signature_headers(secrets, batch_id, body, algorithm))
        try:
            status, answer = post(message.destination, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            status, answer = 0, str(exc)[:500] or exc.__class__.__name__
        results: dict = {}
        if 200 <= status < 300:
            try:
                results = json.loads(answer).get("results") or {}
            except (ValueError, AttributeError):
                results = {}
        if status == 0:
            failed = SendResult(ok=False, error=answer)
            outcome = {p["msg_id"]: failed for _pk, p in rows}
        else:
            outcome = {
                p["msg_id"]: _result(status, results.get(p["msg_id"]), answer) for _pk, p in rows
            }
        record_answers(
            [(r, self, outcome[r.payload["msg_id"]]) for r in companions], timezone.now()
        )
        return outcome[payload["msg_id"]]

    @staticmethod
    def _single(url: str, headers: dict[str, str], body: bytes) -> SendResult:
        try:
            status, answer = post(url, headers, body)
        except (OSError, http.client.HTTPException) as exc:
            return SendResult(ok=False, error=str(exc)[:500] or exc.__class__.__name__)
        if 200 <= status < 300:
            return SendResult(ok=True, response=f"HTTP {status} {answer[:200]}")
        permanent = status in (400, 404, 410, 413, 422)
        return SendResult(ok=False, permanent=permanent, error=f"HTTP {status} {answer[:300]}")


def register_gateway() -> None:
    GATEWAYS[CHANNEL] = FederationGateway
