"""Exchange packages: produced with both suites, verified and imported elsewhere with the same
counts; a tampered package, an untrusted signer and a wrong recipient key are refused;
increments hold only changes; personal data only under an approval, encrypted, access-logged."""

import datetime
import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from gridgov.areas.testing import STREET_A, STREET_B
from gridgov.audit.models import AccessLog
from gridgov.exchange.models import ClientKind, ExchangeLog, ImportedRecord, PackageState
from gridgov.exchange.services import catalogue, packages
from gridgov.exchange.services.clients import issue_client
from gridgov.registry.models import Person


@pytest.fixture
def people(users):
    made = []
    for i, (code, name) in enumerate(
        [(STREET_A, "张三"), (STREET_A, "李四"), (STREET_A, "王五"), (STREET_B, "赵六")]
    ):
        made.append(
            Person.objects.create(
                name=name,
                sex="M" if i % 2 == 0 else "F",
                ethnicity="汉族",
                education="大学本科",
                marital_status="已婚",
                political_status="群众",
                phone="1380000000" + str(i),
                area_code=code,
            )
        )
    return made


@pytest.fixture
def receiver_keys():
    """The receiving system's own keys (another gridgov's platform keys)."""
    sm2 = packages._new_key("sm2")
    x = packages._new_key("x25519")
    return {"sm2": sm2, "x25519": x}


@pytest.fixture
def recipient(users, receiver_keys):
    client, _key = issue_client(
        users["admin"],
        name="市大数据局",
        kind=ClientKind.EXCHANGE,
        area_codes=[STREET_A],
        owner_unit="市大数据管理局",
    )
    packages.set_recipient_keys(
        users["admin"],
        client,
        sm2_public=receiver_keys["sm2"][1],
        x25519_public=receiver_keys["x25519"][1],
    )
    return client


def _approve(users, client, fields=("id", "name", "id_number", "sex", "ethnicity", "phone")):
    app = catalogue.apply_for(
        users["admin"],
        client,
        dataset_key="people",
        fields=list(fields),
        purpose="人口信息比对",
        legal_basis="《统计法》第七条",
        expires_on=timezone.localdate() + datetime.timedelta(days=30),
    )
    return catalogue.decide(users["admin"], app, approve=True, reason="依法比对")


def _made(users, client, **kw):
    package = packages.request_package(users["admin"], client, **kw)
    return packages.produce(package)


@pytest.mark.parametrize("suite", ["sm", "common"])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_personal_package_round_trips_encrypted(
    users, people, recipient, receiver_keys, suite, fmt
):
    _approve(users, recipient)
    package = _made(users, recipient, dataset_key="people", fmt=fmt, suite=suite)
    assert package.state == PackageState.DONE, package.error
    assert package.records == 3 and package.encrypted
    content = bytes(package.content)
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names == ["manifest.json", "manifest.sig", f"people.{fmt}.enc"]
    assert "张三".encode() not in zipfile.ZipFile(io.BytesIO(content)).read(names[2])
    signer = packages.platform_public_keys()["sm2" if suite == "sm" else "ed25519"]
    counts = packages.import_package(
        users["admin"], content, trusted_signers=[signer], private_keys=receiver_keys
    )
    assert counts == {"records": 3, "created": 3, "updated": 0, "deleted": 0}
    rows = {r.data["name"]: r.data for r in ImportedRecord.objects.all()}
    assert set(rows) == {"张三", "李四", "王五"}  # only the client's street
    assert rows["李四"]["sex_code"] == "2" and rows["李四"]["ethnicity_code"] == "01"
    assert rows["张三"]["phone"] != "13800000000"  # masked field
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(content)).read("manifest.json"))
    assert manifest["algorithms"]["hash"] == ("SM3" if suite == "sm" else "SHA-256")
    assert manifest["approval"]["legal_basis"] == "《统计法》第七条"
    log = AccessLog.objects.get(purpose="exchange")
    assert log.record_count == 3 and "id_number" in log.fields
    assert ExchangeLog.objects.get(package=package).records == 3


