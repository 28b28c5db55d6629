from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
