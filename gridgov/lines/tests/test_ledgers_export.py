"""The ledgers as Excel files (rented houses, foreigners, screenings): decoded with openpyxl,
filtered as the list is, street B's rows absent for street A and present for the
administrator, names masked, areas by name, times in local time, the access log written."""

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from gridgov.accounts.permissions import Role
from gridgov.areas.models import Area
from gridgov.areas.testing import STREET_A
from gridgov.audit.models import AccessLog
from gridgov.conftest import make_user
from gridgov.lines.models import ScreeningTask
from gridgov.lines.services import disputes, rentals
from gridgov.lines.tests import populations_world as pw

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(tree, users):
    found = pw.build(users, prefix="LX")
    users["fa_a"] = make_user("fa_a", Role.DISTRICT_OPERATOR, [STREET_A])
    return found


def _sheet(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def _column(rows: list[list], header: str) -> list:
    at = rows[0].index(header)
    return [r[at] for r in rows[1:]]


def test_the_rentals_ledger(world, users, client_for):
    rentals.check_police_registration(
        world["tenant_a"], actor=users["admin"], registered_on=datetime.date(2026, 11, 3)
    )
    rows = _sheet(client_for(users["op_a"]).get("/lines/rentals/export.xlsx"))
    assert rows[0][:3] == ["房屋", "楼栋", "房东"] and rows[0][-3:] == ["街道", "社区", "网格"]
    assert _column(rows, "房屋") == [world["house_a"].code]  # street B's house is absent
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["房东"] == pw.NAME_A[0] + "**" and row["风险颜色"] == "绿色"
    assert row["在住租客人数"] == 1 and "2026-11-03" in row["承租人"] and "甲**" in row["承租人"]
    grid = Area.objects.get(code=world["rental_a"].area_code)
    assert row["网格"] == grid.name and row["街道"]
    assert AccessLog.objects.filter(subject_type="lines.rentalhouse", purpose="export").exists()
    # the administrator gets both streets; a filter of the page narrows the file
    admin = client_for(users["admin"])
    both = _column(_sheet(admin.get("/lines/rentals/export.xlsx")), "房屋")
    assert set(both) == {world["house_a"].code, world["house_b"].code}
    only_b = admin.get("/lines/rentals/export.xlsx", {"q": world["house_b"].code})
    assert _column(_sheet(only_b), "房屋") == [world["house_b"].code]
    # bad input is a clear 4xx; a grid member may not export
    assert admin.get("/lines/rentals/export.pdf").status_code == 404
    assert admin.get("/lines/rentals/export.xlsx", {"colour": "purple"}).status_code == 400
    assert client_for(users["member_a"]).get("/lines/rentals/export.xlsx").status_code == 403


def test_the_foreigners_ledger(world, users, client_for):
    stay = world["stay_a"]
    rentals.register_stay(stay, actor=users["admin"])
    stay.refresh_from_db()
    rows = _sheet(client_for(users["fa_a"]).get("/lines/foreigners/export.xlsx"))
    assert _column(rows, "国籍") == ["Freedonia"]  # street B's Ruritanian is absent
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["姓名"] == "甲**"
    assert row["入住时间"] == stay.arrived_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M")
    assert row["签证或居留许可到期日"] == stay.visa_expiry.isoformat() and row["剩余天数"] == 90
    admin = client_for(users["admin"])
    assert set(_column(_sheet(admin.get("/lines/foreigners/export.xlsx")), "国籍")) == {
        "Freedonia",
        pw.NATION_B,
    }
    narrowed = admin.get("/lines/foreigners/export.xlsx", {"nationality": "Ruri"})
    assert _column(_sheet(narrowed), "国籍") == [pw.NATION_B]
    # the foreign-affairs right is needed
    assert client_for(users["member_a"]).get("/lines/foreigners/export.xlsx").status_code == 403


def test_the_screenings_ledger(world, users, client_for):
    disputes.create_screenings(actor=users["admin"], month=datetime.date(2026, 11, 1))
    grid_a = users["member_a"].scope_codes[0]
    task = ScreeningTask.objects.get(area_code=grid_a)
    disputes.complete_screening(task, actor=users["member_a"], found=False, note="本月无纠纷")
    task.refresh_from_db()
    desk = client_for(users["op_a"])
    rows = _sheet(desk.get("/lines/screenings/export.xlsx", {"state": "none"}))
    assert rows[0] == ["月份", "街道", "社区", "网格", "排查结果", "排查人", "排查时间", "备注"]
    assert rows[1:] == [
        [
            "2026-11",
            *rows[1][1:3],
            Area.objects.get(code=grid_a).name,
            "未发现",
            users["member_a"].display_name,
            task.done_at.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
            "本月无纠纷",
        ]
    ]
    every = _sheet(desk.get("/lines/screenings/export.xlsx"))
    b_grids = set(Area.objects.filter(code__startswith="410105002").values_list("name", flat=True))
    assert not b_grids & set(_column(every, "网格"))  # street B's grids are absent
    admin_rows = _sheet(client_for(users["admin"]).get("/lines/screenings/export.xlsx"))
    assert b_grids & set(_column(admin_rows, "网格"))
