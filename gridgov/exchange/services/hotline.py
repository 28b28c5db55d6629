"""The 12345 work-order adapter (docs/hotline-12345.md).

Orders from the city's 12345 platform enter the loop through intake, once per order number
(channel `12345`, acting as the system account HOTLINE_12345); the 12345 deadlines stay on the
order beside the grid's own stage deadlines. Every step the district takes (签收, 退单, 延期,
办结回复) goes back through the notify outbox (channel `12345`), by the mapping of the city's
adapter; the follow-up rating (回访) and re-opening (重办) come in from 12345.

Cities differ, so `HotlineAdapter` is an interface; `GenericJsonAdapter` is the one shipped:
JSON over HTTP, described in the docs. The outbox's gateway for the channel POSTs the adapter's
payload to the adapter's URL, signed like every other HTTP gateway of the platform.
"""

import datetime
import hashlib
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gridgov.accounts.models import User
from gridgov.accounts.system import EXCHANGE, HOTLINE_12345, system_user
from gridgov.cases.models import Case, Channel, Status
from gridgov.cases.services import perform, rate_case, record_step, report_case
from gridgov.cases.services.permissions import may_command
from gridgov.exchange.models import HotlineOrder, HotlineStep, OrderState, StepKind
from gridgov.notify.gateways import RETRYABLE_HTTP, OutgoingMessage, SendResult, signature
from gridgov.notify.models import Outbox
from gridgov.notify.outbox import enqueue_message

CHANNEL = "12345"
# 回访 words of 12345 → the platform's 1–5 satisfaction scale.
RATINGS = {"满意": 5, "基本满意": 3, "不满意": 1}
MAX_EXTENSION_DAYS = 30


def _setting(name: str) -> str:
    """A setting of the adapter: from settings, else from the environment."""
    return getattr(settings, name, "") or os.environ.get(name, "")


@dataclass
class OrderIn:
    """A work order as the adapter read it."""

    order_no: str
    description: str
    title: str = ""
    address: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    kind: str = ""
    sign_deadline: datetime.datetime | None = None
    reply_deadline: datetime.datetime | None = None
    reopen: bool = False
    raw: dict = field(default_factory=dict)


class HotlineAdapter(Protocol):
    """How one city's 12345 platform speaks."""

    name: str

    def parse_order(self, payload: dict[str, Any]) -> OrderIn: ...

    def outbound(self, step: str, order: HotlineOrder, data: dict[str, Any]) -> tuple[str, dict]:
        """(URL, JSON payload) telling 12345 about a step of the district."""
        ...


def _when(value: Any, name: str) -> datetime.datetime | None:
    if value in (None, ""):
        return None
    parsed = parse_datetime(str(value)[:40]) if isinstance(value, str) else None
    if parsed is None:
        raise ValidationError({name: _("Not a date and time: %(v)s.") % {"v": str(value)[:40]}})
    if timezone.is_naive(parsed):  # 12345 writes local time (Asia/Shanghai)
        parsed = timezone.make_aware(parsed)
    return parsed


