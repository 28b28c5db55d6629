"""Corrections sent from the phone are kept 90 days after they were applied or resolved
(GRIDGOV_RETENTION_DAYS["mobile.correction"]): long enough for a phone's outbox to send one
again and get its first answer back; what was written stays in the registry's change log. Open
conflicts stay until the member or the desk resolves them."""

import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import DataKind, register


def purge_corrections(cutoff: datetime.datetime) -> int:
    from gridgov.mobile.models import Correction, CorrectionState

    done = Correction.objects.exclude(state=CorrectionState.CONFLICT).filter(
        Q(resolved_at__lt=cutoff) | Q(resolved_at__isnull=True, created_at__lt=cutoff)
    )
    removed, _by_model = done.delete()
    return removed


def register_kinds() -> None:
    register(
        DataKind(
            name="mobile.correction",
            label=_("Corrections sent from the phone"),
            default_days=90,
            minimum_days=30,
            purge=purge_corrections,
            basis=_("Personal Information Protection Law art. 19: kept no longer than needed"),
        )
    )