def test_tampered_untrusted_and_wrongly_keyed_packages_are_refused(
    users, people, recipient, receiver_keys
):
    _approve(users, recipient)
    content = bytes(_made(users, recipient, dataset_key="people").content)
    signer = packages.platform_public_keys()["sm2"]
    src = zipfile.ZipFile(io.BytesIO(content))

    def rebuilt(change):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as zf:
            for name in src.namelist():
                zf.writestr(name, change(name, src.read(name)))
        return out.getvalue()

    data_changed = rebuilt(lambda n, b: b[:-1] + bytes([b[-1] ^ 1]) if n.endswith(".enc") else b)
    manifest_changed = rebuilt(
        lambda n, b: b.replace(b'"records": 3', b'"records": 4') if n == "manifest.json" else b
    )
    for bad in (data_changed, manifest_changed, b"not a zip"):
        with pytest.raises(packages.PackageRefused):
            packages.read_package(bad, trusted_signers=[signer], private_keys=receiver_keys)
    with pytest.raises(packages.PackageRefused, match="trust"):
        packages.read_package(content, trusted_signers=["00" * 64], private_keys=receiver_keys)
    other = {"sm2": packages._new_key("sm2"), "x25519": packages._new_key("x25519")}
    with pytest.raises(packages.PackageRefused, match="another recipient"):
        packages.read_package(content, trusted_signers=[signer], private_keys=other)
    # Even claiming to be the recipient, the wrong private key does not open the data key.
    claimed = {"sm2": (other["sm2"][0], receiver_keys["sm2"][1])}
    with pytest.raises(packages.PackageRefused):
        packages.read_package(content, trusted_signers=[signer], private_keys=claimed)
    assert ImportedRecord.objects.count() == 0


def test_personal_data_needs_an_approval_and_a_recipient_key(users, people, recipient):
    with pytest.raises(PermissionDenied):
        packages.request_package(users["admin"], recipient, dataset_key="people")
    with pytest.raises(PermissionDenied):
        packages.request_package(users["admin"], recipient, dataset_key="key_population_tags")
    _approve(users, recipient)
    packages.set_recipient_keys(users["admin"], recipient, sm2_public="", x25519_public="")
    with pytest.raises(ValidationError):
        packages.request_package(users["admin"], recipient, dataset_key="people")
    with pytest.raises(ValidationError):
        packages.set_recipient_keys(users["admin"], recipient, sm2_public="zz")


def test_an_increment_holds_only_what_changed(users, people, recipient, receiver_keys):
    first = _made(users, recipient, dataset_key="organizations", suite="common")
    assert first.state == PackageState.DONE and not first.encrypted and first.records == 0
    from gridgov.registry.models import Organization

    org = Organization.objects.create(name="甲超市", industry="零售", area_code=STREET_A)
    Organization.objects.create(name="乙公司", industry="软件开发", area_code=STREET_B)
    second = _made(users, recipient, dataset_key="organizations", suite="common")
    assert second.records == 1 and second.since == first.until
    org.name = "甲超市（更名）"
    org.save()
    third = _made(users, recipient, dataset_key="organizations", suite="common")
    assert third.records == 1
    signer = packages.platform_public_keys()["ed25519"]
    for p in (second, third):
        packages.import_package(users["admin"], bytes(p.content), trusted_signers=[signer])
    row = ImportedRecord.objects.get(dataset="organizations")
    assert row.data["name"] == "甲超市（更名）" and row.data["industry_code"] == "F"
    full = _made(users, recipient, dataset_key="organizations", full=True)
    assert full.records == 1 and full.since is None


