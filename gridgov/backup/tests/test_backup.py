"""Back up, wipe, restore, compare: on the database the suite runs on (SQLite, or PostgreSQL
when DATABASE_URL is set)."""

import io
import json
import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from gridgov.areas.models import Area
from gridgov.areas.testing import build_tree
from gridgov.backup import services
from gridgov.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def installation(settings, tmp_path):
    """A data folder with a key file and an uploaded photo, and some rows."""
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    (settings.MEDIA_ROOT / "cases" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "2026" / "photo.jpg").write_bytes(b"\xff\xd8photo\x00" * 100)
    (settings.VAR_DIR / "secret_key").write_text("the-secret")
    (settings.VAR_DIR / "keys").mkdir()
    (settings.VAR_DIR / "keys" / "sm4.key").write_bytes(b"\x01" * 16)
    (settings.VAR_DIR / "static").mkdir()
    (settings.VAR_DIR / "static" / "app.css").write_text("rebuilt by collectstatic")
    build_tree()
    make_user("op_a", "street_operator", ["410105001"], phone="13800000000")
    return settings.VAR_DIR


def _snapshot() -> list:
    out = io.StringIO()
    call_command("dumpdata", "areas", "accounts", "audit", exclude=["contenttypes"], stdout=out)
    return json.loads(out.getvalue())


def test_backup_wipe_restore_gives_back_rows_files_and_keys(installation, tmp_path):
    before = _snapshot()
    assert any(r["model"] == "accounts.user" and r["fields"]["username"] == "op_a" for r in before)
    archive = tmp_path / "out" / "backup.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    manifest = services.read_manifest(archive)
    assert manifest["database"]["vendor"] == connection.vendor
    assert {"var/secret_key", "var/keys/sm4.key", "media/cases/2026/photo.jpg"} <= set(
        manifest["files"]
    )
    assert not any(n.startswith("var/static") for n in manifest["files"])
    assert archive.stat().st_mode & 0o077 == 0

    call_command("flush", interactive=False, verbosity=0)
    for p in [installation / "secret_key", installation / "keys" / "sm4.key"]:
        p.unlink()
    (installation / "media" / "cases" / "2026" / "photo.jpg").unlink()
    assert not Area.objects.exists()

    call_command("restore", archive, interactive=False, stdout=io.StringIO())
    assert _snapshot() == before
    assert (installation / "secret_key").read_text() == "the-secret"
    assert (installation / "keys" / "sm4.key").read_bytes() == b"\x01" * 16
    photo = installation / "media" / "cases" / "2026" / "photo.jpg"
    assert photo.read_bytes() == b"\xff\xd8photo\x00" * 100
    # The restored database takes new rows (sequences came back too).
    make_user("op_new", "street_operator", ["410105001"])


def test_a_damaged_archive_is_refused_and_nothing_changes(installation, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    services.backup(archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "var/secret_key":
                data = b"another-secret"
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    make_user("after_backup", "street_operator", ["410105001"])
    with pytest.raises(CommandError, match="checksum mismatch for var/secret_key"):
        call_command("restore", damaged, interactive=False, stdout=io.StringIO())
    assert (installation / "secret_key").read_text() == "the-secret"
    assert any(r["fields"].get("username") == "after_backup" for r in _snapshot())


def test_an_archive_from_a_newer_version_is_refused(installation, tmp_path):
    archive, manifest = services.backup(tmp_path / "backup.tar.gz")
    manifest["migrations"]["areas"] = "9999_from_the_future"
    newer = tmp_path / "newer.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(newer, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(CommandError, match="newer gridgov"):
        call_command("restore", newer, interactive=False, stdout=io.StringIO())
