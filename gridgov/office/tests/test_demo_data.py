import io

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.office import demo_data
from gridgov.office.models import DocStatus, Document, Notice, NoticeReceipt, StaffMessage


def test_the_demo_writes_notices_documents_and_conversations(tree, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    make_user("district_op", Role.DISTRICT_OPERATOR, ["410105"])
    make_user("leader", Role.LEADER, ["410105"])
    for street in ("410105001", "410105002"):
        make_user(f"s{street}", Role.STREET_OPERATOR, [street])
        make_user(f"c{street}001", Role.COMMUNITY_STAFF, [f"{street}001"])
        make_user(f"g{street}00101", Role.GRID_MEMBER, [f"{street}00101"])
    out = io.StringIO()
    demo_data.load(stdout=out, scale="district", seed=1, size="full")
    assert Notice.objects.filter(requires_ack=True).exists()
    assert NoticeReceipt.objects.filter(acked_at__isnull=False).exists()
    assert NoticeReceipt.objects.filter(acked_at__isnull=True, notice__requires_ack=True).exists()
    statuses = set(Document.objects.values_list("status", flat=True))
    assert {DocStatus.RECEIVED, DocStatus.ASSIGNED, DocStatus.CLOSED} <= statuses
    assert all(d.files.count() == 1 for d in Document.objects.all())
    assert any(d.overdue for d in Document.objects.all())
    assert StaffMessage.objects.count() >= 8
    assert "documents" in out.getvalue()


def test_without_demo_accounts_it_writes_nothing(tree):
    demo_data.load(stdout=io.StringIO(), scale="district", seed=1, size="small")
    assert not Notice.objects.exists() and not Document.objects.exists()
