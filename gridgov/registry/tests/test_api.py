"""Every registry route of /api/v1: status codes and payloads (scope is in the scope matrix)."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.services import issue_token
from gridgov.audit.models import AccessLog, ChangeLog
from gridgov.registry import queries, services
from gridgov.registry.identity import check_digit, mask_id
from gridgov.registry.models import House, Person
from gridgov.registry.tests.conftest import ID_A, ID_B, ID_C, POINT_A, POINT_B

ID_D = "41010519900307123" + check_digit("41010519900307123")
BAD_ID = ID_D[:-1] + "0"


def post(client, url, body, method="post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


def band_of(birth: datetime.date) -> str:
    age = queries._age(birth)
    return next(name for name, low, high in queries.AGE_BANDS if low <= age <= high)


# ---------------------------------------------------------------------------------------------
# people


def test_people_list_is_masked_and_pages_by_keyset(homes, users, client_for):
    client = client_for(users["district"])
    first = client.get("/api/v1/people?limit=1")
    assert first.status_code == 200
    page = first.json()
    assert (page["count"], page["count_capped"]) == (2, False)
    (zhang,) = page["items"]
    assert zhang == {
        "id": homes["person_a"].pk,
        "name": "张三",
        "id_number": mask_id(ID_A),
        "other_id": "",
        "phone": "138****1111",
        "sex": "F",
        "birth_date": "1949-12-31",
        "age": queries._age(datetime.date(1949, 12, 31)),
        "registration": "registered",
        "area_code": "41010500100101",
    }
    assert page["next"] == f"41010500100101:{homes['person_a'].pk}"
    second = client.get("/api/v1/people", {"limit": 1, "after": page["next"]}).json()
    assert [p["name"] for p in second["items"]] == ["李四"] and second["next"] == ""
    assert second["items"][0]["id_number"] == mask_id(ID_B)
    assert client.get("/api/v1/people", {"after": "garbage"}).json()["count"] == 2
    body = client.get("/api/v1/people?limit=50").content.decode()
    assert ID_A not in body and ID_B not in body and "13800001111" not in body


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("area=410105001", ["张三"]),
        ("area=410105002", ["李四"]),
        ("registration=floating", ["李四"]),
        ("sex=F", ["张三"]),
        ("q=李", ["李四"]),
        (f"q={ID_A}", ["张三"]),
        (f"q={ID_A[-6:]}", []),  # sealed: the end of a number no longer matches
        ("q=139-0000-2222", ["李四"]),  # a whole phone number, through its blind index
        ("foreigners=true", []),
    ],
)
def test_people_list_filters(homes, users, client_for, query, names):
    items = client_for(users["district"]).get(f"/api/v1/people?{query}").json()["items"]
    assert [p["name"] for p in items] == names


def test_people_list_by_age_and_tag(homes, users, client_for):
    services.tag_key_population(homes["person_b"], actor=users["district"], category="petitioner")
    client = client_for(users["district"])
    age = band_of(homes["person_b"].birth_date)
    assert [p["name"] for p in client.get(f"/api/v1/people?age={age}").json()["items"]] == ["李四"]
    assert [p["name"] for p in client.get("/api/v1/people?tag=petitioner").json()["items"]] == [
        "李四"
    ]
    # A grid member lacks the key-population right: the tag filter is ignored, not leaked.
    member = client_for(users["member_a"]).get("/api/v1/people?tag=petitioner").json()
    assert [p["name"] for p in member["items"]] == ["张三"]


@pytest.mark.parametrize("limit", [0, 501, "many"])
def test_people_list_refuses_a_bad_limit(homes, users, client_for, limit):
    answer = client_for(users["op_a"]).get(f"/api/v1/people?limit={limit}")
    assert answer.status_code == 422 and answer.json()["code"] == "invalid"


def test_create_then_the_same_id_updates(homes, users, client_for):
    client = client_for(users["op_a"])
    body = {
        "name": "王五",
        "id_number": ID_C,
        "phone": "13700003333",
        "registration": "floating",
        "house_code": "B-A-1-2-2-201",
    }
    first = post(client, "/api/v1/people", body)
    assert first.status_code == 201
    made = first.json()
    assert made["created"] is True
    assert made["person"]["id_number"] == mask_id(ID_C) and made["person"]["phone"] == "137****3333"
    assert (made["person"]["sex"], made["person"]["birth_date"]) == ("F", "2005-06-15")
    assert made["person"]["area_code"] == "41010500100101"
    again = post(client, "/api/v1/people", {**body, "name": "王五五", "phone": "13700004444"})
    assert again.status_code == 200
    assert again.json()["created"] is False and again.json()["person"]["id"] == made["person"]["id"]
    assert Person.objects.filter(id_number=ID_C).count() == 1
    assert Person.objects.get(id_number=ID_C).name == "王五五"
    # Without an ID number, another identifier finds the one record the same way.
    baby = {
        "name": "新生儿",
        "other_id_type": "birth",
        "other_id": "Q410100123",
        "house_code": "B-A-1-2-2-201",
    }
    assert post(client, "/api/v1/people", baby).status_code == 201
    assert post(client, "/api/v1/people", baby).status_code == 200


@pytest.mark.parametrize(
    ("body", "status", "field", "message"),
    [
        ({"name": "赵六", "id_number": BAD_ID}, 400, "id_number", "身份证号码校验位错误"),
        ({"name": "赵六", "id_number": "12345"}, 400, "id_number", "18 位"),
        ({"name": "赵六"}, 400, "id_number", "请填写身份证号码"),
        ({"name": "赵六", "id_number": ID_D, "registration": "martian"}, 422, "registration", ""),
        ({"name": "赵六", "id_number": ID_D, "phone": "call me"}, 400, "phone", ""),
        ({"name": "赵六", "id_number": ID_D, "house_code": "NO-SUCH"}, 400, "house_code", ""),
        ({"id_number": ID_D}, 422, "name", ""),
        ({"name": "赵" * 51, "id_number": ID_D}, 422, "name", ""),
        ({"name": "赵六", "visa_expiry": "tomorrow"}, 422, "visa_expiry", ""),
    ],
)
def test_bad_people_get_a_4xx_with_a_message(
    homes, users, client_for, body, status, field, message
):
    body.setdefault("house_code", "B-A-1-2-2-201")
    answer = post(client_for(users["op_a"]), "/api/v1/people", body)
    assert answer.status_code == status
    error = answer.json()
    assert error["code"] == "invalid" and error["message"]
    assert message in error["message"]
    if status == 400:
        assert field in error["details"]
    else:
        assert field in {d["field"] for d in error["details"]}
    assert not Person.objects.filter(id_number=ID_D).exists()


@pytest.mark.parametrize("raw", ["{", "not json", '{"name": "赵六",}', ""])
def test_malformed_json_is_a_400_not_a_500(homes, users, client_for, raw):
    answer = client_for(users["op_a"]).post("/api/v1/people", raw, content_type="application/json")
    assert answer.status_code in (400, 422)
    assert answer.json()["message"]


def test_malformed_json_says_so(homes, users, client_for):
    answer = client_for(users["op_a"]).post("/api/v1/people", "{", content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {
        "code": "malformed",
        "message": "请求体不是有效的 JSON。",
        "details": None,
    }


def test_get_one_person(homes, users, client_for):
    client = client_for(users["op_a"])
    person = client.get(f"/api/v1/people/{homes['person_a'].pk}")
    assert person.status_code == 200
    assert person.json()["id_number"] == mask_id(ID_A) and person.json()["name"] == "张三"
    assert client.get("/api/v1/people/999999").status_code == 404
    assert client.get("/api/v1/people/999999").json()["code"] == "not_found"
    assert client.get("/api/v1/people/abc").status_code == 422


def test_patch_changes_only_what_it_names(homes, users, client_for):
    client = client_for(users["op_a"])
    url = f"/api/v1/people/{homes['person_a'].pk}"
    answer = post(client, url, {"name": "张三丰"}, method="patch")
    assert answer.status_code == 200
    assert answer.json()["name"] == "张三丰" and answer.json()["id_number"] == mask_id(ID_A)
    person = Person.objects.get(pk=homes["person_a"].pk)
    assert (person.name, person.id_number, person.phone, person.registration) == (
        "张三丰",
        ID_A,
        "13800001111",
        "registered",
    )
    phone = post(client, url, {"phone": "13911112222"}, method="patch")
    assert phone.status_code == 200 and phone.json()["phone"] == "139****2222"
    assert Person.objects.get(pk=person.pk).name == "张三丰"
    moved = post(client, url, {"house_code": "B-A-1-2-1-101"}, method="patch")
    assert moved.status_code == 200
    assert Person.objects.get(pk=person.pk).current_house.code == "B-A-1-2-1-101"
    nameless = post(client, url, {"name": " "}, method="patch")
    assert nameless.status_code == 400 and "name" in nameless.json()["details"]
    bad = post(client, url, {"name": "张三丰", "id_number": BAD_ID}, method="patch")
    assert bad.status_code == 400 and "校验位" in bad.json()["message"]
    # Another record's ID number: merge instead.
    services.save_person(
        {"name": "王五", "id_number": ID_C, "registration": "registered"},
        actor=users["op_a"],
        house=homes["house_a"],
    )
    taken = post(client, url, {"name": "张三丰", "id_number": ID_C}, method="patch")
    assert taken.status_code == 400 and "合并" in taken.json()["message"]
    leader = post(client_for(users["leader"]), url, {"name": "x"}, method="patch")
    assert leader.status_code == 404  # the leader may read, not change


def test_reveal_needs_a_reason_and_is_logged(homes, users, client_for):
    client = client_for(users["op_a"])
    person = homes["person_a"]
    url = f"/api/v1/people/{person.pk}/reveal"
    assert post(client, url, {}).status_code == 422
    assert post(client, url, {"reason": "x"}).status_code == 422  # too short to be a reason
    blank = post(client, url, {"reason": "   "})
    assert blank.status_code == 400 and blank.json()["message"] == "请说明查看完整信息的原因。"
    assert not AccessLog.objects.exists()
    answer = post(client, url, {"reason": "核实租户身份"})
    assert answer.status_code == 200
    assert answer.json() == {"id_number": ID_A, "phone": "13800001111", "other_id": ""}
    log = AccessLog.objects.get()
    assert (log.actor, log.reason, log.subject_id, log.purpose, log.area_code) == (
        users["op_a"],
        "核实租户身份",
        str(person.pk),
        "view",
        person.area_code,
    )
    refused = post(client_for(users["leader"]), url, {"reason": "看看而已"})
    assert refused.status_code == 403 and refused.json()["message"] == "您无权查看此人的完整信息。"
    assert AccessLog.objects.count() == 1


def test_merge_over_the_api(homes, users, client_for):
    client = client_for(users["op_a"])
    keep = homes["person_a"]
    dup, _ = services.save_person(
        {
            "name": "张三",
            "other_id_type": "other",
            "other_id": "TMP-1",
            "phone": "13700000000",
            "registration": "registered",
        },
        actor=users["op_a"],
        house=homes["house_a"],
    )
    url = f"/api/v1/people/{keep.pk}/merge"
    assert client.get("/api/v1/people").json()["count"] == 2
    answer = post(client, url, {"duplicate": dup.pk})
    assert answer.status_code == 200 and answer.json()["id"] == keep.pk
    assert answer.json()["other_id"] == mask_id("TMP-1")  # the kept record took the identifier
    assert Person.objects.get(pk=dup.pk).merged_into_id == keep.pk
    assert [p["name"] for p in client.get("/api/v1/people").json()["items"]] == ["张三"]
    assert ChangeLog.objects.filter(action="merge").count() == 2
    same = post(client, url, {"duplicate": keep.pk})
    assert same.status_code == 400 and same.json()["message"] == "请选择两条不同的记录。"
    other, _ = services.save_person(
        {"name": "王五", "id_number": ID_C, "registration": "registered"},
        actor=users["op_a"],
        house=homes["house_a"],
    )
    assert post(client, url, {"duplicate": other.pk}).status_code == 400  # two ID numbers
    assert post(client, url, {"duplicate": 999999}).status_code == 404
    assert post(client, url, {}).status_code == 422
    assert post(client_for(users["leader"]), url, {"duplicate": other.pk}).status_code == 404


# ---------------------------------------------------------------------------------------------
# buildings, houses, organizations, places


def test_buildings_list(homes, users, client_for):
    op = client_for(users["op_a"]).get("/api/v1/buildings")
    assert op.status_code == 200
    (building,) = op.json()
    assert building == {
        "id": homes["building_a"].pk,
        "code": "B-A-1",
        "name": "经八小区1号楼",
        "address": "经八路1号院1号楼",
        "use": "residential",
        "units": 2,
        "floors": 3,
        "lon": POINT_A[0],
        "lat": POINT_A[1],
        "area_code": "41010500100101",
    }
    district = client_for(users["district"])
    assert [b["code"] for b in district.get("/api/v1/buildings").json()] == ["B-A-1", "B-B-1"]
    assert [b["code"] for b in district.get("/api/v1/buildings?area=410105002").json()] == ["B-B-1"]
    assert [b["code"] for b in district.get("/api/v1/buildings?limit=1&offset=1").json()] == [
        "B-B-1"
    ]
    assert district.get("/api/v1/buildings?limit=0").status_code == 422
    assert district.get("/api/v1/buildings?offset=-1").status_code == 422


def test_building_table_json(homes, users, client_for):
    house = homes["house_a"]
    services.update_house(house, actor=users["op_a"], state="rented")
    services.tag_key_population(homes["person_a"], actor=users["op_a"], category="elderly_alone")
    foreigner, _ = services.save_person(
        {
            "name": "John Smith",
            "other_id_type": "passport",
            "other_id": "E12345678",
            "registration": "overseas",
            "nationality": "GBR",
        },
        actor=users["op_a"],
        house=House.objects.get(code="B-A-1-2-1-102"),
    )
    url = f"/api/v1/buildings/{homes['building_a'].pk}/table"
    table = client_for(users["op_a"]).get(url)
    assert table.status_code == 200
    units = table.json()
    assert [u["unit"] for u in units] == [1, 2]
    assert [f["floor"] for f in units[0]["floors"]] == [3, 2, 1]  # from the top down
    assert [r["room"] for r in units[0]["floors"][0]["rooms"]] == ["301", "302"]
    room = units[0]["floors"][0]["rooms"][0]
    assert room == {
        "id": house.pk,
        "code": "B-A-1-1-3-301",
        "room": "301",
        "state": "rented",
        "use": "residence",
        "residents": 1,
        "key_population": True,
        "foreigners": False,
    }
    abroad = next(r for r in units[1]["floors"][2]["rooms"] if r["room"] == "102")
    assert (abroad["residents"], abroad["foreigners"], abroad["key_population"]) == (1, True, False)
    assert sum(len(f["rooms"]) for u in units for f in u["floors"]) == 12
    # A grid member sees the table but not who is a key population.
    member = client_for(users["member_a"]).get(url).json()
    assert member[0]["floors"][0]["rooms"][0]["key_population"] is False
    assert client_for(users["op_a"]).get("/api/v1/buildings/999999/table").status_code == 404
    assert foreigner.pk


def test_house_json_lists_residents_masked(homes, users, client_for):
    house = homes["house_a"]
    answer = client_for(users["member_a"]).get(f"/api/v1/houses/{house.pk}")
    assert answer.status_code == 200
    data = answer.json()
    assert (data["code"], data["unit"], data["floor"], data["room"]) == (
        "B-A-1-1-3-301",
        1,
        3,
        "301",
    )
    assert (data["use"], data["state"], data["floor_area"]) == ("residence", "unknown", None)
    assert [p["name"] for p in data["residents"]] == ["张三"]
    assert data["residents"][0]["id_number"] == mask_id(ID_A)
    assert ID_A not in answer.content.decode()
    assert client_for(users["member_a"]).get("/api/v1/houses/999999").status_code == 404


def test_organizations_and_places(homes, users, client_for):
    services.save_organization(
        {"name": "甲街道便民超市", "kind": "shop", "lon": POINT_A[0], "lat": POINT_A[1]},
        actor=users["op_a"],
    )
    district = client_for(users["district"])
    orgs = district.get("/api/v1/organizations").json()
    assert [o["name"] for o in orgs] == ["甲街道便民超市", "乙街道商贸公司"]
    assert orgs[1]["credit_code"] == "91110000600037341L" and orgs[1]["kind"] == "enterprise"
    assert [o["name"] for o in district.get("/api/v1/organizations?kind=shop").json()] == [
        "甲街道便民超市"
    ]
    assert [o["name"] for o in client_for(users["op_a"]).get("/api/v1/organizations").json()] == [
        "甲街道便民超市"
    ]
    places = district.get("/api/v1/places").json()
    assert places == [
        {
            "id": homes["place_b"].pk,
            "name": "乙街道消防栓",
            "kind": "facility",
            "category_code": "C0109",
            "component_code": "",
            "state": "normal",
            "lon": POINT_B[0],
            "lat": POINT_B[1],
            "area_code": "41010500200101",
        }
    ]
    assert district.get("/api/v1/places?kind=camera").json() == []
    assert client_for(users["op_a"]).get("/api/v1/places").json() == []


# ---------------------------------------------------------------------------------------------
# statistics and the map


def _counts(rows: list[dict], key: str) -> dict:
    return {r[key]: r["count"] for r in rows if r["count"]}


def test_stats_per_area_subtree(homes, users, client_for):
    """The fixture: 张三 (woman, registered) in street A, 李四 (man, floating) in street B;
    12 houses in A's building, 4 in B's, all of unknown state; one enterprise in B."""
    zhang, li = band_of(homes["person_a"].birth_date), band_of(homes["person_b"].birth_date)
    district = client_for(users["district"])

    whole = district.get("/api/v1/registry/stats")
    assert whole.status_code == 200
    data = whole.json()
    assert data["area"] == ""
    ages = {r["band"]: (r["male"], r["female"]) for r in data["population_by_age_and_sex"]}
    assert list(ages) == ["0-17", "18-34", "35-59", "60-79", "80+"]
    assert ages[zhang] == (0, 1) and ages[li] == (1, 0)
    assert sum(m + f for m, f in ages.values()) == 2
    assert _counts(data["population_by_registration"], "registration") == {
        "registered": 1,
        "floating": 1,
    }
    assert [r["registration"] for r in data["population_by_registration"]] == [
        "registered",
        "floating",
        "overseas",
        "unregistered",
    ]
    assert data["population_by_registration"][1]["label"] == "流动人口"
    assert _counts(data["houses_by_state"], "state") == {"unknown": 16}
    assert _counts(data["organizations_by_kind"], "kind") == {"enterprise": 1}

    street_a = district.get("/api/v1/registry/stats?area=410105001").json()
    assert _counts(street_a["population_by_registration"], "registration") == {"registered": 1}
    assert _counts(street_a["houses_by_state"], "state") == {"unknown": 12}
    assert _counts(street_a["organizations_by_kind"], "kind") == {}

    street_b = district.get("/api/v1/registry/stats?area=410105002").json()
    assert _counts(street_b["population_by_registration"], "registration") == {"floating": 1}
    assert _counts(street_b["houses_by_state"], "state") == {"unknown": 4}
    assert _counts(street_b["organizations_by_kind"], "kind") == {"enterprise": 1}

    south = district.get("/api/v1/registry/stats?area=410105001002").json()  # nobody lives there
    assert sum(r["count"] for r in south["population_by_registration"]) == 0
    assert sum(r["count"] for r in south["houses_by_state"]) == 0

    # Street A's operator without an area: their scope only.
    services.update_house(homes["house_a"], actor=users["op_a"], state="owner")
    mine = client_for(users["op_a"]).get("/api/v1/registry/stats").json()
    assert _counts(mine["population_by_registration"], "registration") == {"registered": 1}
    assert _counts(mine["houses_by_state"], "state") == {"owner": 1, "unknown": 11}
    assert district.get("/api/v1/registry/stats?area=999").status_code == 404


def test_map_layers(homes, users, client_for):
    district = client_for(users["district"])
    answer = district.get("/api/v1/registry/map.geojson")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/geo+json"
    data = answer.json()
    assert data["type"] == "FeatureCollection"
    assert {f["properties"]["name"]: f["geometry"]["coordinates"] for f in data["features"]} == {
        "经八小区1号楼": list(POINT_A),
        "花园小区1号楼": list(POINT_B),
    }
    assert data["features"][0]["properties"]["kind"] == "residential"
    places = district.get("/api/v1/registry/map.geojson?layer=places").json()["features"]
    assert [(f["properties"]["name"], f["properties"]["kind"]) for f in places] == [
        ("乙街道消防栓", "facility")
    ]
    assert places[0]["properties"]["kind_label"] == "公共设施（部件）"  # the kind in Chinese
    orgs = district.get("/api/v1/registry/map.geojson?layer=organizations").json()["features"]
    assert [(f["properties"]["id"], f["properties"]["kind"]) for f in orgs] == [
        (homes["org_b"].pk, "enterprise")
    ]
    west = district.get("/api/v1/registry/map.geojson?bbox=113.60,34.70,113.62,34.72").json()
    assert [f["properties"]["name"] for f in west["features"]] == ["经八小区1号楼"]
    far = district.get("/api/v1/registry/map.geojson?bbox=100,20,101,21").json()
    assert far["features"] == []
    op = client_for(users["op_a"]).get("/api/v1/registry/map.geojson").json()
    assert [f["properties"]["name"] for f in op["features"]] == ["经八小区1号楼"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("bbox=1,2,3", "bbox"),
        ("bbox=a,b,c,d", "bbox"),
        ("bbox=1,2,3,4,5", "bbox"),
        ("layer=people", "layer"),
    ],
)
def test_map_refuses_a_bad_bbox_or_layer(homes, users, client_for, query, field):
    answer = client_for(users["district"]).get(f"/api/v1/registry/map.geojson?{query}")
    assert answer.status_code == 400
    assert field in answer.json()["details"] and answer.json()["message"]


# ---------------------------------------------------------------------------------------------
# imports and authentication

PEOPLE_CSV = (
    "姓名,公民身份号码,房屋编码,人口类型\n"
    f"赵六,{ID_D},B-A-1-2-3-301,户籍人口\n"
    f"钱七,{BAD_ID},B-A-1-2-3-301,户籍人口\n"
)


def upload(client, data: str, **form):
    return client.post(
        "/api/v1/registry/imports",
        {"file": SimpleUploadedFile("people.csv", data.encode()), "entity": "people", **form},
    )


def test_import_dry_run_then_commit(homes, users, client_for):
    client = client_for(users["op_a"])
    dry = upload(client, PEOPLE_CSV)
    assert dry.status_code == 200
    report = dry.json()
    assert (report["total"], report["good"], report["bad_rows"], report["committed"]) == (
        2,
        1,
        1,
        False,
    )
    assert report["errors"] == [
        {"row": 3, "column": "公民身份号码", "reason": "身份证号码校验位错误：有数字输错。"}
    ]
    assert not Person.objects.filter(id_number=ID_D).exists()
    refused = upload(client, PEOPLE_CSV, commit="true", mode="all")
    assert refused.status_code == 400 and refused.json()["committed"] is False
    assert not Person.objects.filter(id_number=ID_D).exists()
    done = upload(client, PEOPLE_CSV, commit="true", mode="good")
    assert done.status_code == 200
    assert (done.json()["created"], done.json()["bad_rows"], done.json()["committed"]) == (
        1,
        1,
        True,
    )
    assert Person.objects.get(id_number=ID_D).current_house.code == "B-A-1-2-3-301"
    again = upload(client, PEOPLE_CSV, commit="true")
    assert (again.json()["created"], again.json()["updated"]) == (0, 1)


@pytest.mark.parametrize(
    ("form", "data", "message"),
    [
        ({"entity": "cars"}, PEOPLE_CSV, "未知导入类型 cars。"),
        ({"entity": "cars", "commit": "true"}, PEOPLE_CSV, "未知导入类型 cars。"),
        ({"commit": "true", "mode": "some"}, PEOPLE_CSV, "未知导入方式 some。"),
        ({}, "名字\n王\n", "缺少这些列：姓名。请使用模板。"),
        ({}, "", "文件为空"),
    ],
)
def test_bad_imports_get_a_400_with_a_message(homes, users, client_for, form, data, message):
    answer = upload(client_for(users["op_a"]), data, **form)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


def test_import_needs_a_file(homes, users, client_for):
    answer = client_for(users["op_a"]).post("/api/v1/registry/imports", {"entity": "people"})
    assert answer.status_code == 422


def test_registry_api_needs_a_login_and_takes_a_token(homes, users, client):
    assert client.get("/api/v1/people").status_code == 401
    assert client.get("/api/v1/registry/stats").json()["code"] == "unauthenticated"
    token = issue_token(users["op_a"])
    answer = client.get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and [p["name"] for p in answer.json()["items"]] == ["张三"]
