"""Retention of the data exchange: packages (they may hold personal data, encrypted) are removed
after 90 days by default; the exchange log is kept three years (个人信息保护法 art. 56: the
records of providing personal information to others are kept at least three years)."""

import datetime

from django.utils.translation import gettext_lazy as _

from gridgov.audit.retention import THREE_YEARS_DAYS, DataKind, register


def purge_packages(cutoff: datetime.datetime) -> int:
    from gridgov.exchange.models import ExchangePackage

    removed, _by_model = ExchangePackage.objects.filter(created_at__lt=cutoff).delete()
    return removed


def purge_log(cutoff: datetime.datetime) -> int:
    from gridgov.exchange.models import ExchangeLog

    removed, _by_model = ExchangeLog.objects.filter(at__lt=cutoff).delete()
    return removed


def register_kinds() -> None:
    register(
        DataKind(
            name="exchange.package",
            label=_("Exchange packages"),
            default_days=90,
            minimum_days=0,
            purge=purge_packages,
            basis=_("Personal Information Protection Law art. 19: kept no longer than needed"),
        )
    )
    register(
        DataKind(
            name="exchange.exchange_log",
            label=_("Exchange log"),
            default_days=THREE_YEARS_DAYS,
            minimum_days=THREE_YEARS_DAYS,
            purge=purge_log,
            basis=_("Personal Information Protection Law art. 56: records kept three years"),
        )
    )
