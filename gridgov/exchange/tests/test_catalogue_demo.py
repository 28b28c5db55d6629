"""The data-exchange demo loads through the services and leaves packages in the exchange log."""

import io

from gridgov.exchange import demo_data_catalogue
from gridgov.exchange.models import DataApplication, ExchangeLog, ExchangePackage


def test_the_demo_loads_applications_and_packages(users):
    out = io.StringIO()
    demo_data_catalogue.load(stdout=out, scale="", seed=1, size="small")
    assert DataApplication.objects.count() == 3
    assert set(ExchangePackage.objects.values_list("state", flat=True)) == {"done"}
    assert ExchangeLog.objects.count() == 3
    people = ExchangePackage.objects.get(dataset="people")
    assert people.application.state == "approved"
    assert not people.encrypted  # the approved fields are none of the personal ones
    demo_data_catalogue.load(stdout=out, scale="", seed=1, size="small")  # idempotent
    assert DataApplication.objects.count() == 3
