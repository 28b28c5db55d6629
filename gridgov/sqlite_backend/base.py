"""SQLite with a writers' queue that wakes at once.

Several gunicorn workers share one SQLite file. When a write transaction finds the database
locked, SQLite's busy handler sleeps in growing steps (1, 2, 5, 10 … ms) although the lock is
usually free again after a fraction of a millisecond. Here each write transaction first takes an
exclusive `flock` on a file beside the database, which the kernel hands to the next writer the
moment it is released: writers queue instead of sleeping. Readers are not affected (WAL).

The write-ahead log is copied back into the database (a checkpoint) by the connection that
committed, every CHECKPOINT_EVERY transactions and after it released the lock, so the next
writer does not wait for the copying.
"""

import fcntl
import os

from django.db.backends.sqlite3 import base

# Write transactions between two checkpoints of one connection; SQLite's automatic checkpoint
# (wal_autocheckpoint in settings) stays as the backstop for writes outside transactions.
CHECKPOINT_EVERY = 50


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_fd: int | None = None
    _locked = False
    _commits_since_checkpoint = 0

    def _writer_lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{self.settings_dict['NAME']}.writers"

    def _acquire_writer(self) -> None:
        path = self._writer_lock_path()
        if path is None or self._locked:
            return
        if self._lock_fd is None:
            self._lock_fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._locked = True

    def _release_writer(self) -> None:
        if self._locked and self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        self._locked = False

    def _start_transaction_under_autocommit(self):
        self._acquire_writer()
        try:
            super()._start_transaction_under_autocommit()
        except Exception:
            self._release_writer()
            raise

    def _commit(self):
        try:
            committed = super()._commit()
        finally:
            self._release_writer()
        self._checkpoint_now_and_then()
        return committed

    def _checkpoint_now_and_then(self) -> None:
        """Copy the WAL back into the database every CHECKPOINT_EVERY transactions, after the
        writers' lock is released: SQLite's own automatic checkpoint would run inside the commit,
        with the next writer waiting on the lock for its copying and fsync."""
        self._commits_since_checkpoint += 1
        if self._commits_since_checkpoint < CHECKPOINT_EVERY or self.is_in_memory_db():
            return
        self._commits_since_checkpoint = 0
        self._checkpoint()

    def _checkpoint(self) -> None:
        # PASSIVE: copies what no reader still needs and never waits for anyone.
        self.connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_writer()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_writer()
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
