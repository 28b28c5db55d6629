"""What a public instance keeps of relayed items once the core has them (docs/portal.md).

An Open311 request taken on the public instance holds what the client said of the reporter
(names, phone, email; sealed) only until the core has the case: 30 days after it was delivered
the reporter's fields are blanked (GRIDGOV_RETENTION_DAYS["portal.relayed"], at least 7), while
the token, the core's number and the public copy stay for `tokens/` and `requests/`. A rating or
"not fixed" already done by the core is deleted after the same period. So are joins and follows
the core has had for that long (`RelayFollow`: the core tells those followers by SMS), and then
the citizens who only joined or followed here — no report of their own, nothing waiting, nobody
told from here — are forgotten with their confirmed number (their follows here go with them).
Items not delivered yet (pending or refused) are kept: the core has nothing of them."""

import datetime

from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import DataKind, register


def purge_relayed(cutoff: datetime.datetime) -> int:
    from gridgov.portal.models import RelayAction, RelayRequest
    from gridgov.portal.models.relay import RelayState

    forgotten = _forget_followers(cutoff)

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
    return forgotten + blanked + removed


def _forget_followers(cutoff: datetime.datetime) -> int:
    """(Public) citizens whose only part here was joining or following, all of it with the core
    since before the cutoff: the core tells them now; this side needs their number no longer."""
    from gridgov.portal.models import Citizen, Follower, PortalReport, RelayFollow
    from gridgov.portal.models.relay import RelayState

    old = RelayFollow.objects.filter(state=RelayState.SENT, sent_at__lt=cutoff)
    others = RelayFollow.objects.exclude(state=RelayState.SENT, sent_at__lt=cutoff)
    done_with = (
        Citizen.objects.filter(pk__in=old.values("citizen_id"))
        .exclude(pk__in=others.exclude(citizen=None).values("citizen_id"))
        .exclude(pk__in=PortalReport.objects.exclude(citizen=None).values("citizen_id"))
        .exclude(pk__in=Follower.objects.filter(notify=True).values("citizen_id"))
    )
    citizens, _by_model = done_with.delete()
    follows, _by_model = old.delete()
    return citizens + follows


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
