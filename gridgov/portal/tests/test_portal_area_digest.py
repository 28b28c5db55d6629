"""Citizens who follow an area get one SMS a day at most about its new public reports (bulk, in
the send window); they see the areas they follow by name and can stop following one."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from gridgov.notify.models import Outbox, Priority
from gridgov.portal import services
from gridgov.portal.models import AreaSubscription
from gridgov.portal.services.area_digest import tell_area_subscribers
from gridgov.portal.tests.conftest import POINT_A, POINT_B, category, confirmed

pytestmark = pytest.mark.django_db

FOLLOWER = "13800000099"


def published(portal, admin, text: str, point, phone: str, key: str):
    report = services.submit_report(
        actor=portal,
        category=category("C0110"),
        description=text,
        citizen=confirmed(phone, portal),
        lon=point[0],
        lat=point[1],
        idempotency_key=key,
    )
    return services.moderate(report, actor=admin, publish=True)


def digests() -> list[Outbox]:
    rows = Outbox.objects.filter(destination=FOLLOWER, source__startswith="portal.area:")
    return list(rows.order_by("pk"))


def test_a_followed_street_gets_one_sms_a_day_about_its_new_public_reports(portal, users, tree):
    street_a = tree.streets[0]
    follower = confirmed(FOLLOWER, portal)
    services.subscribe_area(follower, street_a.code, actor=portal)
    published(portal, users["admin"], "甲街道路灯不亮", POINT_A, "13800000011", "k-dig-0001")
    published(portal, users["admin"], "乙街道路灯不亮", POINT_B, "13800000012", "k-dig-0002")
    services.submit_report(  # waits for moderation: not public, not told
        actor=portal,
        category=category("C0110"),
        description="甲街道待审核的反映",
        citizen=confirmed("13800000013", portal),
        lon=POINT_A[0],
        lat=POINT_A[1],
        idempotency_key="k-dig-0003",
    )
    start = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(start, tick=False):
        assert tell_area_subscribers(actor=portal) == 1
        assert tell_area_subscribers(actor=portal) == 0  # the same hour again: nothing twice
    (sms,) = digests()
    assert sms.priority == Priority.BULK and sms.area_code == street_a.code
    assert street_a.name in sms.body and "甲街道路灯不亮" in sms.body
    assert "乙街道" not in sms.body and "待审核" not in sms.body
    assert sms.body.startswith("您关注的") and " 1 条" in sms.body and "回复TD退订" in sms.body

    # A new report two hours later waits for the next day's message.
    with time_machine.travel(start + datetime.timedelta(hours=2), tick=False):
        published(portal, users["admin"], "甲街道井盖松动", POINT_A, "13800000014", "k-dig-0004")
        assert tell_area_subscribers(actor=portal) == 0
    with time_machine.travel(start + datetime.timedelta(hours=25), tick=False):
        assert tell_area_subscribers(actor=portal) == 1
    newest = digests()[-1]
    assert "甲街道井盖松动" in newest.body and "甲街道路灯不亮" not in newest.body
    # Nothing new: no message the day after.
    with time_machine.travel(start + datetime.timedelta(hours=50), tick=False):
        assert tell_area_subscribers(actor=portal) == 0
    assert len(digests()) == 2


def test_a_banned_number_is_not_told(portal, users, tree):
    follower = confirmed(FOLLOWER, portal)
    services.subscribe_area(follower, tree.streets[0].code, actor=portal)
    published(portal, users["admin"], "甲街道路灯不亮", POINT_A, "13800000011", "k-dig-0005")
    follower.banned = True
    follower.save(update_fields=["banned"])
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        assert tell_area_subscribers(actor=portal) == 0
    assert digests() == []


def test_my_reports_names_the_followed_areas_and_stops_one(client, portal, tree):
    street_a, street_b = tree.streets[0], tree.streets[1]
    follower = confirmed(FOLLOWER, portal)
    for street in (street_a, street_b):
        services.subscribe_area(follower, street.code, actor=portal)
    session = client.session
    session["portal_citizen"] = [follower.pk, timezone.now().timestamp()]
    session.save()
    page = client.get("/portal/mine/")
    assert page.status_code == 200
    assert page.context["subscriptions"] == [
        {"code": street_a.code, "name": street_a.name},
        {"code": street_b.code, "name": street_b.name},
    ]
    answer = client.post("/portal/unsubscribe/", {"area": street_b.code})
    assert answer.status_code == 302
    assert list(follower.areas.values_list("area_code", flat=True)) == [street_a.code]
    # Another citizen's subscription is not theirs to end: the code is matched on their own.
    other = confirmed("13800000098", portal)
    services.subscribe_area(other, street_b.code, actor=portal)
    client.post("/portal/unsubscribe/", {"area": street_b.code})
    assert AreaSubscription.objects.filter(citizen=other, area_code=street_b.code).exists()
    # Without a confirmed number nothing is ended.
    client.session.flush()
    anonymous = client.__class__()
    anonymous.post("/portal/unsubscribe/", {"area": street_a.code})
    assert follower.areas.filter(area_code=street_a.code).exists()
