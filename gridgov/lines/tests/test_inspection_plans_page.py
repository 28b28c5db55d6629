"""The administrators' inspection-plan pages: a plan and its checklist made and changed on the
page, items taken off retired when inspections answered them, refusals for everyone else."""

import pytest

from gridgov.audit.models import ChangeLog
from gridgov.lines.models import ChecklistItem, InspectionPlan
from gridgov.lines.services import hazards as hs
from gridgov.lines.tests.disputes_helpers import inspect, plan, shop

pytestmark = pytest.mark.django_db

NEW = {
    "name": "燃气用户安全检查",
    "place_type": "gas",
    "organization_kind": "shop",
    "interval_days": "30",
    "active": "on",
    "items": "燃气报警器有效\n* 软管无老化破损\n\n！  阀门可正常关闭\n",
}


def test_an_administrator_makes_a_plan_with_its_checklist_on_the_page(client_for, users):
    client = client_for(users["admin"])
    answer = client.post("/lines/hazards/plans/new/", NEW)
    assert answer.status_code == 302 and answer["Location"] == "/lines/hazards/plans/"
    made = InspectionPlan.objects.get(name="燃气用户安全检查")
    assert (made.place_type, made.interval_days, made.active) == ("gas", 30, True)
    items = [(i.text, i.major) for i in made.current_items()]
    assert items == [("燃气报警器有效", False), ("软管无老化破损", True), ("阀门可正常关闭", True)]
    log = ChangeLog.objects.get(object_type="lines.inspectionplan", object_id=str(made.pk))
    assert log.after["items"][1] == ["软管无老化破损", True] and log.before is None

    listing = client.get("/lines/hazards/plans/")
    assert listing.status_code == 200
    rows = listing.context["plans"]
    # (the rental-housing plan of the installation aside)
    assert [(p.name, p.item_count) for p in rows if p.place_type != "rental"] == [
        ("燃气用户安全检查", 3)
    ]
    edit = client.get(f"/lines/hazards/plans/{made.pk}/")
    assert (
        edit.context["form"].initial["items"]
        == "燃气报警器有效\n* 软管无老化破损\n* 阀门可正常关闭"
    )


def test_an_item_taken_off_is_retired_when_answered_and_deleted_when_not(client_for, users):
    the_plan = plan(users["admin"])  # 灭火器在有效期内 / 安全出口畅通 (major) / 电动车不在室内充电
    inspect(users["op_a"], the_plan, shop(users["op_a"], "五金店"))
    answered = the_plan.current_items().get(text="安全出口畅通")
    client = client_for(users["admin"])
    answer = client.post(
        f"/lines/hazards/plans/{the_plan.pk}/",
        {
            "name": the_plan.name,
            "place_type": "nine_small",
            "organization_kind": "shop",
            "interval_days": "60",
            "items": "灭火器在有效期内\n* 疏散指示标志完好",
        },
    )
    assert answer.status_code == 302
    the_plan.refresh_from_db()
    assert (the_plan.interval_days, the_plan.active) == (60, False)  # unticked: paused
    assert [i.text for i in the_plan.current_items()] == ["灭火器在有效期内", "疏散指示标志完好"]
    # Every item was answered by the inspection: the two taken off stay, retired.
    assert ChecklistItem.objects.get(pk=answered.pk).retired
    assert the_plan.items.filter(retired=True).count() == 2
    # The next inspection answers the current checklist only; the API lists only it.
    api = client.get("/api/v1/inspection-plans")
    assert api.status_code == 200
    assert [p for p in api.json() if p["place_type"] != "rental"] == []  # paused: not offered
    hs.save_plan(
        actor=users["admin"],
        plan=the_plan,
        name=the_plan.name,
        place_type="nine_small",
        items=[("灭火器在有效期内", False), ("疏散指示标志完好", True), ("新增一项", False)],
        interval_days=60,
    )
    (listed,) = [p for p in client.get("/api/v1/inspection-plans").json() if p["id"] == the_plan.pk]
    assert [i["text"] for i in listed["items"]] == [
        "灭火器在有效期内",
        "疏散指示标志完好",
        "新增一项",
    ]
    # An item never answered is deleted when taken off.
    hs.save_plan(
        actor=users["admin"],
        plan=the_plan,
        name=the_plan.name,
        place_type="nine_small",
        items=[("灭火器在有效期内", False), ("疏散指示标志完好", True)],
    )
    assert not ChecklistItem.objects.filter(text="新增一项").exists()
    later = inspect(users["op_a"], the_plan, shop(users["op_a"], "理发店"))
    assert later.results.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"interval_days": "abc"},
        {"interval_days": "0"},
        {"items": "\n  \n"},
        {"items": "同一项\n* 同一项"},
        {"place_type": "moon"},
        {"items": "长" * 201},
        {"name": ""},
    ],
)
def test_bad_input_is_refused_with_a_400_and_nothing_is_saved(client_for, users, change):
    client = client_for(users["admin"])
    answer = client.post("/lines/hazards/plans/new/", NEW | change)
    assert answer.status_code == 400
    assert answer.context["form"].errors
    assert not InspectionPlan.objects.exclude(place_type="rental").exists()


