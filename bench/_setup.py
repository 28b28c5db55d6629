"""Shared start of the benchmark scripts: a throw-away data folder and database, then Django.

Every bench accepts `--smoke` (a small, quick run that checks the bench works) and `--keep`
(leave the throw-away folder for a look afterwards; by default it is deleted when the bench
ends, also when it fails or is interrupted).
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SMOKE = "--smoke" in sys.argv
KEEP = "--keep" in sys.argv


def _remove(folder: Path) -> None:
    if KEEP:
        print(f"kept {folder}")
    else:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def scratch(name: str) -> Iterator[Path]:
    """A throw-away folder, deleted when the block ends (unless --keep)."""
    folder = Path(tempfile.mkdtemp(prefix=f"gridgov-bench-{name}-"))
    try:
        yield folder
    finally:
        _remove(folder)


def throwaway(name: str) -> Path:
    """A throw-away folder for a bench written as a plain script: deleted at exit, also after an
    exception, Ctrl-C or SIGTERM (unless --keep)."""
    folder = Path(tempfile.mkdtemp(prefix=f"gridgov-bench-{name}-"))
    atexit.register(_remove, folder)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return folder


def _throwaway_postgres(url: str, name: str) -> str:
    """A fresh database beside the one DATABASE_URL names, dropped at exit (unless --keep):
    a bench never writes into a database in use."""
    import psycopg

    base, _, _ = url.rpartition("/")
    database = f"gridgov_bench_{name.replace('-', '_')}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {database}")

    def drop() -> None:
        if KEEP:
            print(f"kept database {database}")
            return
        from django.db import connections

        connections.close_all()
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")

    atexit.register(drop)
    return f"{base}/{database}"


def start(name: str, keep_database_url: bool = True, fresh_postgres: bool = True) -> Path:
    """Point gridgov at a fresh folder and a fresh database: SQLite in the folder, or with a
    PostgreSQL DATABASE_URL a new database on that server; set up Django."""
    folder = throwaway(name)
    os.environ["GRIDGOV_VAR_DIR"] = str(folder)
    url = os.environ.get("DATABASE_URL", "")
    if not (keep_database_url and url):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
        sys.path.insert(0, str(ROOT))
        from gridgov.tests.migrated import migrated_database

        # a copy of the migrated database this code makes (made once, kept in var/migrated)
        shutil.copyfile(migrated_database(), folder / "bench.sqlite3")
    elif fresh_postgres and url.startswith("postgres"):
        os.environ["DATABASE_URL"] = _throwaway_postgres(url, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return folder


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk() -> str:
    """The wrk load generator, installed from Debian when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run(
        [*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True, stdout=subprocess.DEVNULL
    )
    return shutil.which("wrk")
