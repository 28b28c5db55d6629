from gridgov.jobs.tests.processes import migrated_db, platform  # noqa: F401 (fixtures)
