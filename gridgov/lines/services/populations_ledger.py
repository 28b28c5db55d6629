"""Ledger warnings of the special populations and rentals: raised once per kind and subject
while open (jobs may ask again), resolved when the cause is gone; an escalated (flagged) one
notifies the supervisors of the area at once."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.accounts.permissions import Role
from gridgov.lines.models import LedgerWarning
from gridgov.notify.services import notify

SUPERVISOR_ROLES = (Role.COMMUNITY_STAFF, Role.STREET_OPERATOR, Role.DISTRICT_OPERATOR)


def supervisors(area_code: str) -> list[User]:
    """Active community, street and district staff whose scope holds the area."""
    prefixes = [area_code[:n] for n in range(2, len(area_code) + 1)]
    return list(
        User.objects.filter(
            is_active=True, role__in=SUPERVISOR_ROLES, scope_areas__code__in=prefixes
        )
        .distinct()
        .order_by("pk")
    )


def raise_warning(
    *,
    kind: str,
    subject,
    title: str,
    area_code: str,
    flagged: bool = False,
    sensitive: bool = False,
    now: datetime.datetime | None = None,
    url: str = "",
) -> LedgerWarning | None:
    """Open a warning unless one of this kind is open for the subject; None when it was."""
    subject_type = subject._meta.label_lower
    if LedgerWarning.objects.filter(
        kind=kind, subject_type=subject_type, subject_id=subject.pk, resolved_at__isnull=True
    ).exists():
        return None
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin must not abort the caller
            warning = LedgerWarning.objects.create(
                kind=kind,
                subject_type=subject_type,
                subject_id=subject.pk,
                title=title[:200],
                flagged=flagged,
                sensitive=sensitive,
                raised_at=now or timezone.now(),
                area_code=area_code,
            )
    except IntegrityError:
        return None
    if flagged:
        notify(
            supervisors(area_code),
            title,
            url=url,
            source="lines",
            area_code=area_code,
        )
    return warning


def resolve_warnings(subject, *kinds: str, now: datetime.datetime | None = None) -> int:
    return LedgerWarning.objects.filter(
        kind__in=kinds,
        subject_type=subject._meta.label_lower,
        subject_id=subject.pk,
        resolved_at__isnull=True,
    ).update(resolved_at=now or timezone.now())
