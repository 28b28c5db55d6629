import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from gridgov.accounts.system import JOBS, system_user
from gridgov.registry import importing
from gridgov.registry.models import Person, Residence
from gridgov.registry.tests.conftest import ID_A, ID_C

HEADER = "姓名,公民身份号码,联系电话,人口类型,房屋编码,居住关系,入住日期,民族\n"


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


GOOD = "王五,410105200506150023,13800009999,户籍人口,B-A-1-1-3-302,租户,2021-03-01,汉族"
BAD_ROWS = [
    "赵六,410105200506150024,,户籍人口,B-A-1-1-3-302,居住,2021-03-01,汉族",  # checksum
    "孙七,410105198001010017,12,户籍人口,B-A-1-1-3-302,居住,2021-03-01,汉族",  # phone
    "周八,410105198001010017,,外星人口,B-A-1-1-2-201,居住,2021-03-01,汉族",  # registration (and duplicate id)
    "吴九,11010519491231002X,,户籍人口,NO-SUCH-HOUSE,居住,2021-03-01,汉族",  # unknown house
    "郑十,11010519491231002X,,户籍人口,B-A-1-1-3-302,居住,3021-03-01,汉族",  # date out of range
    "钱一,410105200506150023,,户籍人口,B-A-1-1-3-302,居住,2021-03-01,火星族",  # ethnicity, duplicate of GOOD
]


def test_dry_run_lists_every_bad_row_with_column_and_reason(homes, users, english):
    report = importing.check(
        "people", csv_bytes(GOOD, *BAD_ROWS), "people.csv", actor=users["op_a"]
    )
    assert (report.total, report.good_count, report.bad_rows) == (7, 1, 6)
    problems = {(e.row, e.column) for e in report.errors}
    assert (3, "公民身份号码") in problems  # checksum
    assert (4, "联系电话") in problems
    assert (5, "人口类型") in problems
    assert (6, "房屋编码") in problems
    assert (7, "入住日期") in problems
    assert (8, "民族") in problems and (
        8,
        "公民身份号码",
    ) in problems  # also the same person as row 2
    assert Person.objects.count() == 2  # a dry run writes nothing


def test_mode_good_imports_the_good_rows(homes, users):
    before = Person.objects.count()
    report = importing.commit(
        "people", csv_bytes(GOOD, *BAD_ROWS), "people.csv", actor=users["op_a"], mode="good"
    )
    assert report.committed and (report.created, report.updated, report.bad_rows) == (1, 0, 6)
    assert Person.objects.count() == before + 1
    wang = Person.objects.get(id_number=ID_C)
    assert (
        wang.current_house.code == "B-A-1-1-3-302"
        and Residence.objects.get(person=wang).relation == "tenant"
    )


def test_mode_all_imports_nothing_when_a_row_is_bad(homes, users):
    before = (Person.objects.count(), Residence.objects.count())
    report = importing.commit(
        "people", csv_bytes(GOOD, BAD_ROWS[0]), "people.csv", actor=users["op_a"], mode="all"
    )
    assert not report.committed and report.bad_rows == 1
    assert (Person.objects.count(), Residence.objects.count()) == before
    report = importing.commit(
        "people", csv_bytes(GOOD), "people.csv", actor=users["op_a"], mode="all"
    )
    assert report.committed and report.created == 1


def test_known_people_are_updated_not_duplicated(homes, users):
    row = f"张三,{ID_A},13811112222,户籍人口,B-A-1-2-1-101,业主,2022-01-01,汉族"
    report = importing.commit("people", csv_bytes(row), "people.csv", actor=users["op_a"])
    assert (report.created, report.updated) == (0, 1)
    person = Person.objects.get(id_number=ID_A)
    assert person.phone == "13811112222" and person.current_house.code == "B-A-1-2-1-101"
    assert Residence.objects.filter(person=person).count() == 2  # the old residence ended, kept


def test_excel_and_gbk_files(homes, users):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(GOOD.split(","))
    out = io.BytesIO()
    book.save(out)
    assert (
        importing.check("people", out.getvalue(), "people.xlsx", actor=users["op_a"]).good_count
        == 1
    )
    assert (
        importing.check(
            "people", csv_bytes(GOOD, encoding="gbk"), "people.csv", actor=users["op_a"]
        ).good_count
        == 1
    )


@pytest.mark.parametrize("data", [b"", b"\x00\x01garbage", "只有,列名\n".encode()])
def test_unreadable_files_are_refused_with_a_message(homes, users, data):
    with pytest.raises(ValidationError):
        importing.check("people", data, "people.csv", actor=users["op_a"])


