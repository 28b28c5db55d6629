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
    assert "上门核实" in access and "phone" in access


def test_only_auditors_read_the_logs(tree, users, client_for):
    assert client_for(users["op_a"]).get("/audit/changes/").status_code == 403
    assert client_for(users["admin"]).get("/audit/access/").status_code == 403
