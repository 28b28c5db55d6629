import threading

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started

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


class LiveServerGate:
    """Lets the test thread and the live server take turns with the database.

    With SQLite the test database is in memory, and the live server's threads share the test
    thread's connection: a delivery report Kannel posts while the test thread is inside a
    transaction breaks both (Django's LiveServerTestCase documentation warns of it). A live-server
    request waits at its start until the test thread is out of `with gate:`, and holds the gate
    until its response is closed, so `with gate:` also waits for a request in progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> "LiveServerGate":
        self._lock.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self._lock.release()

    def request_started(self, sender, **kwargs) -> None:
        self._lock.acquire()

    def request_finished(self, sender, **kwargs) -> None:
        self._lock.release()


@pytest.fixture
def through_kannel(kannel, settings):
    """The platform's SMS settings pointed at the worker's Kannel; `through_kannel.gate` is the
    worker's LiveServerGate, to hold around the test thread's database work."""
    for name, value in kannel.settings().items():
        setattr(settings, name, value)
    gate = LiveServerGate()
    # Only the live server's handler: the test client's requests run in the test thread.
    request_started.connect(gate.request_started, sender=WSGIHandler, weak=False)
    request_finished.connect(gate.request_finished, sender=WSGIHandler, weak=False)
    kannel.gate = gate
    yield kannel
    with gate:  # wait for a request of this test still running, then let the next ones be
        request_started.disconnect(gate.request_started, sender=WSGIHandler)
        request_finished.disconnect(gate.request_finished, sender=WSGIHandler)
        del kannel.gate
