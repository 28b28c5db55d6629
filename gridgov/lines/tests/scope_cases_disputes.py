"""Disputes, screening and hazards in the scope matrix: street A's operator never sees street B's
disputes, parties, screenings, hazards or boards, and cannot act on them."""

import base64

from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.cases.models import Channel
from gridgov.cases.services.intake import report_case
from gridgov.lines.models import InspectionTask, ScreeningTask
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.lines.tests.disputes_helpers import POINT_B, days, dispute, inspect, plan, shop
from gridgov.tests.scope import Case

GRID_B = "41010500200101"
TITLE_B = "乙街道漏水纠纷"
AGREED_B = "乙街道协议"
SHOP_B = "乙街道小饭馆"
CASE_B = "乙街道楼道堆物"
PHOTO = base64.b64encode(b"\xff\xd8 photo").decode()


UNSCOPED = {
    "lines/hazards/plans/": "the inspection plans of the installation (settings right only)",
    "lines/hazards/plans/new/": "a new inspection plan (settings right only)",
    "lines/hazards/plans/<int:pk>/": "an inspection plan of the installation (settings right only)",
}


def setup(world) -> None:
    op_b = world.users["op_b"]
    admin = world.users["admin"]
    d = dispute(op_b, TITLE_B, GRID_B)
    ds.add_session(d, actor=op_b, held_on=days(0), participants="张三、李四", record="陈述")
    ds.draft_agreement(d, AGREED_B, actor=op_b)
    world.objects["dispute_b"] = d
    open_b = dispute(op_b, TITLE_B + "二", GRID_B, risk="high")
    world.objects["open_b"] = open_b
    world.objects["referral_b"] = ds.refer(
        dispute(op_b, TITLE_B + "三", GRID_B), actor=op_b, body="justice"
    )
    ds.create_screenings(actor=admin)
    world.objects["screening_b"] = ScreeningTask.objects.get(area_code=GRID_B)
    the_plan = plan(admin)
    world.objects["plan"] = the_plan
    org = shop(op_b, SHOP_B, point=POINT_B)
    world.objects["shop_b"] = org
    hs.generate_tasks(actor=admin)
    world.objects["inspection_b"] = InspectionTask.objects.get(organization=org)
    world.objects["hazard_b"] = inspect(op_b, the_plan, org).hazards.get()
    in_force = dispute(op_b, TITLE_B + "四", GRID_B)
    ds.add_session(in_force, actor=op_b, held_on=days(0), participants="张三", record="陈述")
    ds.draft_agreement(in_force, AGREED_B, actor=op_b)
    ds.upload_signed_agreement(in_force, b"%PDF-1.4", "s.pdf", actor=op_b)
    world.objects["in_force_b"] = in_force
    world.objects["lines_case_b"] = report_case(
        actor=op_b,
        channel=Channel.GRID_MEMBER,
        title=CASE_B,
        description="乙街道邻里争吵",
        address="乙街道1号楼",
        area_code=GRID_B,
    )[0]


def _o(name):
    return lambda w: w.objects[name].pk


def _texts(world) -> list[str]:
    return [TITLE_B]


def _shop(world) -> list[str]:
    return [SHOP_B]


def _grid(world) -> list[str]:
    return [GRID_B]


def _grid_name(world) -> list[str]:
    """The phone's screening names the grid rather than showing its code."""
    from gridgov.areas.models import Area

    return [Area.objects.get(code=GRID_B).name]


def _board_leaks(world, answer) -> list:
    """Street B's dispute and hazard counts reach the board."""
    if isinstance(answer, dict):
        return [answer["disputes_by_kind"]] if answer.get("disputes_by_kind") else []
    return ["neighbourhood"] if "neighbourhood" in answer or "邻里" in answer else []


def _d(w) -> str:
    return f"/api/v1/disputes/{w.objects['dispute_b'].pk}"


def _h(w) -> str:
    return f"/api/v1/hazards/{w.objects['hazard_b'].pk}"