def test_rows_outside_the_users_scope_are_refused(homes, users, english):
    row = "王五,410105200506150023,,户籍人口,B-B-1-1-2-202,居住,2021-03-01,汉族"
    report = importing.check("people", csv_bytes(row), "people.csv", actor=users["op_a"])
    assert report.bad_rows == 1 and "outside your scope" in report.errors[0].reason


def test_an_interrupted_import_leaves_no_half_written_row(homes, users, monkeypatch):
    rows = [
        f"人{i},{code},,户籍人口,B-A-1-1-1-101,居住,2021-03-01,汉族"
        for i, code in enumerate(["410105200506150023", "410105198001010017"])
    ]
    monkeypatch.setattr(importing.checking, "BATCH", 1)
    calls = {"n": 0}
    original = importing.writing._residences

    def crash_second(batch, now, known):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return original(batch, now, known)

    monkeypatch.setattr(importing.writing, "_residences", crash_second)
    with pytest.raises(RuntimeError):
        importing.commit("people", csv_bytes(*rows), "people.csv", actor=users["admin"])
    # The first batch is complete (person and residence); the second left nothing behind.
    written = Person.objects.filter(name__startswith="人")
    assert written.count() == 1 and Residence.objects.filter(person__in=written).count() == 1


def test_buildings_houses_and_organizations(homes, users):
    b = "楼栋编码,楼栋名称,标准地址,经度,纬度,用途,单元数,层数,每层户数\nB-A-9,新楼,经八路9号,113.606,34.716,住宅,1,2,2\nB-X-1,外楼,某处,120.0,30.0,住宅,1,2,2\n".encode()
    report = importing.commit("buildings", b, "b.csv", actor=users["op_a"])
    assert (report.created, report.bad_rows) == (1, 1)
    h = "楼栋编码,单元,楼层,房号,用途,使用状态\nB-A-9,1,1,101,住宅,空置\nB-A-9,1,1,101,住宅,空置\n".encode()
    report = importing.commit("houses", h, "h.csv", actor=users["op_a"])
    assert (report.created, report.bad_rows) == (1, 1)
    o = "单位名称,统一社会信用代码,单位类型,经度,纬度\n新店,,个体工商户,113.606,34.716\n坏码,91110000600037341M,企业,113.606,34.716\n".encode()
    report = importing.commit("organizations", o, "o.csv", actor=users["op_a"])
    assert (report.created, report.bad_rows) == (1, 1)


def test_templates_and_command_line(homes, tmp_path, capsys):
    book = load_workbook(io.BytesIO(importing.template_xlsx("people")))
    assert [c.value for c in book.worksheets[0][1]][:2] == ["姓名", "公民身份号码"]
    path = tmp_path / "people.csv"
    path.write_bytes(csv_bytes(GOOD))
    call_command("import_registry", "people", str(path))
    assert not Person.objects.filter(id_number=ID_C).exists()
    call_command("import_registry", "people", str(path), "--commit")
    assert Person.objects.filter(id_number=ID_C).exists()


def test_big_files_are_prechecked_in_a_child_process_with_the_same_result(homes, users, english):
    rows = [
        GOOD,
        "赵六,410105199001010011,,户籍人口,B-A-1-1-1-101,居住,2021-03-01,汉族",
        *BAD_ROWS,
    ]
    inline = importing.check("people", csv_bytes(*rows), "people.csv", actor=users["op_a"])
    original = importing.writing._prechecked_in_child
    children = []

    def spy(*args):
        children.append(1)
        return original(*args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importing.writing, "CHILD_ABOVE_BYTES", 0)
        patch.setattr(importing.writing, "_prechecked_in_child", spy)
        report = importing.commit("people", csv_bytes(*rows), "people.csv", actor=users["op_a"])
        assert children == [1]
        assert (report.total, report.good_count, report.created) == (inline.total, 2, 2)
        assert [(e.row, e.column, e.reason) for e in report.errors] == [
            (e.row, e.column, e.reason) for e in inline.errors
        ]
        with pytest.raises(ValidationError):
            importing.commit("people", "只有,列名\n".encode(), "people.csv", actor=users["op_a"])


def test_old_dry_run_uploads_are_swept(settings, tmp_path, db):
    import os
    import time

    from gridgov.jobs.services import enqueue, run_pending

    settings.VAR_DIR = tmp_path
    folder = tmp_path / "uploads"
    folder.mkdir()
    old, fresh = folder / "registry-old", folder / "registry-fresh"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(old, (time.time() - 2 * 86400, time.time() - 2 * 86400))
    enqueue("registry.sweep_uploads", actor=system_user(JOBS))
    run_pending()
    assert not old.exists() and fresh.exists()
    assert "registry.sweep_uploads" in settings.GRIDGOV_PERIODIC_JOBS
