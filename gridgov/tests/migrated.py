"""One migrated, empty SQLite database for every test that runs the platform in other processes
(job workers, the SMS sender, live instances): they copy it instead of migrating (30 s of CPU,
minutes on a busy runner, per worker and module before).

The file is kept in `var/migrated/`, named by a digest of the code that shapes it (every
migration and every non-test module they may import, data files included), so the SQLite and
PostgreSQL runs of one checkout make it once, and a change to a migration makes a new one.
Test processes running side by side (xdist workers) wait for the one making it (a file lock).
"""

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "var" / "migrated"
SHAPING = (".py", ".json", ".csv", ".geojson", ".txt")


def code_digest() -> str:
    """Of every file under gridgov/ that a migration could read, tests, templates, static files
    and catalogs aside."""
    digest = hashlib.sha256(sys.version.encode())
    package = ROOT / "gridgov"
    for path in sorted(package.rglob("*")):
        parts = path.relative_to(package).parts
        if (
            path.suffix not in SHAPING
            or not path.is_file()
            or {"tests", "templates", "static", "locale", "__pycache__"} & set(parts)
        ):
            continue
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def migrated_database() -> Path:
    """The path of the migrated database for this code; copy it, never open it for writing."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    target = FOLDER / f"{code_digest()}.sqlite3"
    if target.exists():
        return target
    with (FOLDER / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            _make(target)
    return target


def _make(target: Path) -> None:
    with tempfile.TemporaryDirectory(dir=FOLDER) as work:
        db = Path(work) / "db.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GRIDGOV_", "DATABASE_"))}
        env |= {
            "DATABASE_URL": f"sqlite:///{db}",
            "GRIDGOV_VAR_DIR": work,
            "GRIDGOV_SECRET_KEY": "test-migrated",
            "DJANGO_SETTINGS_MODULE": "gridgov.settings",
        }
        done = subprocess.run(
            [sys.executable, "-m", "gridgov", "migrate", "--noinput", "-v", "0"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode:
            raise RuntimeError(f"migrate failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        connection = sqlite3.connect(db)
        try:  # everything into the main file, so that a copy of it is whole
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        os.replace(db, target)
    for old in FOLDER.glob("*.sqlite3"):
        if old != target:
            old.unlink(missing_ok=True)