def _inspection(world) -> dict:
    return {
        "plan_id": world.objects["plan"].pk,
        "organization_id": world.objects["shop_b"].pk,
        "results": [
            {"item_id": i.pk, "result": "pass"} for i in world.objects["plan"].current_items()
        ],
    }


def _new_dispute(world) -> dict:
    return {
        "kind": "family",
        "title": "越界登记",
        "area_code": GRID_B,
        "parties": [{"name": "甲"}],
    }


def _register(world) -> dict:
    return {
        "kind": "family",
        "title": "越界登记",
        "area": GRID_B,
        "risk": "low",
        "source": "patrol",
        "applicants": "甲",
    }


def _step(step: str, data: dict):
    return lambda w: {f"{step}-{k}": v for k, v in data.items()}


def _parties(world) -> dict:
    return {"kind": "neighbourhood", "risk": "low", "applicants": "甲", "respondents": "乙"}


# The pages and API routes that work a dispute or a hazard (forms_disputes, views_*_forms).
WORK = [
    Case("lines/disputes/new/", lambda w: "/lines/disputes/new/", expect=200, absent=_grid),
    # the parties picker: street B's shop is neither found nor picked by street A
    Case(
        "lines/disputes/parties/",
        lambda w: f"/lines/disputes/parties/?party_q={SHOP_B}",
        expect=200,
        absent=lambda w: [SHOP_B],
    ),
    Case(
        "lines/disputes/parties/",
        lambda w: (
            f"/lines/disputes/parties/?pick=org:{w.objects['shop_b'].pk}&party_role=respondent"
        ),
    ),
    Case(
        "lines/disputes/new/",
        lambda w: "/lines/disputes/new/",
        "POST",
        _register,
        expect=400,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/disputes/from-case/<int:case_pk>/",
        lambda w: f"/lines/disputes/from-case/{w.objects['lines_case_b'].pk}/",
        absent=lambda w: [CASE_B],
    ),
    Case(
        "lines/disputes/from-case/<int:case_pk>/",
        lambda w: f"/lines/disputes/from-case/{w.objects['lines_case_b'].pk}/",
        "POST",
        _parties,
        multipart=True,
        live_expect=302,
    ),
    *(
        Case(
            "lines/disputes/<int:pk>/do/<slug:step>/",
            lambda w, s=step: f"/lines/disputes/{w.objects['open_b'].pk}/do/{s}/",
            "POST",
            _step(step, data),
            multipart=True,
            live_expect=302,
        )
        for step, data in (
            ("regrade", {"risk": "group"}),
            ("session", {"held_on": str(days(0)), "participants": "甲", "record": "谈话"}),
            ("refer", {"body": "police"}),
            ("close", {"success": "0", "note": "撤回"}),
            ("to_case", {}),
        )
    ),
    Case(
        "lines/disputes/<int:pk>/do/<slug:step>/",
        lambda w: f"/lines/disputes/{w.objects['in_force_b'].pk}/do/follow_up/",
        "POST",
        _step("follow_up", {"visited_on": str(days(0)), "note": "回访"}),
        multipart=True,
        live_expect=302,
    ),
    Case("lines/m/disputes/", lambda w: "/lines/m/disputes/", expect=200, absent=_texts),
    Case("lines/m/disputes/new/", lambda w: "/lines/m/disputes/new/", expect=200, absent=_grid),
    Case(
        "lines/m/disputes/new/",
        lambda w: "/lines/m/disputes/new/",
        "POST",
        _register,
        expect=400,
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/m/disputes/<int:pk>/",
        lambda w: f"/lines/m/disputes/{w.objects['in_force_b'].pk}/",
        absent=lambda w: [AGREED_B],
    ),
    Case(
        "lines/m/disputes/<int:pk>/",
        lambda w: f"/lines/m/disputes/{w.objects['in_force_b'].pk}/",
        "POST",
        _step("follow_up", {"visited_on": str(days(0)), "note": "回访"}),
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/hazards/<int:pk>/",
        lambda w: f"/lines/hazards/{w.objects['hazard_b'].pk}/",
        absent=_shop,
    ),
    *(
        Case(
            "lines/hazards/<int:pk>/do/<slug:step>/",
            lambda w, s=step: f"/lines/hazards/{w.objects['hazard_b'].pk}/do/{s}/",
            "POST",
            _step(step, data),
            multipart=True,
            live_expect=302,
        )
        for step, data in (
            ("reinspect", {"new_deadline": str(days(20))}),
            ("escalate", {"note": "逾期"}),
            ("supervise", {"level": "district"}),
        )
    ),
    Case(
        "lines/hazards/supervision/",
        lambda w: "/lines/hazards/supervision/",
        expect=200,
        absent=_shop,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/regrade",
        lambda w: f"/api/v1/disputes/{w.objects['open_b'].pk}/regrade",
        "POST",
        lambda w: {"risk": "group"},
        live_expect=200,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/case",
        lambda w: f"/api/v1/disputes/{w.objects['open_b'].pk}/case",
        "POST",
        live_expect=201,
    ),
    Case(
        "api/v1/disputes/from-case/<case_id>",
        lambda w: f"/api/v1/disputes/from-case/{w.objects['lines_case_b'].pk}",
        "POST",
        lambda w: {"kind": "neighbourhood", "parties": [{"name": "甲"}]},
        live_expect=201,
    ),
    Case(
        "api/v1/hazards/<hazard_id>/escalate",
        lambda w: f"{_h(w)}/escalate",
        "POST",
        lambda w: {"note": "逾期"},
        live_expect=200,
    ),
]

