"""One archive holds everything an installation needs to come back: the database, the uploaded
files (MEDIA_ROOT) and the key files kept in the data folder (the secret key and any other key
file there), with a manifest of checksums.

    manifest.json          format, gridgov version, time, database vendor, migrations, checksums
    database.sqlite3       SQLite's online backup API: a consistent copy while the site runs
    database.pgdump        or pg_dump's custom format (PostgreSQL), restored with pg_restore
    media/…                uploaded files
    var/…                  files of the data folder (GRIDGOV_VAR_DIR): secret_key and key files

Restore replaces the database with the archive's, writes the files back and refuses an archive
whose checksums do not match or that comes from a newer gridgov than the one installed.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# Data-folder entries that are not the installation's own data: rebuilt, backups themselves, or
# the lock files of running workers.
SKIPPED_VAR_ENTRIES = {"static", "media", "backups", "workers"}


class BackupError(Exception):
    """The archive cannot be written or restored; the message says why."""


@dataclass
class Restored:
    manifest: dict
    files: int


def _gridgov_version() -> str:
    try:
        return version("gridgov")
    except PackageNotFoundError:
        return "unknown"


def _database_files() -> set[Path]:
    """The SQLite file and its companions (WAL, shared memory, the writers' lock)."""
    if connection.vendor != "sqlite" or SQLiteCreation.is_in_memory_db(
        connection.settings_dict["NAME"]
    ):
        return set()
    name = Path(connection.settings_dict["NAME"]).resolve()
    return {name, *(Path(f"{name}{s}") for s in ("-wal", "-shm", "-journal", ".writers"))}


def _files() -> list[tuple[str, Path]]:
    """(name in the archive, path) of the uploaded files and the data folder's own files."""
    found = []
    media = Path(settings.MEDIA_ROOT).resolve()
    if media.is_dir():
        found += [(f"media/{p.relative_to(media)}", p) for p in sorted(media.rglob("*"))]
    var = Path(settings.VAR_DIR).resolve()
    skipped = _database_files()
    for entry in sorted(var.iterdir()):
        if entry.name in SKIPPED_VAR_ENTRIES or entry.name.startswith(".") or entry == media:
            continue
        for p in sorted(entry.rglob("*")) if entry.is_dir() else [entry]:
            if p.resolve() not in skipped:
                found.append((f"var/{p.relative_to(var)}", p))
    return [(name, p) for name, p in found if p.is_file()]


def _pg_env_and_target() -> tuple[dict, list[str]]:
    """pg_dump/pg_restore connection arguments; the password goes by environment, not argv."""
    s = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": str(s.get("PASSWORD") or "")}
    args = ["--dbname", s["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if s.get(key):
            args += [flag, str(s[key])]
    return env, args


def _dump_database(target: Path) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            connection.connection.backup(copy)
        finally:
            copy.close()
    elif connection.vendor == "postgresql":
        env, args = _pg_env_and_target()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, "--file"],
            env,
            target,
        )
    else:
        raise BackupError(f"backups of {connection.vendor} databases are not supported")


def _run(argv: list[str], env: dict, target: Path) -> None:
    if not shutil.which(argv[0]):
        raise BackupError(
            f"{argv[0]} is missing: install the PostgreSQL client (postgresql-client)"
        )
    done = subprocess.run(  # noqa: S603 (fixed PostgreSQL tools, arguments from settings)
        [*argv, str(target)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise BackupError(f"{argv[0]} failed: {done.stderr.strip()}")


def _migrations() -> dict[str, str]:
    """The last applied migration of each app."""
    last: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        last[app] = max(last.get(app, ""), name)
    return last


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def default_output() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"gridgov-{stamp}.tar.gz"


def backup(output: Path | None = None) -> tuple[Path, dict]:
    """Write the archive (readable by its owner only); return its path and manifest."""
    output = Path(output or default_output()).resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".gridgov-backup-") as staging:
        dump = Path(staging) / DUMPS.get(connection.vendor, "database")
        _dump_database(dump)
        members = [(dump.name, dump), *_files()]
        manifest = {
            "format": FORMAT,
            "gridgov_version": _gridgov_version(),
            "created_at": timezone.localtime().isoformat(timespec="seconds"),
            "database": {"vendor": connection.vendor, "file": dump.name},
            "migrations": _migrations(),
            "files": {name: _sha256(path) for name, path in members},
        }
        partial = Path(staging) / "archive.tar.gz"
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        partial.chmod(0o600)
        partial.replace(output)
    return output, manifest


def read_manifest(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        try:
            member = tar.extractfile(MANIFEST)
        except KeyError:
            member = None
        if member is None:
            raise BackupError(f"{archive} is not a gridgov backup (no {MANIFEST})")
        return json.load(member)


def _check_compatible(manifest: dict) -> None:
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"the backup holds a {vendor} database but this installation uses {connection.vendor}"
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    newer = [f"{a}.{n}" for a, n in manifest["migrations"].items() if (a, n) not in known]
    if newer:
        raise BackupError(
            "the backup comes from a newer gridgov (unknown migrations: "
            + ", ".join(sorted(newer))
            + "): install that version or a later one, then restore"
        )


def _extract(archive: Path, manifest: dict, into: Path) -> None:
    """Unpack every listed member into `into`, checking its checksum; nothing else is taken."""
    with tarfile.open(archive, "r:gz") as tar:
        names = set(tar.getnames()) - {MANIFEST}
        if names != set(manifest["files"]):
            raise BackupError("the archive's members differ from its manifest")
        tar.extractall(into, members=[tar.getmember(n) for n in manifest["files"]], filter="data")
    for name, digest in manifest["files"].items():
        if _sha256(into / name) != digest:
            raise BackupError(f"checksum mismatch for {name}: the archive is damaged")


def _load_database(dump: Path) -> None:
    if connection.vendor == "sqlite":
        connections.close_all()
        connection.ensure_connection()
        source = sqlite3.connect(dump)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        env, args = _pg_env_and_target()
        connections.close_all()
        _restore_postgres(dump, env, args)


def _restore_postgres(dump: Path, env: dict, args: list[str]) -> None:
    """The schema dropped and the dump's SQL run in one transaction (psql fed by pg_restore):
    a failure leaves the database as it was. pg_restore --clean cannot drop the constraints a
    partition inherits (the patrol positions are partitioned by month), hence no --clean."""
    pg_restore, psql = shutil.which("pg_restore"), shutil.which("psql")
    if not pg_restore or not psql:
        raise BackupError("pg_restore or psql is missing: install postgresql-client")
    sql = subprocess.Popen(  # noqa: S603 (fixed PostgreSQL tools, arguments from settings)
        [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    done = subprocess.run(  # noqa: S603
        [
            psql,
            "-X",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--command=DROP SCHEMA public CASCADE",
            "--command=CREATE SCHEMA public",
            "--file=-",
            *args,
        ],
        env=env,
        stdin=sql.stdout,
        capture_output=True,
        text=True,
        check=False,
    )
    if sql.stdout is not None:
        sql.stdout.close()
    read_errors = sql.stderr.read().decode(errors="replace") if sql.stderr else ""
    if sql.wait() != 0:
        raise BackupError(f"pg_restore failed: {read_errors.strip()}")
    if done.returncode:
        raise BackupError(f"psql failed: {done.stderr.strip()}")


def restore(archive: Path) -> Restored:
    """Replace the database with the archive's and write its files back (run with the site
    stopped). Files uploaded after the backup stay where they are."""
    archive = Path(archive)
    manifest = read_manifest(archive)
    _check_compatible(manifest)
    var = Path(settings.VAR_DIR)
    with tempfile.TemporaryDirectory(dir=var, prefix=".gridgov-restore-") as staging_dir:
        staging = Path(staging_dir)
        _extract(archive, manifest, staging)
        _load_database(staging / manifest["database"]["file"])
        targets = {"media": Path(settings.MEDIA_ROOT), "var": var}
        files = 0
        for name in manifest["files"]:
            top, _, rest = name.partition("/")
            if top in targets:
                target = targets[top] / rest
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(staging / name, target)
                files += 1
    return Restored(manifest=manifest, files=files)
