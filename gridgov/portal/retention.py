"""What a public instance keeps of relayed items once the core has them (docs/portal.md).

An Open311 request taken on the public instance holds what the client said of the reporter
(names, phone, email; sealed) only until the core has the case: 30 days after it was delivered
the reporter's fields are blanked (GRIDGOV_RETENTION_DAYS["portal.relayed"], at least 7), while
the token, the core's number and the public copy stay for `tokens/` and `requests/`. A rating or
"not fixed" already done by the core is deleted after the same period. Items not delivered yet
(pending or refused) are kept: the core has nothing of them."""

import datetime

from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import DataKind, register


def purge_relayed(cutoff: datetime.datetime) -> int:
    from gridgov.portal.models import RelayAction, RelayRequest
    from gridgov.portal.models.relay import RelayState

    delivered = RelayRequest.objects.filter(state=RelayState.SENT, sent_at__lt=cutoff)
    blanked = 0
    for request in delivered.iterator():  # sealed: compared once opened, not in SQL
        if request.reporter:
            request.reporter = ""
            request.save(update_fields=["reporter"])
            blanked += 1
    removed, _by_model = RelayAction.objects.filter(
        state=RelayState.SENT, sent_at__lt=cutoff
    ).delete()
    return blanked + removed


def register_kinds() -> None:
    register(
        DataKind(
            name="portal.relayed",
            label=_("Reporters of Open311 requests and ratings relayed to the core"),
            default_days=30,
            minimum_days=7,
            purge=purge_relayed,
            basis=_("Personal Information Protection Law art. 19: kept no longer than needed"),
        )
    )