def test_an_increment_carries_deletions_and_merges_and_the_counts_stay_equal(
    users, people, recipient, receiver_keys
):
    """Imported elsewhere, increments keep the same counts as the source after a merge of two
    people and the deletion of an organization (the deletions travel as keys, signed)."""
    from gridgov.audit.models import ChangeAction
    from gridgov.audit.services import record_change
    from gridgov.registry.models import Organization
    from gridgov.registry.services import merge_people

    _approve(users, recipient)
    signer = packages.platform_public_keys()["sm2"]
    orgs = [
        Organization.objects.create(name=n, industry="零售", area_code=STREET_A)
        for n in ("甲超市", "乙超市")
    ]

    def exchange(dataset_key: str) -> dict:
        package = _made(users, recipient, dataset_key=dataset_key)
        assert package.state == PackageState.DONE, package.error
        return packages.import_package(
            users["admin"],
            bytes(package.content),
            trusted_signers=[signer],
            private_keys=receiver_keys,
        )

    def imported(dataset_key: str) -> int:
        return ImportedRecord.objects.filter(dataset=dataset_key).count()

    assert exchange("people")["created"] == 3 and exchange("organizations")["created"] == 2
    zhang, li = people[0], people[1]
    merge_people(zhang, li, actor=users["admin"])
    gone = orgs[1]
    record_change(actor=users["admin"], action=ChangeAction.DELETE, instance=gone)
    gone.delete()

    package = _made(users, recipient, dataset_key="people")
    zf = zipfile.ZipFile(io.BytesIO(bytes(package.content)))
    deleted = [json.loads(line) for line in zf.read("deleted.jsonl").decode().splitlines()]
    assert deleted == [{"key": str(li.pk), "reason": "merged", "merged_into": str(zhang.pk)}]
    assert "李四" not in zf.read("deleted.jsonl").decode()  # keys only
    counts = packages.import_package(
        users["admin"], bytes(package.content), trusted_signers=[signer], private_keys=receiver_keys
    )
    assert counts["deleted"] == 1
    live = Person.objects.filter(area_code__startswith=STREET_A, merged_into__isnull=True)
    assert imported("people") == live.count() == 2
    assert exchange("organizations")["deleted"] == 1
    assert imported("organizations") == Organization.objects.count() == 1
    # a tampered list of deletions is refused like any other file
    src = zipfile.ZipFile(io.BytesIO(bytes(package.content)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in src.namelist():
            data = src.read(name)
            zf.writestr(
                name, data.replace(str(li.pk).encode(), b"999999") if "deleted" in name else data
            )
    with pytest.raises(packages.PackageRefused, match="hash"):
        packages.read_package(out.getvalue(), trusted_signers=[signer], private_keys=receiver_keys)


def test_statistics_and_an_import_into_a_fresh_database_give_equal_counts(users, people, recipient):
    package = _made(users, recipient, dataset_key="population_stats", fmt="csv")
    assert package.records == 1 and not package.encrypted
    content = bytes(package.content)
    signer = packages.platform_public_keys()["sm2"]
    Person.objects.all().delete()  # the receiving side starts without these rows
    counts = packages.import_package(users["admin"], content, trusted_signers=[signer])
    assert counts["records"] == 1
    row = ImportedRecord.objects.get(dataset="population_stats")
    assert row.data["area_code"] == STREET_A and row.data["people"] == "3"


def test_the_job_produces_queued_packages_with_progress(users, people, recipient):
    from gridgov.exchange.tasks_catalogue import produce_packages

    packages.request_package(users["admin"], recipient, dataset_key="cases")
    packages.request_package(users["admin"], recipient, dataset_key="places")
    seen = []

    class Ctx:
        def progress(self, done, total, *args, **kwargs):
            seen.append((done, total))

    assert produce_packages(Ctx()) == {"produced": 2}
    assert seen[-1] == (2, 2)
    assert ExchangeLog.objects.filter(event="produced").count() == 2


def test_the_import_command_verifies_and_imports(users, people, recipient, tmp_path):
    from django.core.management import CommandError, call_command

    package = _made(users, recipient, dataset_key="population_stats", suite="common")
    path = tmp_path / "p.zip"
    path.write_bytes(bytes(package.content))
    signer = packages.platform_public_keys()["ed25519"]
    out = io.StringIO()
    call_command("import_package", str(path), "--signer", signer, stdout=out)
    assert "imported 1 records (1 new, 0 updated)" in out.getvalue()
    with pytest.raises(CommandError, match="Refused"):
        call_command("import_package", str(path), "--signer", "00" * 32)
    with pytest.raises(CommandError):
        call_command("import_package", str(path))
    out = io.StringIO()
    call_command("import_package", "--show-keys", stdout=out)
    assert json.loads(out.getvalue())["ed25519"] == signer


def test_sm2_keys_starting_with_04_sign_and_open():
    """gmssl strips a leading "04" (and the 0s and 4s after it) from a public key it is given;
    keys are set past that, and the encryption is the standard one with its C3 check."""
    private = f"{11:064x}"
    public = "04b3cb10c9c6d8e27c1aab770f67f543125dcdd589c2ff82668c74d78ce20ace63516355287e39fe4918e5c02e2b0b930c94816e63c4bc72739a8fd805174a4b"
    signature = packages._sm2(private, public).sign_with_sm3(b"manifest")
    assert packages.verify("sm", b"manifest", signature, public)
    assert not packages.verify("sm", b"manifest!", signature, public)
    wrapped = packages.sm2_encrypt(public, b"k" * 16)
    assert wrapped[0] == 4 and len(wrapped) == 1 + 64 + 32 + 16
    assert packages.sm2_decrypt(private, wrapped) == b"k" * 16
    with pytest.raises(packages.PackageRefused):
        packages.sm2_decrypt(f"{12:064x}", wrapped)
    tampered = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
    with pytest.raises(packages.PackageRefused):
        packages.sm2_decrypt(private, tampered)
