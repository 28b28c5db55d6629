"""Webhook endpoints and their delivery (Standard Webhooks), through the one outbox.

Each message is POSTed with `webhook-id` (stable across retries and replays), `webhook-timestamp`
and `webhook-signature`: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body`, keyed with the
client's secret (and, while a rotation overlaps, a second signature with the previous one).
The receiver's address is checked before every send and the connection goes to the checked
address: no loopback, link-local, metadata or own hosts; private ranges only inside the blocks
an administrator lists; no redirects followed.
"""

import base64
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.audit.models import ChangeAction
from gridgov.audit.services import record_change
from gridgov.exchange.models import ChangeEvent, ClientKind, ClientSystem, WebhookEndpoint
from gridgov.exchange.services import events
from gridgov.exchange.services.clients import client_area_codes, require_manager, signing_secrets
from gridgov.notify.gateways import GATEWAYS, OutgoingMessage, SendResult
from gridgov.notify.models import Outbox
from gridgov.notify.outbox import enqueue_messages

# Cloud metadata services that sit on ordinary-looking addresses.
METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("fd00:ec2::254"),
}
PRIVATE = [
    ipaddress.ip_network(n)
    for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7")
]


class RefusedDestination(ValueError):
    """The receiver's address is one the platform never connects to."""


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses (tests replace this)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check_destination(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to), or RefusedDestination with the reason."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise RefusedDestination(_("The address is not a valid URL.")) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedDestination(_("Only http and https addresses with a host are allowed."))
    if parts.username or parts.password:
        raise RefusedDestination(_("Addresses may not carry a user name or password."))
    host = parts.hostname.lower()
    own = {h.lower() for h in settings.ALLOWED_HOSTS if h not in ("*", "")}
    local = host == "localhost" or host.endswith(".localhost")
    if (host in own or local) and not settings.GRIDGOV_WEBHOOK_TEST_LOOPBACK:
        raise RefusedDestination(_("The platform does not send webhooks to itself."))
    try:
        addresses = resolve(host, port)
    except OSError as exc:
        raise RefusedDestination(_("The host name could not be resolved.")) from exc
    if not addresses:
        raise RefusedDestination(_("The host name could not be resolved."))
    address = ipaddress.ip_address(addresses[0].split("%")[0])
    _check_address(address)
    return parts.scheme, host, port, str(address)


def _check_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> None:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in METADATA or address.is_link_local:
        raise RefusedDestination(_("Link-local and metadata addresses are refused."))
    if address.is_loopback and settings.GRIDGOV_WEBHOOK_TEST_LOOPBACK:
        return  # the test suite's and benches' own receivers
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        raise RefusedDestination(_("Loopback, unspecified and multicast addresses are refused."))
    allowed = [
        ipaddress.ip_network(n, strict=False) for n in settings.GRIDGOV_WEBHOOK_PRIVATE_NETWORKS
    ]
    if any(address in network for network in allowed):
        return
    if any(address in network for network in PRIVATE) or address.is_private or address.is_reserved:
        raise RefusedDestination(
            _("Private addresses are allowed only inside the blocks the administrator lists.")
        )


def secret_bytes(secret: str) -> bytes:
    return secret.encode()


def receiver_secret(secret: str) -> str:
    """The secret as receivers configure it (`whsec_` + base64 of the key bytes)."""
    return "whsec_" + base64.b64encode(secret_bytes(secret)).decode()


def sign(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1,"
        + base64.b64encode(hmac.new(secret_bytes(s), signed, hashlib.sha256).digest()).decode()
        for s in secrets
    )


def _no_delay(sock: socket.socket) -> socket.socket:
    """http.client writes a request's headers and body apart: with Nagle's algorithm the body
    waits for the receiver's delayed ACK of the headers (40 ms on Linux) on a kept connection,
    which capped a sending thread at about 23 messages a second."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the checked address whatever the host name resolves to now."""

    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = _no_delay(socket.create_connection((self._address, self.port), self.timeout))


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        raw = _no_delay(socket.create_connection((self._address, self.port), self.timeout))
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


_kept = threading.local()


def post(url: str, headers: dict[str, str], body: bytes, timeout: float) -> int:
    """POST to a checked address; the status code (redirects are answers, never followed).
    Each sending thread keeps its connection to a receiver alive between messages; a kept
    connection the receiver closed meanwhile is replaced once."""
    scheme, host, port, address = check_destination(url)
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    key = (scheme, host, port, address)
    pool = getattr(_kept, "connections", None)
    if pool is None:
        pool = _kept.connections = {}
    for attempt in (1, 2):
        connection = pool.get(key)
        reused = connection is not None
        if connection is None:
            kind = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
            connection = pool[key] = kind(host, port, address, timeout)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(65536)
            if response.will_close:
                connection.close()
                pool.pop(key, None)
            return response.status
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            connection.close()
            pool.pop(key, None)
            if not reused or attempt == 2:
                raise
        except (OSError, http.client.HTTPException):
            connection.close()
            pool.pop(key, None)
            raise
    raise http.client.HTTPException("no answer")


