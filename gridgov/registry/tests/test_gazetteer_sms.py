"""SMS intake with the gazetteer: an address the text names, when it names exactly one, locates
the case at once; otherwise the case waits to be located as before."""

import pytest

from gridgov.cases.models import Case
from gridgov.notify.delivery import receive_text
from gridgov.registry import gazetteer_build

ROWS = [
    {"kind": "intersection", "name": "经八路与纬五路交叉口", "lon": "113.607", "lat": "34.717"},
    {"kind": "landmark", "name": "金水区人民医院", "lon": "113.606", "lat": "34.718"},
    {"kind": "landmark", "name": "花园路人民医院", "lon": "113.626", "lat": "34.718"},
]


@pytest.fixture
def places(users, tree):
    assert gazetteer_build.import_addresses(users["admin"], ROWS, dry_run=False).written == 3


def test_an_sms_naming_one_address_is_located(places, tree):
    case, created = receive_text(
        phone="13812345678", text="纬五路和经八路路口井盖丢了，很危险", message_id="msg-0001"
    )
    assert created and not case.needs_locating
    assert (case.lon, case.lat) == (113.607, 34.717)
    assert case.address == "经八路与纬五路交叉口"
    assert case.area_code.startswith(tree.streets[0].code)


def test_an_sms_naming_several_or_none_waits(places):
    first, _ = receive_text(phone="13812345678", text="人民医院门口垃圾很多", message_id="msg-0002")
    second, _ = receive_text(phone="13812345678", text="我家楼下路灯坏了", message_id="msg-0003")
    assert first.needs_locating and second.needs_locating
    assert Case.objects.filter(needs_locating=True).count() == 2


def test_the_gateway_api_locates_too(places, client, settings):
    settings.GRIDGOV_SMS_INBOUND_TOKEN = "gateway-secret"
    body = {"from": "13812345678", "text": "金水区人民医院门口积水", "message_id": "gw-9"}
    answer = client.post(
        "/api/v1/cases/sms", body, content_type="application/json",
        HTTP_X_GRIDGOV_TOKEN="gateway-secret",
    )  # fmt: skip
    assert answer.status_code == 201
    case = Case.objects.get()
    assert not case.needs_locating and case.address == "金水区人民医院"
