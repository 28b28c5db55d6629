"""Shared start of the benchmark scripts: a throw-away data folder and database, then Django."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(name: str, keep_database_url: bool = True) -> Path:
    """Point gridgov at a fresh folder (and SQLite unless DATABASE_URL is set); set up Django."""
    folder = Path(tempfile.mkdtemp(prefix=f"gridgov-bench-{name}-"))
    os.environ["GRIDGOV_VAR_DIR"] = str(folder)
    if not (keep_database_url and os.environ.get("DATABASE_URL")):
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
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