class WebhookGateway:
    """One per sender loop, shared by its threads; endpoints are read again after a few seconds
    (a disabled or revoked one stops within that time)."""

    name = "webhook"
    ENDPOINT_SECONDS = 5.0

    def __init__(self) -> None:
        self._endpoints: dict[int, tuple[float, WebhookEndpoint | None]] = {}

    def _endpoint(self, pk: int) -> WebhookEndpoint | None:
        found = self._endpoints.get(pk)
        if found is not None and time.monotonic() - found[0] < self.ENDPOINT_SECONDS:
            return found[1]
        endpoint = WebhookEndpoint.objects.select_related("client").filter(pk=pk).first()
        self._endpoints[pk] = (time.monotonic(), endpoint)
        return endpoint

    def send(self, message: OutgoingMessage) -> SendResult:
        endpoint = self._endpoint(int(message.payload.get("endpoint") or 0))
        if endpoint is None or not endpoint.active or endpoint.client.revoked_at is not None:
            return SendResult(ok=False, permanent=True, error="endpoint disabled or removed")
        body = json.dumps(message.payload["event"], ensure_ascii=False).encode()
        msg_id = message.payload["webhook_id"]
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "gridgov-webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(signing_secrets(endpoint.client), msg_id, stamp, body),
        }
        try:
            status = post(endpoint.url, headers, body, settings.GRIDGOV_WEBHOOK_TIMEOUT_SECONDS)
        except RefusedDestination as exc:
            _failed(endpoint)
            return SendResult(ok=False, error=str(exc))
        except (OSError, http.client.HTTPException) as exc:
            _failed(endpoint)
            return SendResult(ok=False, error=str(exc)[:500] or exc.__class__.__name__)
        if 200 <= status < 300:
            if endpoint.failing_since is not None:
                WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            return SendResult(ok=True, response=f"HTTP {status}")
        if status == 410:
            disable(endpoint, _("The receiver answered 410 Gone."))
            self._endpoints.pop(endpoint.pk, None)
            return SendResult(ok=False, permanent=True, error="HTTP 410: endpoint gone")
        _failed(endpoint)
        return SendResult(ok=False, error=f"HTTP {status}")


def _failed(endpoint: WebhookEndpoint) -> None:
    now = timezone.now()
    since = (
        WebhookEndpoint.objects.filter(pk=endpoint.pk)
        .values_list("failing_since", flat=True)
        .first()
    )
    endpoint.failing_since = since or now
    if since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        return
    limit = datetime.timedelta(hours=settings.GRIDGOV_WEBHOOK_DISABLE_AFTER_HOURS)
    if now - since > limit:
        disable(endpoint, _("The receiver failed for longer than the allowed time."))


def disable(endpoint: WebhookEndpoint, reason: str) -> None:
    """Stop sending to the endpoint and tell the client's owner (the account that registered it)."""
    from gridgov.notify.services import notify

    with transaction.atomic():
        changed = WebhookEndpoint.objects.filter(pk=endpoint.pk, active=True).update(
            active=False, disabled_reason=reason[:200]
        )
        if changed:
            notify(
                [endpoint.client.created_by],
                _("Webhook endpoint disabled"),
                f"{endpoint.url}: {reason}",
                source=f"exchange.webhookendpoint:{endpoint.pk}",
            )
    events.forget_endpoints()


def register_gateway() -> None:
    GATEWAYS["webhook"] = WebhookGateway


# --- management (MANAGE_CLIENTS) ---------------------------------------------------------------


@transaction.atomic
def add_endpoint(
    actor: User, client: ClientSystem, *, url: str, event_types: list[str]
) -> WebhookEndpoint:
    require_manager(actor)
    if client.kind != ClientKind.WEBHOOK or client.revoked_at is not None:
        raise ValidationError({"client": _("Webhooks go to an active webhook client system.")})
    unknown = [t for t in event_types if not any(_matches(t, name) for name in events.CATALOGUE)]
    if not event_types or unknown:
        raise ValidationError({"event_types": _("Choose events from the catalogue.")})
    try:
        check_destination(url)
    except RefusedDestination as exc:
        raise ValidationError({"url": str(exc)}) from exc
    endpoint = WebhookEndpoint.objects.create(client=client, url=url, event_types=event_types)
    record_change(
        actor=actor,
        action=ChangeAction.CREATE,
        instance=endpoint,
        after={"url": url, "event_types": event_types, "client": client.pk},
    )
    events.forget_endpoints()
    return endpoint


def _matches(pattern: str, name: str) -> bool:
    return events.type_allowed(name, [pattern])


@transaction.atomic
def set_active(actor: User, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    require_manager(actor)
    endpoint.active = active
    endpoint.disabled_reason = "" if active else _("Disabled by an administrator.")
    endpoint.failing_since = None
    endpoint.save(update_fields=["active", "disabled_reason", "failing_since"])
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=endpoint, after={"active": active}
    )
    events.forget_endpoints()
    return endpoint


@transaction.atomic
def replay(actor: User, endpoint: WebhookEndpoint, event: ChangeEvent) -> Outbox:
    """Send one event to the endpoint again (same webhook-id: a receiver that has it drops it)."""
    require_manager(actor)
    if not endpoint.active:
        raise ValidationError(_("Enable the endpoint before replaying to it."))
    codes = client_area_codes(endpoint.client)
    if not events.client_sees(endpoint.client, event.type, event.area_code, codes):
        raise ValidationError(_("This event is outside the client system's scope."))
    base = f"webhook:{endpoint.pk}:{event.pk}"
    n = Outbox.objects.filter(channel="webhook", dedupe_key__startswith=f"{base}:replay").count()
    message = events.message_for(event, endpoint.pk, endpoint.url, replay=n + 1)
    enqueue_messages("webhook", [message])
    record_change(
        actor=actor, action=ChangeAction.UPDATE, instance=endpoint, after={"replayed": event.pk}
    )
    return Outbox.objects.get(channel="webhook", dedupe_key=message["dedupe_key"])


def deliveries(endpoint: WebhookEndpoint):
    """The endpoint's delivery log, newest first."""
    return Outbox.objects.filter(
        channel="webhook", dedupe_key__startswith=f"webhook:{endpoint.pk}:"
    ).order_by("-pk")
