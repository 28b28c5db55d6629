"""An incremental exchange package of one day: N people in the district, C of them changed
since the recipient's last package; the package of the changed people (all fields approved, so
encrypted for the recipient) is produced with the `sm` suite (SM3, SM2, SM4-GCM) and with
`common`, then verified and decrypted as the recipient would (seconds and size).

    .venv/bin/python bench/exchange_package.py              # 200,000 people, 10,000 changed
    .venv/bin/python bench/exchange_package.py --smoke      # 2,000 people, 300 changed
    DATABASE_URL=postgres://… .venv/bin/python bench/exchange_package.py

(bench/exchange.py, run by `make bench`, may call `package_bench()` for its
`BENCH exchange_package_s` line.)
"""

import argparse
import datetime
import random
import time

from _setup import SMOKE, start

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
EDUCATION = ["大学本科", "高中", "初中", "大学专科", "研究生", "小学"]


def package_bench(total: int, changed: int) -> dict:
    from django.utils import timezone

    from gridgov.accounts.models import User
    from gridgov.areas.testing import DISTRICT, STREET_A, STREET_B
    from gridgov.exchange.models import ClientKind, ExchangePackage, PackageState
    from gridgov.exchange.services import catalogue, packages
    from gridgov.exchange.services.clients import issue_client
    from gridgov.registry.models import Person

    admin = User.objects.get(username="admin")
    rng = random.Random(7)
    batch = []
    for i in range(total):
        batch.append(
            Person(
                name=rng.choice(SURNAMES) + rng.choice(SURNAMES) + str(i % 97),
                sex=rng.choice("MF"),
                ethnicity="汉族" if rng.random() < 0.9 else "回族",
                education=rng.choice(EDUCATION),
                marital_status=rng.choice(["已婚", "未婚"]),
                political_status="群众",
                birth_date=datetime.date(1950, 1, 1)
                + datetime.timedelta(days=rng.randrange(25000)),
                area_code=STREET_A if i % 2 else STREET_B,
            )
        )
        if len(batch) == 5000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)
    now = timezone.now()
    last = now - datetime.timedelta(days=1)
    Person.objects.update(updated_at=last - datetime.timedelta(hours=1))
    ids = list(Person.objects.order_by("?").values_list("pk", flat=True)[:changed])
    Person.objects.filter(pk__in=ids).update(updated_at=last + datetime.timedelta(hours=3))

    client, _key = issue_client(
        admin, name="市大数据局", kind=ClientKind.EXCHANGE, area_codes=[DISTRICT]
    )
    receiver = {alg: packages._new_key(alg) for alg in ("sm2", "x25519")}
    packages.set_recipient_keys(
        admin, client, sm2_public=receiver["sm2"][1], x25519_public=receiver["x25519"][1]
    )
    d = catalogue.DATASETS["people"]
    app = catalogue.apply_for(
        admin,
        client,
        dataset_key="people",
        fields=[f.name for f in d.fields],
        purpose="bench",
        legal_basis="bench",
        recipient="市大数据局",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    catalogue.decide(admin, app, approve=True, reason="bench")
    result = {}
    # the recipient's previous package of the data set ended a day ago
    ExchangePackage.objects.create(
        client=client,
        dataset="people",
        state=PackageState.DONE,
        until=last,
        requested_by=admin,
        application=app,
    )
    for suite in ("sm", "common"):
        ExchangePackage.objects.filter(client=client).update(until=last)
        package = packages.request_package(admin, client, dataset_key="people", suite=suite)
        began = time.monotonic()
        package = packages.produce(package)
        made = time.monotonic() - began
        assert package.state == PackageState.DONE, package.error
        assert package.records == changed, (package.records, changed)
        signer = packages.platform_public_keys()["sm2" if suite == "sm" else "ed25519"]
        began = time.monotonic()
        _manifest, rows = packages.read_package(
            bytes(package.content), trusted_signers=[signer], private_keys=receiver
        )
        read = time.monotonic() - began
        assert len(rows) == changed
        result[suite] = {"seconds": made, "bytes": len(package.content), "verify_s": read}
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000 if SMOKE else 200_000)
    parser.add_argument("--changed", type=int, default=300 if SMOKE else 10_000)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    start("exchange-package")
    from gridgov.accounts.models import Role
    from gridgov.accounts.services import create_user
    from gridgov.accounts.system import SETUP, system_user
    from gridgov.areas.testing import DISTRICT, build_tree

    build_tree()
    create_user(
        actor=system_user(SETUP),
        username="admin",
        password="pw-admin-bench",
        role=Role.ADMIN,
        scope_codes=[DISTRICT],
        full_name="admin",
    )
    from _setup import vendor

    print(f"database: {vendor()}; {args.people} people, {args.changed} changed in a day")
    result = package_bench(args.people, args.changed)
    for suite, r in result.items():
        print(
            f"  {suite}: produced in {r['seconds']:.2f} s, {r['bytes'] / 1e6:.2f} MB, "
            f"verified and decrypted in {r['verify_s']:.2f} s"
        )
    print(f"BENCH exchange_package_s {result['sm']['seconds']:.2f} s")
    print(f"BENCH exchange_package_common_s {result['common']['seconds']:.2f} s")
    print(f"BENCH exchange_package_mb {result['sm']['bytes'] / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
