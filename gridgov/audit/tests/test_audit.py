from gridgov.audit.models import AccessLog
from gridgov.audit.services import record_access, snapshot


def test_snapshot_masks_personal_fields(tree, users):
    users["op_a"].phone = "13912345678"
    data = snapshot(users["op_a"])
    assert data["phone"] == "***"
    assert "password" not in data


def test_access_log_names_who_whom_and_what(tree, users, client_for):
    entry = record_access(
        actor=users["op_a"],
        subject=users["member_a"],
        fields=["phone", "id_number"],
        reason="核实身份",
    )
    assert entry.fields == ["id_number", "phone"]
    assert AccessLog.objects.get().actor_name == "op_a"


def test_request_id_is_returned(tree, users, client_for):
    answer = client_for(users["op_a"]).get("/api/v1/me", HTTP_X_REQUEST_ID="abc12345-test")
    assert answer["X-Request-ID"] == "abc12345-test"
    assert len(client_for(users["op_a"]).get("/api/v1/me")["X-Request-ID"]) == 32
