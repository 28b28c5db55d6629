"""The exchange part's records in the retention registry: change feed, delivery logs, Open311
tokens; what is still queued is never removed, and the legal minimum holds."""

import datetime

import pytest
from django.core import checks
from django.utils import timezone

from gridgov.accounts.system import JOBS, system_user
from gridgov.audit import retention
from gridgov.audit.models import ChangeLog
from gridgov.exchange.models import ChangeEvent, ClientKind, Open311Token
from gridgov.exchange.services import retention as exchange_retention
from gridgov.exchange.services.clients import issue_client
from gridgov.notify.models import Outbox, OutboxStatus

pytestmark = pytest.mark.django_db

NOW = timezone.now()
KINDS = (
    "exchange.change_event",
    "exchange.webhook_delivery",
    "exchange.hotline_delivery",
    "exchange.open311_token",
)


def days_ago(n: int) -> datetime.datetime:
    return NOW - datetime.timedelta(days=n)


def event(age_days: int, area: str = "410105001") -> ChangeEvent:
    made = ChangeEvent.objects.create(
        type="case.reported", area_code=area, object_type="case", object_id="1", fields=[]
    )
    ChangeEvent.objects.filter(pk=made.pk).update(occurred_at=days_ago(age_days))
    return made


def delivery(channel: str, age_days: int, status: str, source: str = "", key: str = "") -> Outbox:
    row = Outbox.objects.create(
        channel=channel,
        destination="https://receiver.example/hook",
        payload={},
        status=status,
        source=source,
        dedupe_key=key or f"{channel}:{age_days}:{status}:{source}",
    )
    Outbox.objects.filter(pk=row.pk).update(created_at=days_ago(age_days))
    return row


def apply() -> dict:
    return retention.apply(acting_user=system_user(JOBS), now=NOW)


def test_the_kinds_are_registered_with_the_network_log_minimum():
    names = {k.name: k for k in retention.kinds()}
    for name in KINDS:
        assert name in names
    for name in KINDS[:3]:
        assert names[name].minimum_days == retention.SIX_MONTHS_DAYS  # 网络安全法 art. 21
        assert retention.period_days(names[name]) == 365
    assert retention.period_days(names["exchange.open311_token"]) == retention.SIX_MONTHS_DAYS


def test_a_period_below_the_minimum_is_refused(settings):
    settings.GRIDGOV_RETENTION_DAYS = {"exchange.webhook_delivery": "30"}
    errors = [m for m in retention.check_settings() if m.level >= checks.ERROR]
    assert [m.id for m in errors] == ["gridgov.E102"]
    kind = next(k for k in retention.kinds() if k.name == "exchange.webhook_delivery")
    assert retention.period_days(kind) == retention.SIX_MONTHS_DAYS


def test_old_events_go_but_never_one_still_queued_for_an_endpoint():
    old, queued, after_queued = event(500), event(450), event(420)
    recent = event(10)
    delivery("webhook", 450, OutboxStatus.PENDING, f"exchange.changeevent:{queued.pk}")
    removed = apply()
    assert removed["exchange.change_event"] == 1
    left = set(ChangeEvent.objects.values_list("pk", flat=True))
    assert left == {queued.pk, after_queued.pk, recent.pk} and old.pk not in left
    # once delivered, the rest past the period goes on the next run
    Outbox.objects.filter(channel="webhook").update(status=OutboxStatus.SENT)
    assert apply()["exchange.change_event"] == 2
    assert list(ChangeEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert exchange_retention.oldest_kept_event() == recent.pk
    entry = ChangeLog.objects.filter(object_type="audit.retention").order_by("-pk").first()
    assert entry.after["exchange.change_event"] == 2


def test_finished_deliveries_go_queued_ones_stay():
    gone = [
        delivery("webhook", 400, OutboxStatus.SENT),
        delivery("webhook", 400, OutboxStatus.FAILED),
        delivery("12345", 400, OutboxStatus.SENT),
    ]
    kept = [
        delivery("webhook", 400, OutboxStatus.PENDING),  # still retrying
        delivery("webhook", 30, OutboxStatus.SENT),
        delivery("12345", 30, OutboxStatus.SENT),
        delivery("sms", 400, OutboxStatus.SENT),  # not the exchange part's
    ]
    removed = apply()
    assert removed["exchange.webhook_delivery"] == 2
    assert removed["exchange.hotline_delivery"] == 1
    left = set(Outbox.objects.values_list("pk", flat=True))
    assert left == {row.pk for row in kept} and not left & {row.pk for row in gone}


def test_old_open311_tokens_go(users):
    client, _key = issue_client(
        users["admin"], name="市民App", kind=ClientKind.OPEN311, area_codes=["410105"]
    )
    old = Open311Token.objects.create(token="t-old", client=client, request_key="a")
    new = Open311Token.objects.create(token="t-new", client=client, request_key="b")
    Open311Token.objects.filter(pk=old.pk).update(created_at=days_ago(200))
    assert apply()["exchange.open311_token"] == 1
    assert list(Open311Token.objects.values_list("pk", flat=True)) == [new.pk]


def test_large_logs_go_in_chunks(monkeypatch):
    monkeypatch.setattr(exchange_retention, "CHUNK", 3)
    for n in range(7):
        delivery("webhook", 400, OutboxStatus.SENT, key=f"chunk-{n}")
        event(400)
    removed = apply()
    assert removed["exchange.webhook_delivery"] == 7 and removed["exchange.change_event"] == 7
    assert not Outbox.objects.exists() and not ChangeEvent.objects.exists()


def test_the_feed_goes_on_from_the_oldest_kept_event(users, client, settings):
    """A client whose cursor is older than the period reads on from the oldest event kept
    (documented: it must read within the period or catch up through the API)."""
    settings.GRIDGOV_CHANGE_FEED_SETTLE = 0
    _client, key = issue_client(
        users["admin"],
        name="市平台",
        kind=ClientKind.EXCHANGE,
        area_codes=["410105001"],
        data_kinds=["case.*"],
    )
    event(500)
    kept = event(20)
    apply()
    answer = client.get("/api/v1/changes?cursor=0", HTTP_X_API_KEY=key).json()
    assert [e["id"] for e in answer["events"]] == [kept.pk]


def test_the_daily_retention_job_runs_the_exchange_kinds():
    from gridgov.jobs.registry import function_for

    event(500)
    result = function_for("audit.apply_retention")(None)
    assert result["exchange.change_event"] == 1