def _text(payload: dict, name: str, limit: int, required: bool = False) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ValidationError({name: _("Expected a text.")})
    value = str(value).strip()
    if required and not value:
        raise ValidationError({name: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({name: _("At most %(n)d characters.") % {"n": limit}})
    return value


class GenericJsonAdapter:
    """JSON over HTTP. Inbound order: {"order_no", "content", "title", "address", "caller_name",
    "caller_phone", "type", "sign_deadline", "reply_deadline", "reopen"}. Outbound: POST
    `<base>/orders/<order_no>/<step>` with {"order_no", "step", "at", …the step's fields}."""

    name = "generic-json"
    PATHS = {
        StepKind.SIGN: "sign",
        StepKind.RETURN: "return",
        StepKind.EXTEND: "extension",
        StepKind.REPLY: "reply",
    }

    def __init__(self, base_url: str = ""):
        self.base_url = (base_url or _setting("GRIDGOV_12345_URL")).rstrip("/")

    def parse_order(self, payload: dict[str, Any]) -> OrderIn:
        if not isinstance(payload, dict):
            raise ValidationError(_("An order is a JSON object."))
        order_no = _text(payload, "order_no", 64, required=True)
        if len(order_no) < 4:
            raise ValidationError({"order_no": _("The order number is too short.")})
        return OrderIn(
            order_no=order_no,
            description=_text(payload, "content", 2000, required=True),
            title=_text(payload, "title", 100),
            address=_text(payload, "address", 200),
            caller_name=_text(payload, "caller_name", 50),
            caller_phone=_text(payload, "caller_phone", 20),
            kind=_text(payload, "type", 40),
            sign_deadline=_when(payload.get("sign_deadline"), "sign_deadline"),
            reply_deadline=_when(payload.get("reply_deadline"), "reply_deadline"),
            reopen=payload.get("reopen") is True,
            raw=payload,
        )

    def outbound(self, step: str, order: HotlineOrder, data: dict[str, Any]) -> tuple[str, dict]:
        if not self.base_url:
            raise ValidationError(_("No 12345 address is set (GRIDGOV_12345_URL)."))
        number = urllib.parse.quote(order.order_no, safe="")
        url = f"{self.base_url}/orders/{number}/{self.PATHS[StepKind(step)]}"
        return url, {"order_no": order.order_no, "step": step, **data}


def adapter_configured() -> bool:
    """Whether the district has told the platform where its 12345 platform is."""
    return bool(_setting("GRIDGOV_12345_URL"))


def adapter() -> HotlineAdapter:
    return GenericJsonAdapter()


class HotlineGateway:
    """The outbox's gateway for channel `12345`: POSTs the row's payload to its destination."""

    name = "12345"

    def __init__(self, secret: str = "", timeout: float = 10):
        self.secret = secret or _setting("GRIDGOV_12345_SECRET")
        self.timeout = timeout

    def send(self, message: OutgoingMessage) -> SendResult:
        body = json.dumps(message.payload, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 (the operator's own setting)
            message.destination,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Gridgov-Message-Id": message.id,
                "X-Gridgov-Signature": signature(self.secret, body),
            },
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = response.read()[:2000].decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return SendResult(
                ok=False,
                error=f"HTTP {exc.code}: {exc.reason}"[:500],
                permanent=400 <= exc.code < 500 and exc.code not in RETRYABLE_HTTP,
            )
        except (OSError, ValueError) as exc:
            return SendResult(ok=False, error=str(exc)[:500])
        return SendResult(
            ok=True, gateway_id="12345", request=body.decode()[:2000], response=answer
        )


def gateway() -> HotlineGateway:
    return HotlineGateway()


# ---------------------------------------------------------------------------------------------
# inbound: orders, ratings, re-opening


def _step(
    order: HotlineOrder,
    kind: str,
    actor: User,
    note: str = "",
    data: dict | None = None,
    outbox: Outbox | None = None,
) -> HotlineStep:
    return HotlineStep.objects.create(
        order=order,
        kind=kind,
        note=note[:500],
        data=data or {},
        actor=actor,
        outbox=outbox,
        at=timezone.now(),
    )


def _file_case(order_in: OrderIn, actor: User, key: str) -> Case:
    case, _created = report_case(
        actor=actor,
        channel=Channel.HOTLINE_12345,
        description=order_in.description,
        title=order_in.title or f"12345 {order_in.order_no}",
        address=order_in.address or order_in.order_no,
        reporter_name=order_in.caller_name,
        reporter_phone=order_in.caller_phone,
        idempotency_key=key,
    )
    return case


def _key(name: str) -> str:
    """The intake idempotency key of an order (8 to 64 characters, one per order number)."""
    key = f"12345-{name}"
    if len(key) > 64:
        key = "12345-" + hashlib.sha256(name.encode()).hexdigest()[:48]
    return key


def receive_order(payload: dict[str, Any], *, actor: User) -> tuple[HotlineOrder, bool]:
    """File a 12345 order as a case, once per order number: the same order again returns the
    order filed before (created False); an order marked `reopen` re-opens it (重办)."""
    if actor.username != HOTLINE_12345:
        raise PermissionDenied(_("Only the 12345 adapter files work orders."))
    order_in = adapter().parse_order(payload)
    existing = HotlineOrder.objects.filter(order_no=order_in.order_no).first()
    if existing is not None:
        if order_in.reopen:
            return receive_reopen(
                existing.order_no, order_in.description, actor=actor, raw=order_in.raw
            ), False
        return existing, False
    case = _file_case(order_in, actor, _key(order_in.order_no))
    with transaction.atomic():
        order, created = HotlineOrder.objects.get_or_create(
            order_no=order_in.order_no,
            defaults={
                "case": case,
                "area_code": case.area_code,
                "kind": order_in.kind,
                "sign_deadline": order_in.sign_deadline,
                "reply_deadline": order_in.reply_deadline,
                "received_at": timezone.now(),
                "payload": order_in.raw,
            },
        )
        if created:
            _step(order, StepKind.RECEIVE, actor, data={"case": case.pk})
    return order, created


def receive_rating(order_no: str, rating: str, *, actor: User, note: str = "") -> HotlineOrder:
    """The caller's follow-up rating (回访) from 12345, mapped to the platform's scale; on a
    closed case it is the case's satisfaction (written by the exchange system account)."""
    if actor.username != HOTLINE_12345:
        raise PermissionDenied(_("Only the 12345 adapter records ratings."))
    if rating not in RATINGS:
        raise ValidationError({"rating": _("A rating is 满意, 基本满意 or 不满意.")})
    with transaction.atomic():
        order = HotlineOrder.objects.select_for_update().get(order_no=order_no)
        order.rating, order.state = rating, OrderState.RATED
        order.save(update_fields=["rating", "state", "updated_at"])
        score = RATINGS[rating]
        _step(order, StepKind.RATE, actor, note, {"rating": rating, "score": score})
        if order.case.status == Status.CLOSED:
            rate_case(order.case, score, actor=system_user(EXCHANGE), note=f"12345 回访：{rating}")
        else:
            record_step(
                order.case,
                actor,
                "hotline",
                f"12345 回访：{rating}",
                now=timezone.now(),
                data={"step": StepKind.RATE, "score": score},
            )
    return order


def receive_reopen(
    order_no: str, reason: str, *, actor: User, raw: dict | None = None
) -> HotlineOrder:
    """12345 re-opens an order (重办): an open case gets the reason on its timeline; a finished
    one is followed by a new case through intake, which the order then follows."""
    if actor.username != HOTLINE_12345:
        raise PermissionDenied(_("Only the 12345 adapter re-opens work orders."))
    reason = (reason or "").strip()[:500]
    order = HotlineOrder.objects.select_related("case").get(order_no=order_no)
    n = order.reopen_count + 1
    previous = order.case
    case = previous
    if not previous.is_open:
        order_in = OrderIn(
            order_no=order.order_no,
            description=(
                f"重办（第{n}次）：{reason}\n原事件 {previous.number}：{previous.description}"
            )[:2000],
            title=f"12345 重办 {order.order_no}"[:100],
            address=previous.address,
            caller_name=previous.reporter_name,
            caller_phone=previous.reporter_phone,
        )
        case = _file_case(order_in, actor, _key(f"{order.order_no}-r{n}"))
    with transaction.atomic():
        order = HotlineOrder.objects.select_for_update().get(pk=order.pk)
        order.case, order.reopen_count, order.state = case, n, OrderState.REOPENED
        if raw:
            order.payload = raw
        order.save()
        _step(
            order, StepKind.REOPEN, actor, reason, {"previous_case": previous.pk, "case": case.pk}
        )
        record_step(
            case,
            actor,
            "hotline",
            f"12345 重办：{reason}",
            now=timezone.now(),
            data={"step": StepKind.REOPEN, "previous_case": previous.pk},
        )
    return order


# ---------------------------------------------------------------------------------------------
# outbound: the district's steps


def _outbound(order: HotlineOrder, kind: str, actor: User, note: str, data: dict) -> HotlineOrder:
    if not may_command(actor, order.case):
        raise PermissionDenied(_("You may not act on this work order."))
    n = order.steps.filter(kind=kind).count() + 1
    payload_data = {"at": timezone.localtime().isoformat(timespec="seconds"), **data}
    url, payload = adapter().outbound(kind, order, payload_data)
    row = enqueue_message(
        CHANNEL,
        url,
        payload=payload,
        source=f"exchange.hotlineorder:{order.pk}",
        dedupe_key=f"12345:{order.order_no}:{kind}:{n}",
        area_code=order.area_code,
    )
    _step(order, kind, actor, note, data, outbox=row)
    record_step(
        order.case,
        actor,
        "hotline",
        note or str(StepKind(kind).label),
        now=timezone.now(),
        data={"step": kind, **data},
    )
    return order


def _locked(order: HotlineOrder) -> HotlineOrder:
    return HotlineOrder.objects.select_for_update().select_related("case").get(pk=order.pk)


@transaction.atomic
def sign(order: HotlineOrder, *, actor: User) -> HotlineOrder:
    """签收: the district takes the order."""
    order = _locked(order)
    if order.state not in (OrderState.RECEIVED, OrderState.REOPENED):
        raise ValidationError(_("This order is signed for already."))
    order.state = OrderState.SIGNED
    order.save(update_fields=["state", "updated_at"])
    return _outbound(order, StepKind.SIGN, actor, "", {"unit": order.case.level_code})


@transaction.atomic
def return_order(order: HotlineOrder, *, actor: User, reason: str) -> HotlineOrder:
    """退单: the order is not the district's; the reason goes back, the case is rejected when
    nobody has worked on it yet."""
    order = _locked(order)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(
            {"reason": _("Give the reason for returning (at most 500 characters).")}
        )
    if order.state not in (OrderState.RECEIVED, OrderState.SIGNED, OrderState.REOPENED):
        raise ValidationError(_("This order can no longer be returned."))
    order.state = OrderState.RETURNED
    order.save(update_fields=["state", "updated_at"])
    _outbound(order, StepKind.RETURN, actor, reason, {"reason": reason})
    if order.case.status in (Status.REPORTED, Status.ACCEPTED):
        perform(order.case, "reject", actor=actor, note=f"12345 退单：{reason}"[:500])
    return order


@transaction.atomic
def request_extension(order: HotlineOrder, *, actor: User, days: int, reason: str) -> HotlineOrder:
    """延期: ask 12345 for more days to reply."""
    order = _locked(order)
    reason = (reason or "").strip()
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": _("Ask for 1 to %(n)d days.") % {"n": MAX_EXTENSION_DAYS}})
    if not reason or len(reason) > 500:
        raise ValidationError(
            {"reason": _("Give the reason for the extension (at most 500 characters).")}
        )
    if order.state in (OrderState.RETURNED, OrderState.REPLIED, OrderState.RATED):
        raise ValidationError(_("This order is finished."))
    base = order.reply_deadline or timezone.now()
    order.extended_to = base + datetime.timedelta(days=days)
    order.save(update_fields=["extended_to", "updated_at"])
    until = timezone.localtime(order.extended_to).isoformat(timespec="seconds")
    return _outbound(
        order, StepKind.EXTEND, actor, reason, {"days": days, "until": until, "reason": reason}
    )


REPLY_STATUSES = {Status.HANDLED, Status.VERIFIED, Status.CLOSED}


@transaction.atomic
def reply(order: HotlineOrder, *, actor: User, text: str) -> HotlineOrder:
    """办结回复: the result, once the case is handled."""
    order = _locked(order)
    text = (text or "").strip()
    if not text or len(text) > 500:
        raise ValidationError({"text": _("Write the reply (at most 500 characters).")})
    if order.case.status not in REPLY_STATUSES:
        raise ValidationError(_("Reply when the case is handled."))
    if order.state in (OrderState.RETURNED, OrderState.RECEIVED):
        raise ValidationError(_("Sign for the order first."))
    order.state = OrderState.REPLIED
    order.save(update_fields=["state", "updated_at"])
    return _outbound(
        order,
        StepKind.REPLY,
        actor,
        text,
        {"result": text, "case_number": order.case.number, "case_status": order.case.status},
    )
