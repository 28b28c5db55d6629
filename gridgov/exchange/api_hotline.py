"""API of the 12345 work-order adapter and of category suggestions.

Staff endpoints act as the signed-in user. The inbound endpoints are called by the city's 12345
platform with the API key of its client system (kind `12345`) in `X-Api-Key`, and act as the
system account HOTLINE_12345."""

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from gridgov.accounts.auth import AuthenticatedRequest
from gridgov.accounts.permissions import Action
from gridgov.accounts.scope import get_for_user
from gridgov.accounts.system import HOTLINE_12345, system_user
from gridgov.cases.models import Case
from gridgov.cases.services import category_by_code
from gridgov.exchange.models import ClientKind, HotlineOrder, Suggestion
from gridgov.exchange.services import classify, hotline
from gridgov.exchange.services.clients import authenticate_client

router = Router()


# ---------------------------------------------------------------------------------------------
# suggestions


class SuggestionOut(Schema):
    case: int
    area_code: str
    state: str
    category: str
    category_name: str
    department: str
    confidence: float
    top: list[list]


class DecideIn(Schema):
    category: str | None = Field(None, max_length=20)


def _suggestion_out(s: Suggestion) -> dict:
    return {
        "case": s.case_id,
        "area_code": s.area_code,
        "state": s.state,
        "category": s.category.code,
        "category_name": s.category.name,
        "department": s.department.name if s.department is not None else "",
        "confidence": s.confidence,
        "top": s.top,
    }


def _case_suggestion(request: AuthenticatedRequest, pk: int) -> Suggestion:
    case = get_for_user(Case.objects.all(), request.user, Action.VIEW, pk=pk)
    suggestion = Suggestion.objects.filter(case=case).select_related("category").first()
    if suggestion is None:
        suggestion = classify.suggest_for_case(case, actor=request.user)
    if suggestion is None:
        raise HttpError(404, "No suggestion: the case has a category or there is no model yet.")
    return suggestion


@router.get("/classify/cases/{pk}/suggestion", response=SuggestionOut)
def case_suggestion(request: AuthenticatedRequest, pk: int):
    """The suggested category of a case without one (made now when there is none yet)."""
    return _suggestion_out(_case_suggestion(request, pk))


@router.post("/classify/cases/{pk}/suggestion", response=SuggestionOut)
def decide_suggestion(request: AuthenticatedRequest, pk: int, payload: DecideIn):
    """Accept the suggestion (no category) or choose another category."""
    suggestion = _case_suggestion(request, pk)
    category = category_by_code(payload.category) if payload.category else None
    return _suggestion_out(classify.decide(suggestion, actor=request.user, category=category))


# ---------------------------------------------------------------------------------------------
# the district's steps on an order


class OrderOut(Schema):
    id: int
    order_no: str
    area_code: str
    state: str
    case: int
    rating: str
    reopen_count: int


class StepIn(Schema):
    reason: str = Field("", max_length=500)
    text: str = Field("", max_length=500)
    days: int = Field(0, ge=0, le=365)


def _order_out(o: HotlineOrder) -> dict:
    return {
        "id": o.pk,
        "order_no": o.order_no,
        "area_code": o.area_code,
        "state": o.state,
        "case": o.case_id,
        "rating": o.rating,
        "reopen_count": o.reopen_count,
    }


def take_step(order: HotlineOrder, step: str, actor, *, reason="", text="", days=0):
    if step == "sign":
        return hotline.sign(order, actor=actor)
    if step == "return":
        return hotline.return_order(order, actor=actor, reason=reason)
    if step == "extend":
        return hotline.request_extension(order, actor=actor, days=days, reason=reason)
    return hotline.reply(order, actor=actor, text=text)


@router.post("/12345/orders/{pk}/{step}", response=OrderOut)
def order_step(
    request: AuthenticatedRequest,
    pk: int,
    step: Literal["sign", "return", "extend", "reply"],
    payload: StepIn,
):
    """签收 (sign), 退单 (return, with a reason), 延期 (extend: days and reason), 办结回复
    (reply: text); each goes back to 12345 through the outbox."""
    order = get_for_user(HotlineOrder.objects.all(), request.user, Action.CHANGE, pk=pk)
    done = take_step(
        order, step, request.user, reason=payload.reason, text=payload.text, days=payload.days
    )
    return _order_out(done)


# ---------------------------------------------------------------------------------------------
# inbound from 12345


class OrderInSchema(Schema):
    order_no: str = Field(..., max_length=64)
    content: str = Field(..., max_length=2000)
    title: str = Field("", max_length=100)
    address: str = Field("", max_length=200)
    caller_name: str = Field("", max_length=50)
    caller_phone: str = Field("", max_length=20)
    type: str = Field("", max_length=40)
    sign_deadline: str = Field("", max_length=40)
    reply_deadline: str = Field("", max_length=40)
    reopen: bool = False


class RatingIn(Schema):
    rating: str = Field(..., max_length=10)
    note: str = Field("", max_length=500)


class ReopenIn(Schema):
    reason: str = Field(..., max_length=500)


def _hotline_actor(request: HttpRequest):
    key = request.headers.get("X-Api-Key", "")
    if authenticate_client(key, kind=ClientKind.HOTLINE_12345) is None:
        raise HttpError(401, "Send the API key of the 12345 client system in X-Api-Key.")
    return system_user(HOTLINE_12345)


def _order_by_no(order_no: str) -> HotlineOrder:
    order = HotlineOrder.objects.filter(order_no=order_no[:64]).first()  # the adapter's own
    if order is None:
        raise HttpError(404, "No such order.")
    return order


@router.post("/12345/inbound/orders", auth=None, response={200: OrderOut, 201: OrderOut})
def receive_order(request: HttpRequest, payload: OrderInSchema):
    """12345 pushes a work order (again: the same order; `reopen`: 重办)."""
    actor = _hotline_actor(request)
    order, created = hotline.receive_order(payload.dict(), actor=actor)
    return Status(201 if created else 200, _order_out(order))


@router.post("/12345/inbound/orders/{order_no}/rating", auth=None, response=OrderOut)
def receive_rating(request: HttpRequest, order_no: str, payload: RatingIn):
    """回访: 满意 / 基本满意 / 不满意."""
    actor = _hotline_actor(request)
    order = _order_by_no(order_no)
    return _order_out(
        hotline.receive_rating(order.order_no, payload.rating, actor=actor, note=payload.note)
    )


@router.post("/12345/inbound/orders/{order_no}/reopen", auth=None, response=OrderOut)
def receive_reopen(request: HttpRequest, order_no: str, payload: ReopenIn):
    """重办: the order comes back."""
    actor = _hotline_actor(request)
    order = _order_by_no(order_no)
    try:
        return _order_out(hotline.receive_reopen(order.order_no, payload.reason, actor=actor))
    except PermissionDenied:
        raise HttpError(403, "Refused.") from None
