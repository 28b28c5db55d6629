"""12345 work orders and category suggestions in the scope matrix: street A's operator never
sees street B's orders, cases or suggestions, and cannot act on them."""

import importlib

from django.apps import apps as django_apps

from gridgov.accounts.system import HOTLINE_12345, system_user
from gridgov.cases.models import Case, Category
from gridgov.exchange.models import HotlineOrder, Suggestion
from gridgov.exchange.services import hotline
from gridgov.exchange.tests.classify_helpers import sms_case
from gridgov.tests.scope import Case as ScopeCase

ORDER_B = "GD-SCOPE-B-0001"
TEXT_B = "乙街道花园路路灯整夜不亮"
INBOUND = "called by the 12345 platform with its client key: no user, no user scope (401 to all)"


def setup(world) -> None:
    if not Category.objects.exists():
        importlib.import_module("gridgov.cases.migrations.0002_seed_taxonomy").load(
            django_apps, None
        )
    case = sms_case(TEXT_B, area_code="410105002")
    Case.objects.filter(pk=case.pk).update(level_code="410105002")
    world.objects["sms_b"] = case
    Suggestion.objects.create(
        case=case,
        area_code="410105002",
        category=Category.objects.get(code="C0110"),
        confidence=0.5,
        top=[["C0110", 0.5]],
    )
    order, _new = hotline.receive_order(
        {"order_no": ORDER_B, "content": "花园路来电：噪音扰民"}, actor=system_user(HOTLINE_12345)
    )
    Case.objects.filter(pk=order.case_id).update(area_code="410105002", level_code="410105002")
    HotlineOrder.objects.filter(pk=order.pk).update(area_code="410105002")
    world.objects["order_b"] = order


def _case(world) -> int:
    return world.objects["sms_b"].pk


def _order(world) -> int:
    return world.objects["order_b"].pk


CASES = [
    ScopeCase("exchange/classify/", lambda w: "/exchange/classify/", expect=403),
    ScopeCase(
        "exchange/classify/",
        lambda w: "/exchange/classify/",
        "POST",
        lambda w: {"action": "threshold", "auto_threshold": "0.8"},
        expect=403,
        multipart=True,
        live_expect=302,
    ),
    ScopeCase(
        "exchange/classify/cases/<int:pk>/",
        lambda w: f"/exchange/classify/cases/{_case(w)}/",
        absent=lambda w: [TEXT_B],
    ),
    ScopeCase(
        "exchange/classify/cases/<int:pk>/",
        lambda w: f"/exchange/classify/cases/{_case(w)}/",
        "POST",
        lambda w: {"category": "C0110"},
        multipart=True,
        live_expect=302,
    ),
    ScopeCase(
        "exchange/hotline/<int:pk>/",
        lambda w: f"/exchange/hotline/{_order(w)}/",
        absent=lambda w: [ORDER_B],
    ),
    ScopeCase(
        "exchange/hotline/<int:pk>/",
        lambda w: f"/exchange/hotline/{_order(w)}/",
        "POST",
        lambda w: {"step": "return", "reason": ""},
        multipart=True,
        live_expect=400,
    ),
    ScopeCase(
        "api/v1/classify/cases/<pk>/suggestion",
        lambda w: f"/api/v1/classify/cases/{_case(w)}/suggestion",
    ),
    ScopeCase(
        "api/v1/classify/cases/<pk>/suggestion",
        lambda w: f"/api/v1/classify/cases/{_case(w)}/suggestion",
        "POST",
        lambda w: {"category": "C0110"},
        live_expect=200,
    ),
    ScopeCase(
        "api/v1/12345/orders/<pk>/<step>",
        lambda w: f"/api/v1/12345/orders/{_order(w)}/return",
        "POST",
        lambda w: {"reason": ""},
        live_expect=400,
    ),
    ScopeCase(
        "api/v1/12345/inbound/orders",
        lambda w: "/api/v1/12345/inbound/orders",
        "POST",
        lambda w: {"order_no": "GD-X-1", "content": "x"},
        expect=401,
        not_live=INBOUND,
    ),
    ScopeCase(
        "api/v1/12345/inbound/orders/<order_no>/rating",
        lambda w: f"/api/v1/12345/inbound/orders/{ORDER_B}/rating",
        "POST",
        lambda w: {"rating": "满意"},
        expect=401,
        not_live=INBOUND,
    ),
    ScopeCase(
        "api/v1/12345/inbound/orders/<order_no>/reopen",
        lambda w: f"/api/v1/12345/inbound/orders/{ORDER_B}/reopen",
        "POST",
        lambda w: {"reason": "x"},
        expect=401,
        not_live=INBOUND,
    ),
]
