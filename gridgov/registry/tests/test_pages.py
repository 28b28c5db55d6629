"""The registry's pages as a street operator uses them (default language zh-Hans)."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from gridgov.audit.models import AccessLog
from gridgov.jobs.models import Job
from gridgov.jobs.services import run_pending
from gridgov.registry import services
from gridgov.registry.identity import check_digit, mask_id
from gridgov.registry.models import House, Person, Residence
from gridgov.registry.tests.conftest import ID_A, ID_B, ID_C

# Street A, south community (lat below 34.71): another subtree of the same street.
POINT_A_SOUTH = (113.605, 34.705)
ID_D = "41010519900307123" + check_digit("41010519900307123")  # a man born 1990
BAD_ID = ID_D[:-1] + "0"  # one character mistyped: the check digit no longer fits


@pytest.fixture
def street(homes, users):
    """The fixture's homes plus, in street A's south community, a building with a floating
    resident (王五, born 2005), and 张三 tagged as an elderly person living alone."""
    south = services.save_building(
        {
            "code": "B-A-2",
            "name": "经八南苑2号楼",
            "address": "经八路2号院2号楼",
            "units": 1,
            "floors": 2,
            "rooms_per_floor": 2,
            "lon": POINT_A_SOUTH[0],
            "lat": POINT_A_SOUTH[1],
        },
        actor=users["admin"],
    )
    services.generate_houses(south, actor=users["admin"])
    house_s = House.objects.get(code="B-A-2-1-1-101")
    wang, _ = services.save_person(
        {"name": "王五", "id_number": ID_C, "phone": "13700003333", "registration": "floating"},
        actor=users["admin"],
        house=house_s,
    )
    services.tag_key_population(homes["person_a"], actor=users["op_a"], category="elderly_alone")
    return {**homes, "building_s": south, "house_s": house_s, "person_c": wang}


def body(response) -> str:
    return response.content.decode()


def test_every_registry_page_renders_for_a_street_operator(street, users, client_for):
    org, _ = services.save_organization(
        {"name": "甲街道便民超市", "kind": "shop", "lon": 113.605, "lat": 34.7175},
        actor=users["op_a"],
    )
    place = services.save_place(
        {
            "name": "甲街道井盖",
            "kind": "facility",
            "category_code": "C0101",
            "lon": 113.605,
            "lat": 34.7175,
        },
        actor=users["op_a"],
    )
    op = client_for(users["op_a"])
    a, b = street["person_a"], street["building_a"]
    pages = {
        "/registry/people/": ["张三", "王五", "新增人员"],
        "/registry/people/new/": ["身份证号码", "房屋编码"],
        f"/registry/people/{a.pk}/": ["张三", "变更记录", "居住记录"],
        f"/registry/people/{a.pk}/edit/": ["张三", 'value="B-A-1-1-3-301"'],
        "/registry/key-populations/": ["张三", "独居老人"],
        "/registry/buildings/": ["经八小区1号楼", "经八南苑2号楼", "B-A-1"],
        "/registry/buildings/new/": ["楼栋编码"],
        f"/registry/buildings/{b.pk}/": ["楼盘表", "经八路1号院1号楼", "301"],
        f"/registry/buildings/{b.pk}/edit/": ['value="B-A-1"'],
        f"/registry/houses/{street['house_a'].pk}/": ["B-A-1-1-3-301", "张三"],
        "/registry/organizations/": ["甲街道便民超市"],
        "/registry/organizations/new/": ["统一社会信用代码"],
        f"/registry/organizations/{org.pk}/edit/": ["甲街道便民超市"],
        "/registry/places/": ["甲街道井盖", "C0101"],
        "/registry/places/new/": ["部件"],
        f"/registry/places/{place.pk}/edit/": ["甲街道井盖"],
        "/registry/import/": ["模板", "/registry/templates/people.xlsx"],
    }
    for url, expected in pages.items():
        response = op.get(url)
        assert response.status_code == 200, url
        for text in expected:
            assert text in body(response), (url, text)
        # Nothing of street B on any page of street A's operator.
        assert "李四" not in body(response) and "花园小区" not in body(response), url


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("", {"张三", "王五"}, set()),
        ("area=410105001", {"张三", "王五"}, set()),  # the street: both communities
        ("area=410105001001", {"张三"}, {"王五"}),  # the north community's subtree
        ("area=41010500100201", {"王五"}, {"张三"}),  # one grid in the south
        ("registration=floating", {"王五"}, {"张三"}),
        ("registration=registered", {"张三"}, {"王五"}),
        ("age=60-79", {"张三"}, {"王五"}),
        ("age=18-34", {"王五"}, {"张三"}),
        ("age=0-17", set(), {"张三", "王五"}),
        ("sex=F", {"张三", "王五"}, set()),
        ("sex=M", set(), {"张三", "王五"}),
        ("tag=elderly_alone", {"张三"}, {"王五"}),
        ("tag=any", {"张三"}, {"王五"}),
        ("tag=disabled", set(), {"张三", "王五"}),
        ("q=张", {"张三"}, {"王五"}),
        (f"q={ID_C[-6:]}", set(), {"王五", "张三"}),  # sealed: a part matches nothing
        (f"q={ID_A}", {"张三"}, {"王五"}),  # a whole ID number
        (f"q={ID_B}", set(), {"张三", "王五", "李四"}),  # street B's person stays unseen
    ],
)
def test_people_list_filters_narrow_the_results(street, users, client_for, query, shown, hidden):
    page = body(client_for(users["op_a"]).get(f"/registry/people/?{query}"))
    table = page[page.index("<tbody>") :]
    for name in shown:
        assert f">{name}</a>" in table, (query, name)
    for name in hidden:
        assert f">{name}</a>" not in table, (query, name)
    if not shown:
        assert "未找到人员" in table
    assert f"{len(shown)} 人" in page


def test_people_list_masks_identifiers_and_pages_by_cursor(street, users, client_for):
    op = client_for(users["op_a"])
    page = body(op.get("/registry/people/"))
    assert mask_id(ID_A) in page and ID_A not in page
    assert "138****1111" in page and "13800001111" not in page
    # 51 more people in one house: the list shows 50 and a link to the next page.
    house = House.objects.get(code="B-A-1-2-1-101")
    for i in range(51):
        number = f"41010520010101{i:03d}"
        services.save_person(
            {
                "name": f"批量{i:02d}",
                "id_number": number + check_digit(number),
                "registration": "registered",
            },
            actor=users["op_a"],
            house=house,
        )
    first = body(op.get("/registry/people/?q=批量"))
    assert first.count(">批量") == 50 and "&after=" in first
    cursor = first.split("&after=")[1].split('"')[0]
    second = body(op.get(f"/registry/people/?q=批量&after={cursor}"))
    assert second.count(">批量") == 1


def test_person_page_masks_the_id_and_shows_the_history(street, users, client_for):
    person = street["person_a"]
    page = body(client_for(users["op_a"]).get(f"/registry/people/{person.pk}/"))
    assert f'id="id-number">{mask_id(ID_A)}<' in page and ID_A not in page
    assert "138****1111" in page and "13800001111" not in page
    assert "1949-12-31" in page and "女" in page  # read from the ID number
    history = page[page.index("变更记录") :]
    assert "新建" in history and "迁入" in history and "admin" in history
    assert "经八小区1号楼 1单元 301" in page  # the residence
    assert "独居老人" in page  # the operator may see key populations


def test_revealing_on_the_page_needs_a_reason_and_writes_the_access_log(street, users, client_for):
    person = street["person_a"]
    # The person's key-population tags shown on the page are logged too; these are the reveals.
    reveals = AccessLog.objects.exclude(fields=["key_population"])
    op = client_for(users["op_a"])
    refused = body(op.post(f"/registry/people/{person.pk}/", {"reason": ""}))
    assert ID_A not in refused and "这个字段是必填项" in refused
    assert not reveals.exists()
    shown = op.post(f"/registry/people/{person.pk}/", {"reason": "核实租户身份"})
    assert shown.status_code == 200
    page = body(shown)
    assert f'id="id-number">{ID_A}<' in page and "13800001111" in page
    assert 'id="reveal-form"' not in page
    log = reveals.get()
    assert (log.actor, log.reason, log.subject_type, log.subject_id, log.area_code) == (
        users["op_a"],
        "核实租户身份",
        "registry.person",
        str(person.pk),
        person.area_code,
    )
    assert sorted(log.fields) == ["id_number", "other_id", "phone"]
    # A leader sees the page but not the reveal form, and cannot reveal by posting.
    leader = client_for(users["leader"])
    page = body(leader.get(f"/registry/people/{person.pk}/"))
    assert 'id="reveal-form"' not in page
    refused = body(leader.post(f"/registry/people/{person.pk}/", {"reason": "看看"}, follow=True))
    assert ID_A not in refused and reveals.count() == 1


def test_person_form_shows_the_checksum_error_in_chinese_and_saves_a_good_number(
    street, users, client_for
):
    op = client_for(users["op_a"])
    form = {"name": "赵六", "registration": "registered", "house_code": "B-A-1-2-2-201"}
    bad = op.post("/registry/people/new/", {**form, "id_number": BAD_ID})
    assert bad.status_code == 200
    assert '<span class="field-error">身份证号码校验位错误：有数字输错。</span>' in body(bad)
    assert not Person.objects.filter(name="赵六").exists()
    unknown_house = op.post(
        "/registry/people/new/", {**form, "id_number": ID_D, "house_code": "B-B-1-1-2-201"}
    )
    assert "您的数据范围内没有该编码的房屋。" in body(unknown_house)
    assert not Person.objects.filter(name="赵六").exists()
    good = op.post("/registry/people/new/", {**form, "id_number": ID_D})
    person = Person.objects.get(id_number=ID_D)
    assert good.status_code == 302 and good["Location"] == f"/registry/people/{person.pk}/"
    assert (person.sex, str(person.birth_date), person.current_house.code) == (
        "M",
        "1990-03-07",
        "B-A-1-2-2-201",
    )
    # Entering the same number again updates the one record and says so.
    again = op.post(
        "/registry/people/new/", {**form, "name": "赵六六", "id_number": ID_D}, follow=True
    )
    assert "此人已登记，已更新原记录。" in body(again)
    assert Person.objects.filter(id_number=ID_D).get().name == "赵六六"
    # Editing keeps the record and its house.
    edited = op.post(
        f"/registry/people/{person.pk}/edit/",
        {**form, "name": "赵六", "id_number": ID_D, "phone": "12"},
    )
    assert edited.status_code == 200 and "电话号码为 7 至 12 位数字。" in body(edited)


def test_edit_form_keeps_identifiers_masked(street, users, client_for):
    person = street["person_a"]
    for name in ("op_a", "member_a"):
        page = body(client_for(users[name]).get(f"/registry/people/{person.pk}/edit/"))
        assert f'value="{mask_id(ID_A)}"' in page and 'value="138****1111"' in page
        assert ID_A not in page and "13800001111" not in page
    op = client_for(users["op_a"])
    form = {
        "name": "张三",
        "id_number": mask_id(ID_A),
        "phone": "138****1111",
        "registration": "registered",
        "house_code": "B-A-1-1-3-301",
        "occupation": "退休",
    }
    saved = op.post(f"/registry/people/{person.pk}/edit/", form)
    assert saved.status_code == 302
    person.refresh_from_db()
    assert (person.id_number, person.phone, person.occupation) == (ID_A, "13800001111", "退休")
    op.post(f"/registry/people/{person.pk}/edit/", {**form, "phone": "13911112222"})
    person.refresh_from_db()
    assert (person.id_number, person.phone) == (ID_A, "13911112222")
    assert not AccessLog.objects.exists()


def test_building_table_colours_rooms_by_state_and_a_room_opens_its_household(
    street, users, client_for
):
    op = client_for(users["op_a"])
    house = street["house_a"]
    services.update_house(house, actor=users["op_a"], state="rented")
    vacant = House.objects.get(code="B-A-1-2-1-102")
    services.update_house(vacant, actor=users["op_a"], state="vacant")
    child, _ = services.save_person(
        {"name": "张小三", "id_number": ID_D, "registration": "registered"},
        actor=users["op_a"],
        house=house,
    )
    services.create_household(
        house, street["person_a"], actor=users["op_a"], members=[(child, "子")]
    )
    page = body(op.get(f"/registry/buildings/{street['building_a'].pk}/"))
    assert f'class="room state-rented" data-house="{house.pk}"' in page
    assert f'class="room state-vacant" data-house="{vacant.pk}"' in page
    assert page.count('class="room state-unknown" data-house=') == 10
    link = f'hx-get="/registry/houses/{house.pk}/"'
    assert link in page and "<small>2</small>" in page  # two live in 301
    assert '<i class="mark key">●</i></button>' in page  # 张三's tag marks the room
    # Floors run from the top down, units side by side.
    assert page.index(">301<") < page.index(">201<") < page.index(">101<")
    card = body(op.get(f"/registry/houses/{house.pk}/"))
    assert "B-A-1-1-3-301" in card and "出租" in card
    assert "现住人员 (2)" in card and "张小三" in card and "张三" in card
    household = card[card.index('class="mini household"') :]
    assert ">张三</a></td><td>本人<" in household and ">张小三</a></td><td>子<" in household
    assert ID_A not in card and mask_id(ID_A) in card
    assert "独居老人" in card
    # The card changes the room's state (htmx posts back to the same URL).
    changed = op.post(f"/registry/houses/{house.pk}/", {"use": "residence", "state": "owner"})
    assert changed.status_code == 200 and "自住" in body(changed)
    assert House.objects.get(pk=house.pk).state == "owner"


def _csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_rows(response) -> list[list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


HEADERS = ["姓名", "公民身份号码", "性别", "出生日期", "联系电话", "人口类型", "区划编码"]


def test_exports_are_masked_by_default(street, users, client_for):
    op = client_for(users["op_a"])
    rows = _csv_rows(op.get("/registry/people/export.csv"))
    assert rows[0] == HEADERS
    assert sorted(r[0] for r in rows[1:]) == ["张三", "王五"]
    zhang = next(r for r in rows if r[0] == "张三")
    assert zhang[1:5] == [mask_id(ID_A), "女", "1949-12-31", "138****1111"]
    assert zhang[5] == "户籍人口"
    excel = op.get("/registry/people/export.xlsx?registration=floating")
    assert excel["Content-Disposition"].startswith('attachment; filename="people-')
    assert ".xlsx" in excel["Content-Disposition"]
    rows = _xlsx_rows(excel)
    assert rows[0] == HEADERS and [r[0] for r in rows[1:]] == ["王五"]
    assert rows[1][1] == mask_id(ID_C) and rows[1][4] == "137****3333"
    # A masked file still holds names and birth dates in clear: each export is one logged read,
    # without the identifiers.
    logs = list(AccessLog.objects.order_by("id"))
    assert [(g.purpose, g.record_count, g.fields) for g in logs] == [
        ("export", 2, ["birth_date", "name", "sex"]),
        ("export", 1, ["birth_date", "name", "sex"]),
    ]
    assert op.get("/registry/people/export.pdf").status_code == 404
    assert client_for(users["auditor"]).get("/registry/people/export.csv").status_code == 403


def test_full_export_needs_the_right_and_a_reason_and_is_logged(street, users, client_for):
    # A street operator may export, but not unmasked.
    assert (
        client_for(users["op_a"]).get("/registry/people/export.csv?personal=1").status_code == 403
    )
    district = client_for(users["district"])
    url = "/registry/people/export.csv?personal=1&area=410105001"
    form = district.get(url)
    assert form.status_code == 200 and form["Content-Type"].startswith("text/html")
    assert 'name="reason"' in body(form)
    again = district.post(url, {"reason": ""})
    assert again["Content-Type"].startswith("text/html") and not AccessLog.objects.exists()
    rows = _csv_rows(district.post(url, {"reason": "民政部门核对低保名单"}))
    assert sorted((r[0], r[1], r[4]) for r in rows[1:]) == [
        ("张三", ID_A, "13800001111"),
        ("王五", ID_C, "13700003333"),
    ]
    log = AccessLog.objects.get()
    assert (log.actor, log.purpose, log.reason, log.record_count, log.subject_type) == (
        users["district"],
        "export",
        "民政部门核对低保名单",
        2,
        "registry.person",
    )
    assert log.area_code.startswith("410105001")  # scoped like the rows it covers
    # The auditor reads the export in the access log.
    access = body(client_for(users["auditor"]).get("/audit/access/"))
    assert "民政部门核对低保名单" in access
    # Excel too.
    rows = _xlsx_rows(
        district.post("/registry/people/export.xlsx?personal=1&q=李", {"reason": "核对"})
    )
    assert rows[1][:2] == ["李四", ID_B]
    assert AccessLog.objects.count() == 2


def test_organizations_export_is_masked(street, users, client_for):
    services.save_organization(
        {
            "name": "甲街道便民超市",
            "kind": "shop",
            "phone": "037166668888",
            "lon": 113.605,
            "lat": 34.7175,
        },
        actor=users["op_a"],
    )
    rows = _csv_rows(client_for(users["op_a"]).get("/registry/organizations/export.csv"))
    assert rows[0][:2] == ["单位名称", "统一社会信用代码"]
    assert rows[1][0] == "甲街道便民超市" and rows[1][5] == "037****8888"


IMPORT = (
    "姓名,公民身份号码,联系电话,人口类型,房屋编码,居住关系,入住日期,民族\n"
    f"赵六,{ID_D},13600004444,流动人口,B-A-1-2-3-301,租户,2024-03-01,汉族\n"
    f"钱七,{BAD_ID},,户籍人口,B-A-1-2-3-301,居住,2024-03-01,汉族\n"
    "孙八,,,户籍人口,B-A-1-2-3-302,居住,2024-03-01,汉族\n"
)


@pytest.fixture
def uploads(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path / "uploads"


def test_import_page_dry_run_then_a_background_job(street, users, client_for, uploads):
    op = client_for(users["op_a"])
    upload = SimpleUploadedFile("居民.csv", IMPORT.encode("gbk"))
    checked = op.post("/registry/import/", {"entity": "people", "file": upload})
    page = body(checked)
    assert "共 3 行：合格 1 行，有问题 2 行。" in page
    problems = page[page.index('class="table problems"') :]
    assert "<td>3</td><td>公民身份号码</td><td>身份证号码校验位错误" in problems
    assert "<td>4</td><td>公民身份号码</td>" in problems
    assert not Person.objects.filter(name="赵六").exists()  # a dry run writes nothing
    token = page.split('name="token" value="')[1].split('"')[0]
    assert (uploads / f"registry-{token}").exists()
    started = op.post(
        "/registry/import/",
        {"token": token, "entity": "people", "filename": "居民.csv", "mode": "good"},
    )
    assert "正在导入" in body(started) and 'class="job"' in body(started)
    job = Job.objects.get(kind="registry.import")
    assert job.status == "queued" and job.created_by == users["op_a"]
    assert run_pending() == 1
    job.refresh_from_db()
    assert job.status == "done" and job.percent == 100
    assert (job.result["created"], job.result["bad_rows"]) == (1, 2)
    assert job.result["summary"] == "新增 1 条，更新 0 条，拒绝 2 行。"
    zhao = Person.objects.get(id_number=ID_D)
    assert (zhao.name, zhao.registration, zhao.current_house.code) == (
        "赵六",
        "floating",
        "B-A-1-2-3-301",
    )
    assert Residence.objects.get(person=zhao).relation == "tenant"
    assert not (uploads / f"registry-{token}").exists()  # the upload is removed when done
    progress = body(op.get(f"/jobs/{job.pk}/"))
    assert 'data-status="done"' in progress


def test_import_mode_all_writes_nothing_when_a_row_is_bad(street, users, client_for, uploads):
    op = client_for(users["op_a"])
    page = body(
        op.post(
            "/registry/import/",
            {"entity": "people", "file": SimpleUploadedFile("p.csv", IMPORT.encode())},
        )
    )
    assert 'id="import-all"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    op.post("/registry/import/", {"token": token, "entity": "people", "mode": "all"})
    run_pending()
    job = Job.objects.get()
    assert job.status == "done" and job.result["committed"] is False
    assert not Person.objects.filter(name="赵六").exists()
    assert job.result["summary"] == "未写入：有 2 行存在问题。"


def test_import_page_refuses_bad_files_and_tokens(street, users, client_for, uploads):
    op = client_for(users["op_a"])
    page = body(
        op.post(
            "/registry/import/",
            {"entity": "people", "file": SimpleUploadedFile("p.pdf", b"%PDF-1.4")},
        )
    )
    assert '<span class="field-error">' in page and "Excel" in page
    missing = body(
        op.post(
            "/registry/import/",
            {"entity": "people", "file": SimpleUploadedFile("p.csv", "名字\n王\n".encode())},
        )
    )
    assert "缺少" in missing and "姓名" in missing and 'name="token"' not in missing
    assert (
        op.post("/registry/import/", {"token": "../../etc", "entity": "people"}).status_code == 404
    )
    assert op.post("/registry/import/", {"token": "abc123", "entity": "people"}).status_code == 404
    assert client_for(users["leader"]).get("/registry/import/").status_code == 403


@pytest.mark.parametrize("entity", ["people", "buildings", "houses", "organizations"])
def test_template_downloads_have_chinese_headers(homes, users, client_for, entity):
    from gridgov.registry.importing import TEMPLATES

    headers = [c.header for c in TEMPLATES[entity]]
    op = client_for(users["op_a"])
    rows = _csv_rows(op.get(f"/registry/templates/{entity}.csv"))
    assert rows[0] == headers and len(rows) == 2  # headers and one example row
    excel = op.get(f"/registry/templates/{entity}.xlsx")
    assert excel["Content-Disposition"] == f'attachment; filename="template-{entity}.xlsx"'
    book = load_workbook(io.BytesIO(excel.content))
    assert [c.value for c in book.worksheets[0][1]] == headers
    assert book.sheetnames[1] == "填写说明"
    assert {"姓名", "楼栋编码", "单位名称"} & set(headers)


def test_unknown_templates_are_404(homes, users, client_for):
    op = client_for(users["op_a"])
    assert op.get("/registry/templates/people.pdf").status_code == 404
    assert op.get("/registry/templates/cars.csv").status_code == 404


def test_move_out_and_merge_on_the_person_page(street, users, client_for):
    op = client_for(users["op_a"])
    person = street["person_a"]
    moved = body(op.post(f"/registry/people/{person.pk}/move-out/", follow=True))
    assert "已迁出，居住记录保留在历史中。" in moved
    assert Person.objects.get(pk=person.pk).current_house is None
    assert Residence.objects.get(person=person).until is not None  # history kept
    dup, _ = services.save_person(
        {
            "name": "张三",
            "other_id_type": "other",
            "other_id": "TMP-9",
            "registration": "registered",
        },
        actor=users["op_a"],
        house=street["house_a"],
    )
    merged = op.post(f"/registry/people/{person.pk}/merge/", {"other": dup.pk}, follow=True)
    assert "两条记录已合并。" in body(merged)
    dup.refresh_from_db()
    assert dup.merged_into_id == person.pk
    assert ">张三</a>" in body(op.get("/registry/people/?q=张"))
    assert body(op.get("/registry/people/?q=张")).count(">张三</a>") == 1
    refused = body(
        op.post(
            f"/registry/people/{person.pk}/merge/", {"other": street["person_c"].pk}, follow=True
        )
    )
    assert "两条记录的身份证号码不同，是两个人。" in refused


@pytest.mark.parametrize("url", ["/registry/people/", "/registry/buildings/"])
def test_registry_lists_filter_by_an_area_picker(street, users, client_for, url):
    response = client_for(users["op_a"]).get(url)
    choices = response.context["area_choices"]
    assert choices and {a.level for a in choices} <= {"street", "community"}
    html = body(response)
    assert '<input type="text" name="area"' not in html
    assert f'<option value="{choices[-1].code}">' in html
