"""One retention registry for every kind of data the platform keeps.

Each part registers its kinds (in its AppConfig.ready) with a default period and a legal minimum,
and a function that removes what is older than a cutoff. GRIDGOV_RETENTION_DAYS overrides the
periods, never below the minimum (a system check error). The job `audit.apply_retention` applies
the registry and writes the counts it removed to the change log.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridgov.accounts.models import User

# 网络安全法 art. 21: network logs are kept for no less than six months.
SIX_MONTHS_DAYS = 184
THREE_YEARS_DAYS = 3 * 365 + 1


@dataclass(frozen=True)
class DataKind:
    name: str  # "<app>.<kind>", the key of GRIDGOV_RETENTION_DAYS
    label: str | Promise
    default_days: int
    minimum_days: int
    purge: Callable[[datetime.datetime], int]  # removes what is older than the cutoff: count
    basis: str | Promise = ""  # the rule behind the minimum


_KINDS: dict[str, DataKind] = {}


def register(kind: DataKind) -> DataKind:
    if kind.default_days < kind.minimum_days:
        raise ValueError(f"{kind.name}: the default period is below the minimum")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[DataKind]:
    return [_KINDS[name] for name in sorted(_KINDS)]


def _override(kind: DataKind) -> int | None:
    value = settings.GRIDGOV_RETENTION_DAYS.get(kind.name)
    return None if value in (None, "") else int(value)


def period_days(kind: DataKind) -> int:
    """The period in force: the setting, or the default; never below the minimum."""
    try:
        days = _override(kind)
    except ValueError:
        days = None
    return max(kind.minimum_days, days if days is not None else kind.default_days)


def check_settings(**kwargs) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    for name in sorted(set(settings.GRIDGOV_RETENTION_DAYS) - set(_KINDS)):
        messages.append(
            checks.Warning(
                f"GRIDGOV_RETENTION_DAYS names {name!r}, which no part registers.",
                hint="Known kinds: " + ", ".join(sorted(_KINDS)),
                id="gridgov.W101",
            )
        )
    for kind in kinds():
        try:
            days = _override(kind)
        except ValueError:
            messages.append(
                checks.Error(
                    f"GRIDGOV_RETENTION_DAYS[{kind.name!r}] is not a whole number of days.",
                    id="gridgov.E101",
                )
            )
            continue
        if days is not None and days < kind.minimum_days:
            messages.append(
                checks.Error(
                    f"GRIDGOV_RETENTION_DAYS[{kind.name!r}] = {days} is below the minimum of "
                    f"{kind.minimum_days} days ({kind.basis}).",
                    id="gridgov.E102",
                )
            )
    return messages


def apply(*, acting_user: User, now: datetime.datetime | None = None) -> dict[str, int]:
    """Remove, kind by kind, what is older than its period; the counts go to the change log."""
    from gridgov.audit.services import record_event

    now = now or timezone.now()
    removed: dict[str, int] = {}
    for kind in kinds():
        with transaction.atomic():
            removed[kind.name] = kind.purge(now - datetime.timedelta(days=period_days(kind)))
    if any(removed.values()):
        record_event(
            actor=acting_user,
            object_type="audit.retention",
            object_repr=str(_("Retention")),
            after={name: count for name, count in removed.items() if count},
            note=str(_("Data past its retention period removed")),
        )
    return removed


def register_audit_logs() -> None:
    from gridgov.audit import chain
    from gridgov.audit.models import AccessLog, ChangeLog

    basis = _("Cybersecurity Law art. 21: logs kept at least six months")
    for model, label in (
        (ChangeLog, _("Change log")),
        (AccessLog, _("Access log of personal data")),
    ):
        register(
            DataKind(
                name=model._meta.label_lower,
                label=label,
                default_days=THREE_YEARS_DAYS,
                minimum_days=SIX_MONTHS_DAYS,
                purge=lambda cutoff, model=model: chain.purge_before(model, cutoff),
                basis=basis,
            )
        )
