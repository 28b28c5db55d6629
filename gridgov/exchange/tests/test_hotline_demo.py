"""The demo part of the 12345 adapter and the classifier goes through the services."""

import io

import pytest

from gridgov.cases.models import Case, Channel
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.exchange import demo_data_hotline
from gridgov.exchange.models import ClassifierModel, HotlineOrder, Suggestion
from gridgov.exchange.tests.classify_helpers import closed_cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


def test_demo_trains_suggests_and_files_orders(users):
    out = io.StringIO()
    demo_data_hotline.load(stdout=out, scale="district", seed=3, size="small")
    assert "no model" in out.getvalue()  # nothing closed yet: no model, nothing else
    closed_cases()
    demo_data_hotline.load(stdout=out, scale="district", seed=3, size="small")
    assert ClassifierModel.objects.filter(active=True).count() == 1
    assert Suggestion.objects.count() == len(demo_data_hotline.SMS)
    assert HotlineOrder.objects.count() == len(demo_data_hotline.ORDERS)
    assert Case.objects.filter(channel=Channel.HOTLINE_12345).count() == 3
