from gridgov.areas.services import update_area
from gridgov.audit.services import record_access


def test_auditor_reads_both_logs_with_filters(tree, users, client_for):
    update_area(tree.grids[0], actor=users["op_a"], name="审计测试网格")
    record_access(
        actor=users["op_a"], subject=users["member_a"], fields=["phone"], reason="上门核实"
    )
    client = client_for(users["auditor"])
    changes = client.get("/audit/changes/?actor=op_a").content.decode()
    assert "审计测试网格" in changes
    assert "审计测试网格" not in client.get("/audit/changes/?actor=nobody").content.decode()
    assert (
        "审计测试网格"
        not in client.get("/audit/changes/?from=2000-01-01&to=2000-01-02").content.decode()
    )
    access = client.get("/audit/access/").content.decode()
    assert "上门核实" in access


def test_only_auditors_read_the_logs(tree, users, client_for):
    assert client_for(users["op_a"]).get("/audit/changes/").status_code == 403
    assert client_for(users["admin"]).get("/audit/access/").status_code == 403


def test_audit_pages_name_fields_purposes_and_types_in_chinese(tree, users, client_for):
    import re

    from django.utils import translation

    from gridgov.areas.models import Area
    from gridgov.registry.models import Person

    update_area(tree.grids[0], actor=users["op_a"], name="审计测试网格")
    record_access(
        actor=users["op_a"],
        subject_type="registry.person",
        fields=["id_number", "key_population"],
        purpose="export",
        reason="导出核对",
        record_count=3,
        area_code=tree.grids[0].code,
    )
    client = client_for(users["auditor"])
    with translation.override("zh-hans"):
        area_name = str(Area._meta.get_field("name").verbose_name)
        id_label = str(Person._meta.get_field("id_number").verbose_name)
        person_label = str(Person._meta.verbose_name)
    changes = client.get("/audit/changes/?actor=op_a")
    html = changes.content.decode()
    assert area_name != "name" and area_name in html
    assert "<code>name</code>" not in html
    access = client.get("/audit/access/").content.decode()
    row = re.search(r"<tr[^>]*>\s*<td>[^<]*</td><td>op_a</td>(.*?)</tr>", access, re.S)
    assert row, access
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)
    ]
    assert cells[0] == "导出"
    assert person_label in cells[1] and "registry.person" not in cells[1]
    assert cells[2] == f"{id_label}、重点人群身份"
    assert area_name and "起" not in re.search(r"<thead>(.*?)</thead>", access, re.S)[1]
