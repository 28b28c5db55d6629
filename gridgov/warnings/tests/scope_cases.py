"""Warnings in the scope matrix: street A's operator never sees street B's warnings, drafts,
receipts, boards, CAP exports or rules, and cannot act on them."""

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.permissions import Role
from gridgov.areas.models import Area
from gridgov.conftest import make_user
from gridgov.tests.scope import Case
from gridgov.warnings import services
from gridgov.warnings.models import Rule, RuleKind
from gridgov.warnings.services import WarningInput

ISSUED_B = "乙街道暴雨红色预警"
DRAFT_B = "乙街道大风草稿"
RULE_B = "乙街道分类激增规则"
STREET_B_NAME = "花园路街道"
CAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>ext-1</identifier>
<sender>met@example.cn</sender><sent>2026-12-02T09:00:00+08:00</sent><status>Actual</status>
<msgType>Alert</msgType><scope>Public</scope><info><category>Met</category><event>Rain</event>
<urgency>Expected</urgency><severity>Moderate</severity><certainty>Likely</certainty>
<headline>Rain</headline><area><areaDesc>B</areaDesc></area></info></alert>"""


def setup(world) -> None:
    op_b = world.users["op_b"]
    world.users["comm_b"] = make_user("comm_b", Role.COMMUNITY_STAFF, ["410105002001"])
    data = WarningInput(event="暴雨", colour="red", headline=ISSUED_B, target_codes=["410105002"])
    issued = services.create_draft(acting_user=op_b, area_code="410105002", data=data)
    services.approve(issued, acting_user=op_b)
    world.objects["warning_b"] = services.issue(issued, acting_user=op_b)
    draft = WarningInput(event="大风", colour="blue", headline=DRAFT_B, target_codes=["410105002"])
    world.objects["draft_b"] = services.create_draft(
        acting_user=op_b, area_code="410105002", data=draft
    )
    world.objects["rule_b"] = Rule.objects.create(
        name=RULE_B,
        kind=RuleKind.GRID_CLASS_SPIKE,
        area=Area.objects.get(code="410105002"),
        owner=op_b,
    )


def _w(world) -> int:
    return world.objects["warning_b"].pk


def _d(world) -> int:
    return world.objects["draft_b"].pk


def _texts(world) -> list[str]:
    return [ISSUED_B, DRAFT_B]


def _issued(world) -> list[str]:
    return [ISSUED_B]


def _street(world) -> list[str]:
    return [STREET_B_NAME]


def _draft_data(world) -> dict:
    return {
        "area_code": "410105002",
        "event": "暴雨",
        "colour": "yellow",
        "status": "Actual",
        "certainty": "Likely",
        "headline": "新预警",
        "target_codes": ["410105002"],
    }


def _cap_upload(world) -> dict:
    return {"area_code": "410105002", "file": SimpleUploadedFile("b.xml", CAP, "text/xml")}


WRITE = (302, 400)
CASES = [
    Case("warnings/", lambda w: "/warnings/", expect=200, absent=_texts),
    Case("warnings/", lambda w: "/warnings/?area=410105002", expect=200, absent=_texts),
    Case("warnings/new/", lambda w: "/warnings/new/", expect=200, absent=_street),
    Case(
        "warnings/new/",
        lambda w: "/warnings/new/",
        "POST",
        _draft_data,
        expect=400,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "warnings/mine/", lambda w: "/warnings/mine/", expect=200, absent=_issued, live_as="comm_b"
    ),
    Case("warnings/active/", lambda w: "/warnings/active/", expect=200, absent=_issued),
    Case("warnings/import/", lambda w: "/warnings/import/", expect=200, absent=_street),
    Case(
        "warnings/import/",
        lambda w: "/warnings/import/",
        "POST",
        _cap_upload,
        expect=400,
        multipart=True,
        live_expect=302,
    ),
    Case("warnings/rules/", lambda w: "/warnings/rules/", expect=403, absent=lambda w: [RULE_B]),
    Case(
        "warnings/rules/",
        lambda w: "/warnings/rules/",
        "POST",
        lambda w: {"name": "x"},
        expect=403,
        multipart=True,
    ),
    Case(
        "warnings/rules/<int:pk>/",
        lambda w: f"/warnings/rules/{w.objects['rule_b'].pk}/",
        expect=403,
    ),
    Case(
        "warnings/rules/<int:pk>/",
        lambda w: f"/warnings/rules/{w.objects['rule_b'].pk}/",
        "POST",
        lambda w: {"name": "x"},
        expect=403,
        multipart=True,
        live_expect=400,
    ),
    Case("warnings/<int:pk>/", lambda w: f"/warnings/{_w(w)}/"),
    Case("warnings/<int:pk>/", lambda w: f"/warnings/{_d(w)}/"),
    Case("warnings/<int:pk>/edit/", lambda w: f"/warnings/{_d(w)}/edit/"),
    Case(
        "warnings/<int:pk>/edit/",
        lambda w: f"/warnings/{_d(w)}/edit/",
        "POST",
        _draft_data,
        multipart=True,
        live_expect=302,
    ),
    *[
        Case(
            f"warnings/<int:pk>/{step}/",
            lambda w, step=step: f"/warnings/{_d(w)}/{step}/",
            "POST",
            multipart=True,
            live_expect=WRITE,
        )
        for step in ("approve", "send-back", "discard", "issue")
    ],
    Case(
        "warnings/<int:pk>/forward/",
        lambda w: f"/warnings/{_w(w)}/forward/",
        "POST",
        lambda w: {"area_code": "410105002001", "instruction": "x"},
        multipart=True,
        live_expect=WRITE,
    ),
    Case(
        "warnings/<int:pk>/follow-up/",
        lambda w: f"/warnings/{_w(w)}/follow-up/",
        "POST",
        lambda w: {"kind": "cancel"},
        multipart=True,
        live_expect=WRITE,
    ),
    Case(
        "warnings/<int:pk>/ack/",
        lambda w: f"/warnings/{_w(w)}/ack/",
        "POST",
        multipart=True,
        live_as="comm_b",
        live_expect=302,
    ),
    Case("warnings/<int:pk>/board/", lambda w: f"/warnings/{_w(w)}/board/"),
    Case("warnings/<int:pk>/cap.xml", lambda w: f"/warnings/{_w(w)}/cap.xml"),
    # the API
    Case("api/v1/warnings", lambda w: "/api/v1/warnings", expect=200, absent=_texts),
    Case(
        "api/v1/warnings",
        lambda w: "/api/v1/warnings",
        "POST",
        _draft_data,
        expect=400,
        live_expect=201,
    ),
    Case("api/v1/warnings/active", lambda w: "/api/v1/warnings/active", expect=200, absent=_issued),
    Case(
        "api/v1/warnings/mine",
        lambda w: "/api/v1/warnings/mine",
        expect=200,
        absent=_issued,
        live_as="comm_b",
    ),
    Case(
        "api/v1/warnings/import-cap",
        lambda w: "/api/v1/warnings/import-cap",
        "POST",
        _cap_upload,
        expect=403,
        multipart=True,
        live_expect=201,
    ),
    Case("api/v1/warnings/<warning_id>", lambda w: f"/api/v1/warnings/{_w(w)}"),
    Case("api/v1/warnings/<warning_id>", lambda w: f"/api/v1/warnings/{_d(w)}"),
    *[
        Case(
            f"api/v1/warnings/<warning_id>/{step}",
            lambda w, step=step: f"/api/v1/warnings/{_d(w)}/{step}",
            "POST",
            live_expect=(200, 400),
        )
        for step in ("approve", "issue")
    ],
    Case(
        "api/v1/warnings/<warning_id>/forward",
        lambda w: f"/api/v1/warnings/{_w(w)}/forward",
        "POST",
        lambda w: {"area_code": "410105002001", "instruction": "社区加强巡查"},
        live_expect=201,
    ),
    Case(
        "api/v1/warnings/<warning_id>/follow-up",
        lambda w: f"/api/v1/warnings/{_w(w)}/follow-up",
        "POST",
        lambda w: {"kind": "update"},
        live_expect=201,
    ),
    Case(
        "api/v1/warnings/<warning_id>/ack",
        lambda w: f"/api/v1/warnings/{_w(w)}/ack",
        "POST",
        live_as="comm_b",
        live_expect=200,
    ),
    Case("api/v1/warnings/<warning_id>/board", lambda w: f"/api/v1/warnings/{_w(w)}/board"),
    Case("api/v1/warnings/<warning_id>/cap", lambda w: f"/api/v1/warnings/{_w(w)}/cap"),
]
