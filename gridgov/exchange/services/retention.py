"""Retention of the exchange part's records (registered on import, from the AppConfig).

- `exchange.change_event`: the change feed. Events are thin (no personal values) but they are
  the network log of what other systems were told; kept a year by default, never less than six
  months. An event still waiting in a webhook endpoint's queue is never removed, nor any event
  after it. The pull feed keeps no cursor on the server: a client that stops reading for longer
  than the period finds, on its return, the feed going on from the oldest event kept
  (docs/privacy.md says what it must do then).
- `exchange.webhook_delivery` and `exchange.hotline_delivery`: the delivery log of webhooks and
  of the steps told to 12345 (outbox rows of those channels that are sent or finally failed).
  A queued or retrying delivery is never removed.
- `exchange.open311_token`: the tokens Open311 clients get for their POSTed requests (and the
  retry keys kept with them); after the period a token no longer resolves and a retry of the
  same post would make a new request.

The 12345 work order as the hotline sent it names the caller: it is blanked with the case's other
reporter details (`gridgov.cases.services.anonymise`), not here.
"""

import datetime

from django.db.models import Min
from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import SIX_MONTHS_DAYS, DataKind, register

CHUNK = 5000
NETWORK_LOG = _("Cybersecurity Law art. 21: logs kept at least six months")


def _delete_in_chunks(queryset) -> int:
    """Delete the rows of `queryset` a chunk of ids at a time (large logs never load whole)."""
    model = queryset.model
    removed = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return removed
        removed += model.objects.filter(pk__in=ids).delete()[1].get(model._meta.label, 0)


def oldest_queued_event(channel: str = "webhook") -> int | None:
    """The id of the oldest change event still waiting to be delivered to an endpoint."""
    from gridgov.notify.models import Outbox, OutboxStatus

    sources = Outbox.objects.filter(
        channel=channel,
        status=OutboxStatus.PENDING,
        source__startswith="exchange.changeevent:",
    ).values_list("source", flat=True)
    ids = [int(s.rsplit(":", 1)[1]) for s in sources.iterator() if s.rsplit(":", 1)[1].isdigit()]
    return min(ids) if ids else None


def purge_change_events(cutoff: datetime.datetime) -> int:
    from gridgov.exchange.models import ChangeEvent

    old = ChangeEvent.objects.filter(occurred_at__lt=cutoff)
    queued = oldest_queued_event()
    if queued is not None:
        old = old.filter(pk__lt=queued)
    return _delete_in_chunks(old)


def _finished_deliveries(channel: str, cutoff: datetime.datetime):
    from gridgov.notify.models import Outbox, OutboxStatus

    return Outbox.objects.filter(channel=channel, created_at__lt=cutoff).exclude(
        status=OutboxStatus.PENDING
    )


def purge_webhook_deliveries(cutoff: datetime.datetime) -> int:
    return _delete_in_chunks(_finished_deliveries("webhook", cutoff))


def purge_hotline_deliveries(cutoff: datetime.datetime) -> int:
    return _delete_in_chunks(_finished_deliveries("12345", cutoff))


def purge_open311_tokens(cutoff: datetime.datetime) -> int:
    from gridgov.exchange.models import Open311Token

    return _delete_in_chunks(Open311Token.objects.filter(created_at__lt=cutoff))


def oldest_kept_event() -> int | None:
    from gridgov.exchange.models import ChangeEvent

    return ChangeEvent.objects.aggregate(first=Min("pk"))["first"]


def register_kinds() -> None:
    register(
        DataKind(
            name="exchange.change_event",
            label=_("Change feed events"),
            default_days=365,
            minimum_days=SIX_MONTHS_DAYS,
            purge=purge_change_events,
            basis=NETWORK_LOG,
        )
    )
    register(
        DataKind(
            name="exchange.webhook_delivery",
            label=_("Webhook delivery log"),
            default_days=365,
            minimum_days=SIX_MONTHS_DAYS,
            purge=purge_webhook_deliveries,
            basis=NETWORK_LOG,
        )
    )
    register(
        DataKind(
            name="exchange.hotline_delivery",
            label=_("Delivery log of the steps told to 12345"),
            default_days=365,
            minimum_days=SIX_MONTHS_DAYS,
            purge=purge_hotline_deliveries,
            basis=NETWORK_LOG,
        )
    )
    register(
        DataKind(
            name="exchange.open311_token",
            label=_("Open311 request tokens and retry keys"),
            default_days=SIX_MONTHS_DAYS,
            minimum_days=30,
            purge=purge_open311_tokens,
            basis=_("A client retries and looks up its token within days; 30 days at least"),
        )
    )


register_kinds()
