from gridgov.accounts.permissions import Role
from gridgov.accounts.services import create_user, update_user
from gridgov.accounts.system import SETUP, system_user
from gridgov.audit.services import record_access
from gridgov.tests.scope import Case


def setup(world) -> None:
    world.users["auditor_a"] = create_user(
        actor=system_user(SETUP),
        username="auditor_a",
        password="pw-auditor_a",
        role=Role.AUDITOR,
        scope_codes=["410105001"],
    )
    update_user(world.users["op_b"], actor=system_user(SETUP), full_name="乙街道操作员改名")
    record_access(
        actor=world.users["op_b"],
        subject=world.users["op_b"],
        fields=["phone"],
        reason="乙街道核查",
    )


# The district auditor reads street B's logs; the administrator may not read audit logs at all.
CASES = [
    Case(
        "audit/changes/",
        # narrowed to accounts: other parts' setups write many later rows (the list pages)
        lambda w: "/audit/changes/?type=accounts.user",
        expect=200,
        absent=lambda w: ["乙街道操作员改名"],
        as_user="auditor_a",
        live_as="auditor",
    ),
    Case(
        "audit/changes/",
        lambda w: "/audit/changes/?area=410105002&type=accounts.user",
        expect=200,
        absent=lambda w: ["乙街道操作员改名"],
        as_user="auditor_a",
        live_as="auditor",
    ),
    Case(
        "audit/access/",
        lambda w: "/audit/access/",
        expect=200,
        absent=lambda w: ["乙街道核查"],
        as_user="auditor_a",
        live_as="auditor",
    ),
    Case("audit/changes/", lambda w: "/audit/changes/", expect=403, live_as="auditor"),
]
