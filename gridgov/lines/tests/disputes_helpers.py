"""Shared makers of the disputes and hazards tests (and their scope cases)."""

import datetime

from gridgov.lines.models import InspectionPlan, ItemResult
from gridgov.lines.services import disputes as ds
from gridgov.lines.services import hazards as hs
from gridgov.registry import services as registry

POINT_A = (113.605, 34.7175)  # grid 41010500100101
POINT_B = (113.625, 34.7175)  # grid 41010500200101
PHOTO = b"\xff\xd8\xff\xe0 fake jpeg"


def shop(actor, name: str, point=POINT_A):
    org, _held = registry.save_organization(
        {
            "name": name,
            "kind": "shop",
            "legal_representative": "王店主",
            "lon": point[0],
            "lat": point[1],
        },
        actor=actor,
    )
    return org


def plan(admin) -> InspectionPlan:
    return hs.save_plan(
        actor=admin,
        name="九小场所消防检查",
        place_type="nine_small",
        items=[("灭火器在有效期内", False), ("安全出口畅通", True), ("电动车不在室内充电", False)],
        interval_days=90,
    )


def dispute(actor, title: str, area_code: str, risk: str = "low", parties: int = 2):
    names = ["张三", "李四", "王五", "赵六", "钱七", "孙八"]
    return ds.register_dispute(
        ds.DisputeInput(
            kind="neighbourhood",
            title=title,
            area_code=area_code,
            risk=risk,
            source="patrol",
            description="楼上漏水，双方协商未果。",
            place="1号楼",
            mediation_body="人民调解委员会",
            parties=[
                ds.PartyInput(name=names[i], role="applicant" if i == 0 else "respondent")
                for i in range(parties)
            ],
        ),
        actor=actor,
    )


def inspect(actor, the_plan, org, fail: str = "安全出口畅通"):
    results = [
        hs.ResultInput(
            item_id=i.pk,
            result=ItemResult.FAIL if i.text == fail else ItemResult.PASS,
            note="安全出口堆放杂物" if i.text == fail else "",
            photo=PHOTO if i.text == fail else b"",
        )
        for i in the_plan.current_items()
    ]
    return hs.record_inspection(actor=actor, plan=the_plan, organization=org, results=results)


def days(n: int) -> datetime.date:
    from django.utils import timezone

    return timezone.localdate() + datetime.timedelta(days=n)
