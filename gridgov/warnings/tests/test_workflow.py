"""Draft → approve → issue, the cascade down three levels, forwards, follow-ups and scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.models import User
from gridgov.notify.models import Outbox, OutboxStatus, Priority
from gridgov.notify.outbox import send_due
from gridgov.warnings import services
from gridgov.warnings.models import Channel, Kind, Receipt, State
from gridgov.warnings.services import WarningInput
from gridgov.warnings.tests.helpers import issued

pytestmark = pytest.mark.django_db


def test_red_reaches_every_level_below_at_once_with_sms(staff, users):
    w = issued(users["district"], "410105", "red")
    app = Receipt.objects.filter(warning=w, channel=Channel.APP)
    levels = set(app.values_list("level", flat=True))
    assert levels == {"street", "community", "grid"}
    assert app.count() == 25  # 4 street operators, 4 community staff, 17 grid members
    sms = Receipt.objects.filter(warning=w, channel=Channel.SMS)
    assert sms.count() == 22  # those with a phone
    rows = Outbox.objects.filter(source__startswith="warnings.receipt:")
    assert rows.count() == 22
    row = rows.first()
    assert row.priority == Priority.WARNING
    assert w.ack_code in row.body
    assert not app.filter(user=users["district"]).exists()  # the issuing level itself


def test_a_person_holding_several_areas_gets_one_receipt_of_the_highest(staff, users, tree):
    """The fan-out inserts without looking for conflicts on PostgreSQL: the one-per-person
    choice is made in the selection, and must keep the highest area."""
    member = staff["grid_41010500100101"]
    street = tree.streets[0]
    member.scope_areas.add(street, tree.communities[1])
    w = issued(users["district"], "410105", "red")
    mine = Receipt.objects.filter(warning=w, user=member)
    assert sorted(mine.values_list("channel", "area_code", "level")) == [
        (Channel.APP, street.code, "street"),
        (Channel.SMS, street.code, "street"),
    ]
    assert Outbox.objects.filter(user=member, source__startswith="warnings.receipt:").count() == 1


def test_the_sms_log_shows_a_queued_warning_sms_to_its_person_masked(staff, users, client_for):
    issued(users["district"], "410105", "red")
    row = Outbox.objects.filter(source__startswith="warnings.receipt:").order_by("id").first()
    assert row.destination == ""
    page = client_for(users["admin"]).get(f"/notify/sms/log/{row.pk}/")
    assert page.status_code == 200
    phone = row.user.phone
    text = page.content.decode()
    assert f"{phone[:3]}****{phone[-4:]}" in text and phone not in text


def test_warning_sms_take_each_phone_when_sent_not_when_issued(staff, users, settings):
    """The issue opens no sealed phone: rows name the person; the sender looks the number up,
    sends to it and records it. A person whose phone was removed meanwhile fails for good."""
    w = issued(users["district"], "410105", "red")
    rows = Outbox.objects.filter(source__startswith="warnings.receipt:")
    assert set(rows.values_list("destination", flat=True)) == {""}
    phones = {u.pk: u.phone for u in User.objects.filter(pk__in=rows.values("user_id"))}
    assert len(phones) == 22 and all(phones.values())
    gone = rows.order_by("id").first().user
    gone.phone = ""
    gone.save(update_fields=["phone", "phone_index"])
    settings.GRIDGOV_SMS_GATEWAY = "log"
    assert send_due(concurrency=4) == {"sent": 21, "not_sent": 1}
    sent = dict(rows.filter(status=OutboxStatus.SENT).values_list("user_id", "destination"))
    assert sent == {pk: phone for pk, phone in phones.items() if pk != gone.pk}
    failed = rows.get(user=gone)
    assert failed.status == OutboxStatus.FAILED and "no phone" in failed.error
    assert w.ack_code in rows.first().body


def test_the_workflow_is_enforced(staff, users):
    data = WarningInput(
        event="大风", colour="yellow", headline="大风黄色预警", target_codes=["410105001"]
    )
    w = services.create_draft(acting_user=users["district"], area_code="410105", data=data)
    with pytest.raises(ValidationError):
        services.issue(w, acting_user=users["district"])  # not approved yet
    with pytest.raises(PermissionDenied):
        services.approve(w, acting_user=users["op_a"])  # not their level
    w = services.approve(w, acting_user=users["leader"])
    w = services.issue(w, acting_user=users["district"])
    assert w.state == State.ISSUED and w.sent is not None
    assert w.identifier.startswith("CN-410105-")


def test_a_level_issues_only_to_its_subtree(staff, users):
    data = WarningInput(event="火灾", colour="orange", headline="火情", target_codes=["410105002"])
    with pytest.raises(ValidationError) as err:
        services.create_draft(acting_user=users["op_a"], area_code="410105001", data=data)
    assert "target_codes" in err.value.message_dict
    with pytest.raises(PermissionDenied):
        services.create_draft(acting_user=users["op_a"], area_code="410105002", data=data)


def test_street_forward_is_an_update_reaching_only_its_subtree(staff, users):
    w = issued(users["district"], "410105", "red")
    f = services.forward(
        w, acting_user=staff["street_a"], area_code="410105001", instruction="各社区加强巡查"
    )
    assert f.kind == Kind.FORWARD and f.original == w and f.state == State.ISSUED
    codes = set(Receipt.objects.filter(warning=f).values_list("area_code", flat=True))
    assert codes and all(c.startswith("410105001") for c in codes)


def test_forward_mode_cascades_level_by_level_three_levels(staff, users, settings):
    settings.GRIDGOV_WARNING_LOW_CASCADE = "forward"
    w = issued(users["district"], "410105", "blue")
    assert set(Receipt.objects.filter(warning=w).values_list("level", flat=True)) == {"street"}
    assert not Outbox.objects.exists()  # blue: no SMS at issue
    s = services.forward(
        w, acting_user=staff["street_a"], area_code="410105001", instruction="街道：注意防范"
    )
    assert set(Receipt.objects.filter(warning=s).values_list("level", flat=True)) == {"community"}
    community = "410105001001"
    c = services.forward(
        s, acting_user=staff[f"comm_{community}"], area_code=community, instruction="社区：通知到户"
    )
    assert c.state == State.DRAFT  # community staff may forward but not approve
    services.approve(c, acting_user=staff["street_a"])
    c = services.issue(c, acting_user=staff["street_a"])
    grids = set(Receipt.objects.filter(warning=c).values_list("area_code", flat=True))
    assert grids == {f"{community}0{i}" for i in range(1, 5)}
    assert c.original == w and c.forwarded_from == s  # the chain is kept


def test_cancel_closes_the_original_and_goes_down_with_sms(staff, users):
    w = issued(users["district"], "410105", "orange")
    before = Outbox.objects.count()
    cancel = services.follow_up(w, acting_user=users["district"], kind=Kind.CANCEL)
    assert cancel.original == w and cancel.state == State.DRAFT
    services.approve(cancel, acting_user=users["district"])
    cancel = services.issue(cancel, acting_user=users["district"])
    w.refresh_from_db()
    assert w.state == State.CLOSED and cancel.state == State.CLOSED
    assert Outbox.objects.count() - before == 22
    assert Receipt.objects.filter(warning=cancel, channel=Channel.APP).count() == 25


def test_acknowledge_and_read(staff, users):
    w = issued(users["district"], "410105", "red")
    member = staff["grid_41010500100101"]
    assert services.mark_read(w, acting_user=member)
    assert services.acknowledge(w, acting_user=member) == 2  # app and SMS receipts
    assert services.acknowledge(w, acting_user=member) == 0
    with pytest.raises(ValidationError):
        services.acknowledge(w, acting_user=users["district"])
