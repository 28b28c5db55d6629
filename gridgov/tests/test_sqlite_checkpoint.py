"""The SQLite backend copies its write-ahead log back into the database after the writers' lock
is released, so a writer waiting for the lock never waits for a checkpoint's copying."""

import os

import pytest
from django.db.utils import ConnectionHandler

from gridgov.sqlite_backend import base


@pytest.fixture
def wal_database(tmp_path, django_db_blocker):
    django_db_blocker.unblock()  # a database of its own, not the test database
    handler = ConnectionHandler(
        {
            "default": {
                "ENGINE": "gridgov.sqlite_backend",
                "NAME": str(tmp_path / "wal.sqlite3"),
                # SQLite's own automatic checkpoint off: only the backend's may copy the log.
                "OPTIONS": {
                    "init_command": "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0;",
                    "transaction_mode": "IMMEDIATE",
                },
            }
        }
    )
    wrapper = handler["default"]
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, body TEXT)")
    yield wrapper, tmp_path / "wal.sqlite3"
    wrapper.close()
    django_db_blocker.restore()


def write_transaction(wrapper) -> None:
    wrapper._start_transaction_under_autocommit()
    with wrapper.cursor() as cursor:
        cursor.execute("INSERT INTO row (body) VALUES (%s)", ["x" * 3000])
    wrapper.commit()


def test_the_log_is_copied_back_every_n_transactions_outside_the_writers_lock(
    wal_database, monkeypatch
):
    wrapper, path = wal_database
    calls = []
    original = base.DatabaseWrapper._checkpoint

    def watched(self):
        calls.append(self._locked)
        original(self)

    monkeypatch.setattr(base.DatabaseWrapper, "_checkpoint", watched)
    write_transaction(wrapper)
    size_before = os.path.getsize(path)
    for _ in range(base.CHECKPOINT_EVERY - 2):
        write_transaction(wrapper)
    assert calls == []
    assert os.path.getsize(path) == size_before  # everything still only in the log
    write_transaction(wrapper)
    assert calls == [False]  # once, and with the writers' lock already released
    assert os.path.getsize(path) > size_before + 3000 * (base.CHECKPOINT_EVERY - 1)
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM row")
        assert cursor.fetchone()[0] == base.CHECKPOINT_EVERY