WRITE_LIVE = (200, 201)
CASES = [
    *WORK,
    # pages
    Case("lines/disputes/", lambda w: "/lines/disputes/", expect=200, absent=_texts),
    Case("lines/disputes/", lambda w: "/lines/disputes/?area=410105002", expect=200, absent=_texts),
    Case(
        "lines/disputes/export.<str:fmt>",
        lambda w: "/lines/disputes/export.csv",
        expect=200,
        absent=_texts,
    ),
    Case(
        "lines/disputes/<int:pk>/",
        lambda w: f"/lines/disputes/{w.objects['dispute_b'].pk}/",
        absent=_texts,
    ),
    Case(
        "lines/disputes/<int:pk>/agreement.pdf",
        lambda w: f"/lines/disputes/{w.objects['dispute_b'].pk}/agreement.pdf",
    ),
    Case("lines/screenings/", lambda w: "/lines/screenings/", expect=200, absent=_grid),
    Case("lines/hazards/", lambda w: "/lines/hazards/", expect=200, absent=_shop),
    Case(
        "lines/hazards/export.<str:fmt>",
        lambda w: "/lines/hazards/export.csv",
        expect=200,
        absent=_shop,
    ),
    Case(
        "lines/hazards/<int:pk>/notice.pdf",
        lambda w: f"/lines/hazards/{w.objects['hazard_b'].pk}/notice.pdf",
    ),
    Case("lines/board/", lambda w: "/lines/board/", expect=200, leaks=_board_leaks),
    Case("lines/m/screening/", lambda w: "/lines/m/screening/", expect=200, absent=_grid_name),
    Case(
        "lines/m/screening/",
        lambda w: "/lines/m/screening/",
        "POST",
        lambda w: {"task": w.objects["screening_b"].pk, "found": "0"},
        multipart=True,
        live_expect=302,
    ),
    Case(
        "lines/m/inspect/<int:pk>/",
        lambda w: f"/lines/m/inspect/{w.objects['inspection_b'].pk}/",
        absent=_shop,
    ),
    Case(
        "lines/m/inspect/<int:pk>/",
        lambda w: f"/lines/m/inspect/{w.objects['inspection_b'].pk}/",
        "POST",
        lambda w: {f"item_{i.pk}": "pass" for i in w.objects["plan"].current_items()},
        multipart=True,
        live_expect=302,
    ),
    # API
    Case("api/v1/disputes", lambda w: "/api/v1/disputes", expect=200, absent=_texts),
    Case(
        "api/v1/disputes",
        lambda w: "/api/v1/disputes",
        "POST",
        _new_dispute,
        expect=403,
        live_expect=201,
    ),
    Case(
        "api/v1/disputes/board", lambda w: "/api/v1/disputes/board", expect=200, leaks=_board_leaks
    ),
    Case("api/v1/disputes/<dispute_id>", _d, absent=_texts),
    Case(
        "api/v1/disputes/<dispute_id>/sessions",
        lambda w: f"/api/v1/disputes/{w.objects['open_b'].pk}/sessions",
        "POST",
        lambda w: {"held_on": str(days(0)), "participants": "甲", "record": "谈话"},
        live_expect=201,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/agreement",
        lambda w: f"{_d(w)}/agreement",
        "POST",
        lambda w: {"text": "协议条款"},
        live_expect=200,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/agreement.pdf",
        lambda w: f"{_d(w)}/agreement.pdf",
    ),
    Case(
        "api/v1/disputes/<dispute_id>/signed",
        lambda w: f"{_d(w)}/signed",
        "POST",
        lambda w: {"scan": SimpleUploadedFile("s.pdf", b"%PDF-1.4 scan", "application/pdf")},
        multipart=True,
        live_expect=200,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/follow-ups",
        lambda w: f"{_d(w)}/follow-ups",
        "POST",
        lambda w: {"visited_on": str(days(1)), "note": "回访"},
        live_expect=400,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/court",
        lambda w: f"{_d(w)}/court",
        "POST",
        lambda w: {"applied_on": str(days(1))},
        live_expect=400,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/referrals",
        lambda w: f"/api/v1/disputes/{w.objects['open_b'].pk}/referrals",
        "POST",
        lambda w: {"body": "police"},
        live_expect=201,
    ),
    Case(
        "api/v1/disputes/referrals/<referral_id>/outcome",
        lambda w: f"/api/v1/disputes/referrals/{w.objects['referral_b'].pk}/outcome",
        "POST",
        lambda w: {"accepted_on": str(days(0)), "outcome": "已受理"},
        live_expect=200,
    ),
    Case(
        "api/v1/disputes/<dispute_id>/close",
        lambda w: f"/api/v1/disputes/{w.objects['open_b'].pk}/close",
        "POST",
        lambda w: {"success": False, "note": "撤回"},
        live_expect=200,
    ),
    Case("api/v1/screenings", lambda w: "/api/v1/screenings", expect=200, absent=_grid),
    Case(
        "api/v1/screenings/<task_id>",
        lambda w: f"/api/v1/screenings/{w.objects['screening_b'].pk}",
        "POST",
        lambda w: {"found": False},
        live_expect=200,
    ),
    Case(
        "api/v1/inspection-plans",
        lambda w: "/api/v1/inspection-plans",
        expect=200,
        not_live="the checklists are the same for every area (no area's data in them)",
    ),
    Case(
        "api/v1/inspections",
        lambda w: "/api/v1/inspections",
        "POST",
        _inspection,
        live_expect=201,
    ),
    Case("api/v1/hazards", lambda w: "/api/v1/hazards", expect=200, absent=_grid),
    Case("api/v1/hazards/<hazard_id>", _h, absent=_grid),
    Case("api/v1/hazards/<hazard_id>/notice.pdf", lambda w: f"{_h(w)}/notice.pdf"),
    Case(
        "api/v1/hazards/<hazard_id>/reinspect",
        lambda w: f"{_h(w)}/reinspect",
        "POST",
        lambda w: {"rectified": True, "proof_base64": PHOTO},
        live_expect=200,
    ),
    Case(
        "api/v1/hazards/<hazard_id>/supervision",
        lambda w: f"{_h(w)}/supervision",
        "POST",
        lambda w: {"level": "street"},
        live_expect=200,
    ),
]
