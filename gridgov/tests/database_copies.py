"""Test databases made by copying one migrated database instead of migrating in every xdist
worker (30 s of CPU each on SQLite, more on PostgreSQL, and both workers at once on two cores).

- SQLite in memory: the worker's database is a copy of the migrated file that the tests running
  the platform in other processes share (gridgov/tests/migrated.py).
- PostgreSQL: the first worker migrates a template database named by the same digest of the
  code; every worker's database is `CREATE DATABASE … TEMPLATE` of it (under an advisory lock,
  so one migrates while the other waits). Templates of older code are dropped.

Anything else (a file database, keepdb, serialized contents) is made the usual way.
"""

import sqlite3

from django.conf import settings
from django.db.backends.postgresql.creation import DatabaseCreation as PostgresCreation
from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation

from gridgov.tests.migrated import code_digest, migrated_database

TEMPLATE_PREFIX = "gridgov_migrated_"
ADVISORY_LOCK = 0x67726964  # any fixed number: one lock per PostgreSQL cluster


def make_test_databases_from_copies() -> None:
    SQLiteCreation.create_test_db = _sqlite_from_copy(SQLiteCreation.create_test_db)
    PostgresCreation.create_test_db = _postgres_from_template(PostgresCreation.create_test_db)


def _use(creation, name: str) -> str:
    """Point the connection (and the settings, as Django's own creation does) at `name`."""
    creation.connection.close()
    settings.DATABASES[creation.connection.alias]["NAME"] = name
    creation.connection.settings_dict["NAME"] = name
    creation.connection.ensure_connection()
    return name


def _sqlite_from_copy(create):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        name = self._get_test_db_name()
        if not self.is_in_memory_db(name) or serialize or keepdb:
            return create(self, verbosity, autoclobber, serialize, keepdb)
        _use(self, name)
        source = sqlite3.connect(migrated_database())
        try:
            source.backup(self.connection.connection)
        finally:
            source.close()
        return name

    return create_test_db


def _postgres_from_template(create):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if serialize or keepdb:
            return create(self, verbosity, autoclobber, serialize, keepdb)
        name = self._get_test_db_name()
        template = TEMPLATE_PREFIX + code_digest()
        quote = self.connection.ops.quote_name
        with self._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK])
            try:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
                if cursor.fetchone() is None:
                    _migrate_template(self, create, template, cursor)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK])
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)}")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        return _use(self, name)

    return create_test_db


def _migrate_template(creation, create, template: str, cursor) -> None:
    """Migrate `template` the usual way, then leave it with no connection (a template must have
    none) and drop the templates of other code."""
    test_settings = creation.connection.settings_dict["TEST"]
    chosen = test_settings.get("NAME")
    test_settings["NAME"] = template
    try:
        create(creation, 0, True, False, False)
    finally:
        test_settings["NAME"] = chosen
        creation.connection.close()
    cursor.execute(
        "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s",
        [TEMPLATE_PREFIX + "%", template],
    )
    for (old,) in cursor.fetchall():
        cursor.execute(f"DROP DATABASE IF EXISTS {creation.connection.ops.quote_name(old)}")
