"""The demo's warnings: past ones closed, with receipts mostly acknowledged and SMS delivered;
active ones with a forward; the three rules."""

import datetime
import io

import pytest
from django.utils import timezone

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.warnings import demo_data, queries
from gridgov.warnings.models import Channel, Kind, Receipt, Rule, State, Warning

pytestmark = pytest.mark.django_db


def test_demo_warnings(staff, users):
    make_user("district_op", Role.DISTRICT_OPERATOR, ["410105"])
    make_user("s410105001", Role.STREET_OPERATOR, ["410105001"])
    make_user("s410105002", Role.STREET_OPERATOR, ["410105002"])
    demo_data.load(stdout=io.StringIO(), scale="district", seed=1, size="small")
    closed = Warning.objects.filter(kind=Kind.ALERT, state=State.CLOSED)
    assert closed.exists()
    past = closed.first()
    assert past.identifier.split("-")[2] == timezone.localtime(past.sent).strftime("%Y%m%d")
    assert past.sent < timezone.now() - datetime.timedelta(days=7)  # numbered on its own day
    sms = Receipt.objects.filter(warning=past, channel=Channel.SMS)
    if past.colour in ("orange", "red"):
        assert sms.filter(delivered_at__isnull=False).exists()
    active = queries.active_for(users["admin"])
    assert {a["colour"] for a in active} >= {"red", "yellow"}
    assert Warning.objects.filter(kind=Kind.FORWARD, state=State.ISSUED).exists()
    red = Warning.objects.get(kind=Kind.ALERT, state=State.ISSUED, colour="red")
    board = queries.board(red, users["admin"])
    assert 0 < board["totals"]["acknowledged"] < board["totals"]["total"]
    assert Rule.objects.count() == 3
