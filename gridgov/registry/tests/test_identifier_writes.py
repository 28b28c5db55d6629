"""A write that finds an existing record by its identifier (ID number, credit code, building or
house code) never updates, moves or returns one outside the writer's scope — through the API,
the pages or the imports. (Transfer requests themselves: test_transfers.py.)"""

import json

from gridgov.registry import importing
from gridgov.registry.models import Building, Organization, Person
from gridgov.registry.tests.conftest import ID_A

HEADER = "姓名,公民身份号码,联系电话,人口类型,房屋编码,居住关系,入住日期,民族\n"


def _zhang_is_untouched(homes) -> None:
    zhang = Person.objects.get(pk=homes["person_a"].pk)
    assert (zhang.name, zhang.phone, zhang.area_code) == ("张三", "13800001111", "41010500100101")
    assert zhang.current_house == homes["house_a"]


def test_api_a_new_person_with_an_id_held_elsewhere_is_not_updated_or_moved(
    homes, users, client_for
):
    answer = client_for(users["op_b"]).post(
        "/api/v1/people",
        json.dumps(
            {
                "name": "冒名者",
                "id_number": ID_A,
                "phone": "13700007777",
                "registration": "floating",
                "house_code": "B-B-1-1-2-202",
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 409
    body = json.loads(answer.content)
    assert "张三" not in json.dumps(body, ensure_ascii=False)
    _zhang_is_untouched(homes)
    # Liveness: the holder's own write by the same identifier does update the record.
    mine = client_for(users["op_a"]).post(
        "/api/v1/people",
        json.dumps({"name": "张三", "id_number": ID_A, "phone": "13800002222"}),
        content_type="application/json",
    )
    assert mine.status_code == 200
    assert json.loads(mine.content)["person"]["id"] == homes["person_a"].pk


def test_page_a_new_organization_with_a_credit_code_held_elsewhere(homes, users, client_for):
    org = homes["org_b"]
    page = client_for(users["op_a"]).post(
        "/registry/organizations/new/",
        {
            "name": "甲街道冒名公司",
            "credit_code": org.credit_code,
            "kind": "enterprise",
            "lon": "113.605",
            "lat": "34.7175",
        },
    )
    assert page.status_code == 200 and page.context["form"].errors
    org.refresh_from_db()
    assert (org.name, org.area_code[:9]) == ("乙街道商贸公司", "410105002")


def test_import_rows_held_elsewhere_are_reported_in_the_dry_run_and_never_applied(
    homes, users, english
):
    row = f"冒名者,{ID_A},13700007777,流动人口,B-B-1-1-2-202,居住,2021-03-01,汉族"
    data = (HEADER + row + "\n").encode()
    dry = importing.check("people", data, "p.csv", actor=users["op_b"])
    assert dry.good_count == 0
    assert [(e.row, e.column) for e in dry.errors] == [(2, "公民身份号码")]
    report = importing.commit("people", data, "p.csv", actor=users["op_b"])
    assert (report.created, report.updated, report.bad_rows) == (0, 0, 1)
    _zhang_is_untouched(homes)


def test_import_organizations_buildings_and_houses_held_elsewhere(homes, users, english):
    credit = homes["org_b"].credit_code
    o = f"单位名称,统一社会信用代码,单位类型,经度,纬度\n改名,{credit},企业,113.605,34.7175\n"
    dry = importing.check("organizations", o.encode(), "o.csv", actor=users["op_a"])
    assert [(e.row, e.column) for e in dry.errors] == [(2, "统一社会信用代码")]
    report = importing.commit("organizations", o.encode(), "o.csv", actor=users["op_a"])
    assert (report.created, report.updated, report.bad_rows) == (0, 0, 1)
    assert Organization.objects.get(pk=homes["org_b"].pk).name == "乙街道商贸公司"
    b = (
        "楼栋编码,楼栋名称,标准地址,经度,纬度,用途,单元数,层数,每层户数\n"
        "B-A-1,抢来的楼,花园路,113.625,34.7175,住宅,1,2,2\n"
    )
    dry = importing.check("buildings", b.encode(), "b.csv", actor=users["op_b"])
    assert [(e.row, e.column) for e in dry.errors] == [(2, "楼栋编码")]
    report = importing.commit("buildings", b.encode(), "b.csv", actor=users["op_b"])
    assert (report.created, report.updated, report.bad_rows) == (0, 0, 1)
    building = Building.objects.get(code="B-A-1")
    assert (building.name, building.area_code[:9]) == ("经八小区1号楼", "410105001")
