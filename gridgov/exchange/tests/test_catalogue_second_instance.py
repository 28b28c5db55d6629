"""An exchange package read by a second gridgov platform: its own process, database and keys.
The receiver's public keys come from its `import_package --show-keys`; the personal package is
encrypted for them, and the receiver's `import_package` verifies the signature and holds the same
rows as the sender counted (its own database, read directly)."""

import contextlib
import json
import sqlite3

import pytest

from gridgov.exchange.models import ClientKind, PackageState
from gridgov.exchange.services import packages
from gridgov.exchange.services.clients import issue_client
from gridgov.exchange.tests.test_catalogue_packages import _approve, _made, people  # noqa: F401
from gridgov.registry.models import Person
from gridgov.tests.instances import Instances

pytestmark = [pytest.mark.slow]


def test_a_package_imported_by_a_second_platform_gives_the_same_counts(users, people, tmp_path):  # noqa: F811
    with Instances(tmp_path / "platforms") as made:
        other = made.create("receiver")
        keys = json.loads(other.manage("import_package", "--show-keys"))
        client, _key = issue_client(
            users["admin"],
            name="另一平台",
            kind=ClientKind.EXCHANGE,
            area_codes=["410105"],
            owner_unit="市大数据管理局",
        )
        packages.set_recipient_keys(
            users["admin"], client, sm2_public=keys["sm2"], x25519_public=keys["x25519"]
        )
        _approve(users, client)
        package = _made(users, client, dataset_key="people", suite="sm")
        assert package.state == PackageState.DONE, package.error
        assert package.encrypted and package.records == Person.objects.count() == 4
        path = tmp_path / "people.zip"
        path.write_bytes(bytes(package.content))
        signer = packages.platform_public_keys()["sm2"]
        answer = other.manage("import_package", str(path), "--signer", signer)
        assert "imported 4 records (4 new, 0 updated)" in answer
        with contextlib.closing(sqlite3.connect(other.db)) as db:
            rows = db.execute(
                "SELECT data FROM exchange_importedrecord WHERE dataset = 'people'"
            ).fetchall()
        names = sorted(json.loads(data)["name"] for (data,) in rows)
        assert names == sorted(Person.objects.values_list("name", flat=True))
        # the same package again changes nothing there: the rows are keyed, not appended
        again = other.manage("import_package", str(path), "--signer", signer)
        assert "imported 4 records (0 new, 4 updated)" in again