def test_only_those_with_the_settings_right_open_or_change_plans(client_for, users):
    the_plan = plan(users["admin"])
    for name in ("op_a", "member_a", "leader"):
        client = client_for(users[name])
        assert client.get("/lines/hazards/plans/").status_code == 403
        assert client.get(f"/lines/hazards/plans/{the_plan.pk}/").status_code == 403
        refused = client.post(f"/lines/hazards/plans/{the_plan.pk}/", NEW)
        assert refused.status_code == 403
        assert client.post("/lines/hazards/plans/new/", NEW).status_code == 403
    the_plan.refresh_from_db()
    assert (
        the_plan.name == "九小场所消防检查"
        and InspectionPlan.objects.exclude(place_type="rental").count() == 1
    )
    # Live: the administrator opens the same pages, and the same change goes through.
    client = client_for(users["admin"])
    assert client.get("/lines/hazards/plans/").status_code == 200
    assert client.get(f"/lines/hazards/plans/{the_plan.pk}/").status_code == 200
    assert client.post(f"/lines/hazards/plans/{the_plan.pk}/", NEW).status_code == 302
    the_plan.refresh_from_db()
    assert the_plan.name == "燃气用户安全检查"


@pytest.mark.browser
@pytest.mark.slow
def test_an_administrator_writes_a_checklist_in_the_browser(live_server, users, browser_page):
    from gridgov.conftest import browser_login, screenshot

    page = browser_page
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, live_server.url, "admin", "pw-admin")
    page.goto(f"{live_server.url}/lines/hazards/")
    page.click("main a[href='/lines/hazards/plans/']")  # the section tab
    page.click("a[href='/lines/hazards/plans/new/']")
    page.fill("input[name=name]", "自建房安全排查")
    page.select_option("select[name=place_type]", "self_built")
    page.select_option("select[name=organization_kind]", "other")
    page.fill("input[name=interval_days]", "180")
    page.fill(
        "textarea[name=items]", "房屋无明显裂缝、倾斜\n* 未擅自加层或改变承重结构\n消防通道畅通"
    )
    screenshot(page, "inspection-plan-edit")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("table.table tbody tr[data-id]")
    screenshot(page, "inspection-plans")
    # (beside the rental-housing plan the installation starts with)
    row = page.locator("table.table tbody tr[data-id]", has_text="自建房安全排查").inner_text()
    cells = row.split("\t")
    assert cells[:4] == ["自建房安全排查", "自建房", "其他", "180"], cells
    made = InspectionPlan.objects.get(name="自建房安全排查")
    assert [(i.text, i.major) for i in made.current_items()] == [
        ("房屋无明显裂缝、倾斜", False),
        ("未擅自加层或改变承重结构", True),
        ("消防通道畅通", False),
    ]
