import io

import pytest

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.notify import demo_data, sms_stats
from gridgov.notify.models import BatchState, SmsBatch, SmsTemplate, TemplateState

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_folder_and_the_statistics(tree):
    make_user("district_op", Role.DISTRICT_OPERATOR, [tree.district.code])
    operators = [make_user(f"s{s.code}", Role.STREET_OPERATOR, [s.code]) for s in tree.streets]
    out = io.StringIO()
    demo_data.load(stdout=out, scale="district", seed=7, size="small")
    assert "SMS platform" in out.getvalue()
    street_a = operators[0]
    batches = SmsBatch.objects.restrict(street_a)
    assert {b.state for b in batches} == {BatchState.DRAFT, BatchState.SENT, BatchState.SCHEDULED}
    assert batches.filter(archived=True).exists() and batches.filter(deleted_at__isnull=False)
    assert SmsTemplate.objects.restrict(street_a).filter(state=TemplateState.APPROVED).count() == 3
    figures = sms_stats.figures(street_a)
    assert figures["totals"]["messages"] >= 500 and figures["totals"]["delivered"] > 0
    assert len(figures["by_month"]) >= 12
    assert {r["area_code"] for r in figures["by_unit"]} == {tree.streets[0].code}
