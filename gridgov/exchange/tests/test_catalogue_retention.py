"""The exchange's retention kinds: packages go after their period, the exchange log stays at
least three years and loses only older rows."""

import datetime

from django.utils import timezone

from gridgov.areas.testing import STREET_A
from gridgov.audit import retention
from gridgov.exchange.models import ClientKind, ExchangeLog, ExchangePackage
from gridgov.exchange.services import catalogue_retention, packages
from gridgov.exchange.services.clients import issue_client


def test_the_kinds_are_registered_with_their_minimums():
    kinds = {k.name: k for k in retention.kinds()}
    assert kinds["exchange.package"].default_days == 90
    assert kinds["exchange.exchange_log"].minimum_days == retention.THREE_YEARS_DAYS


def test_old_packages_and_log_rows_are_purged(users):
    client, _key = issue_client(
        users["admin"], name="市大数据局", kind=ClientKind.EXCHANGE, area_codes=[STREET_A]
    )
    old = packages.produce(
        packages.request_package(users["admin"], client, dataset_key="case_facts")
    )
    new = packages.produce(packages.request_package(users["admin"], client, dataset_key="places"))
    long_ago = timezone.now() - datetime.timedelta(days=400)
    ExchangePackage.objects.filter(pk=old.pk).update(created_at=long_ago)
    ExchangeLog.objects.filter(package=old).update(at=long_ago)
    cutoff = timezone.now() - datetime.timedelta(days=90)
    assert catalogue_retention.purge_packages(cutoff) == 1
    assert list(ExchangePackage.objects.values_list("pk", flat=True)) == [new.pk]
    assert ExchangeLog.objects.count() == 2  # the log outlives the package
    assert catalogue_retention.purge_log(cutoff) == 1
    assert ExchangeLog.objects.count() == 1
