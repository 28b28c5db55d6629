import pytest

from gridgov.jobs.tests.processes import migrated_db, platform  # noqa: F401 (fixtures)
from gridgov.notify.testing.kannel import Kannel, installed

INBOUND_TOKEN = "inbound-test-token"


@pytest.fixture(scope="session")
def kannel(live_server, tmp_path_factory):
    """One Kannel (bearerbox, smsbox, fakesmsc) per test worker, calling back the live server."""
    if not installed():
        pytest.skip(
            "Kannel is not installed here (apt-get install kannel kannel-extras; `make test` does)"
        )
    running = Kannel(tmp_path_factory.mktemp("kannel"), live_server.url, INBOUND_TOKEN).start()
    yield running
    running.stop()


@pytest.fixture
def through_kannel(kannel, settings):
    """The platform's SMS settings pointed at the worker's Kannel."""
    for name, value in kannel.settings().items():
        setattr(settings, name, value)
    return kannel
