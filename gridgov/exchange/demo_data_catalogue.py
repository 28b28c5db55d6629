"""Demo of the data exchange: the city big-data bureau as a recipient of the district's data,
with one approved application (people, a few fields), one waiting, one refused, and packages of
case facts, population statistics and the approved people fields in the exchange log."""

import datetime

from django.utils import timezone

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.exchange.models import ClientKind, ClientSystem
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client

NAME = "市大数据管理局共享交换平台"


def load(*, stdout, scale: str = "", seed: int = 0, size: str = "full", **options) -> None:
    admin = User.objects.filter(username="admin").first()
    district = Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    if admin is None or district is None or ClientSystem.objects.filter(name=NAME).exists():
        return
    client, _key = issue_client(
        admin,
        name=NAME,
        kind=ClientKind.EXCHANGE,
        area_codes=[district.code],
        owner_unit="市大数据管理局",
        contact="共享交换科",
    )
    keys = {alg: packages._new_key(alg) for alg in ("sm2", "x25519")}
    packages.set_recipient_keys(
        admin, client, sm2_public=keys["sm2"][1], x25519_public=keys["x25519"][1]
    )
    today = timezone.localdate()
    approved = catalogue.apply_for(
        admin,
        client,
        dataset_key="people",
        fields=["id", "sex", "ethnicity", "education", "registration"],
        purpose="全市人口结构分析（不含身份信息）",
        legal_basis="《中华人民共和国统计法》第七条",
        expires_on=today + datetime.timedelta(days=365),
    )
    catalogue.decide(admin, approved, approve=True, reason="字段已最小化，依法共享")
    refused = catalogue.apply_for(
        admin,
        client,
        dataset_key="households",
        fields=["id", "number", "head_name"],
        purpose="户籍比对",
        legal_basis="（未说明）",
        expires_on=today + datetime.timedelta(days=90),
    )
    catalogue.decide(admin, refused, approve=False, reason="未说明法律依据，户主姓名不予提供")
    catalogue.apply_for(
        admin,
        client,
        dataset_key="special_populations",
        fields=["id", "category", "risk_level"],
        purpose="社区矫正对象衔接管理",
        legal_basis="《中华人民共和国社区矫正法》第五条",
        recipient="市司法局社区矫正管理科",
        expires_on=today + datetime.timedelta(days=180),
    )
    for key, suite in (("case_facts", "common"), ("population_stats", "sm"), ("people", "sm")):
        packages.request_package(admin, client, dataset_key=key, suite=suite)
    made = packages.produce_queued()
    stdout.write(f"  data exchange: {NAME}, 3 applications, {made} packages")
