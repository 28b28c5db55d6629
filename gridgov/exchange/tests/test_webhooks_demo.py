"""The webhook demo delivers the newest events for real (one after a refusal and a retry),
leaves them in the endpoint's log and pauses the endpoint afterwards."""

import io

from gridgov.conftest import DISTRICT
from gridgov.exchange import demo_data_webhooks
from gridgov.exchange.models import WebhookEndpoint
from gridgov.exchange.services import events, webhooks
from gridgov.notify.models import OutboxStatus


def test_the_demo_leaves_real_deliveries_in_the_log(users):
    for n in range(3):
        events.record_event(
            "case.reported",
            object_type="case",
            object_id=str(n + 1),
            area_code=f"{DISTRICT}001001",
            fields=["status"],
        )
    events.record_event(
        "person.created", object_type="person", object_id="9", area_code=DISTRICT, fields=["id"]
    )
    out = io.StringIO()
    demo_data_webhooks.load(stdout=out)
    endpoint = WebhookEndpoint.objects.get(client__name=demo_data_webhooks.NAME)
    log = list(webhooks.deliveries(endpoint).order_by("pk"))
    assert len(log) == 3  # the case events; people are not among its event types
    assert [r.status for r in log] == [OutboxStatus.SENT] * 3
    assert [r.attempts for r in log] == [2, 1, 1]  # refused once (503), then delivered
    assert log[0].payload["event"]["type"] == "case.reported"
    endpoint.refresh_from_db()
    assert not endpoint.active  # nothing listens at its address after the load
    assert "3 events delivered" in out.getvalue()
    demo_data_webhooks.load(stdout=out)  # idempotent
    assert WebhookEndpoint.objects.count() == 1
