"""Fixtures shared by every part's tests: a small area tree and users of each kind in it."""

import os
import threading
from pathlib import Path

import pytest
from _pytest.nodeid import NodeId
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from gridgov.accounts.models import ForceType
from gridgov.accounts.permissions import Role
from gridgov.accounts.services import UserSpec, bulk_create_users, create_user
from gridgov.accounts.system import SETUP, system_user
from gridgov.areas.locator import locator
from gridgov.areas.testing import DISTRICT, STREET_A, STREET_B, build_tree
from gridgov.cases import deadlines, services, worktime

# Property tests draw the same examples on every run and keep no example database: a failure in
# CI is one anyone can repeat, and the suite's time does not drift with what was found before.
# A busy runner makes any draw slow now and then: that says nothing about the code under test.
hypothesis_settings.register_profile(
    "gridgov", derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("gridgov")


def pytest_configure(config):
    from gridgov.tests.database_copies import make_test_databases_from_copies

    make_test_databases_from_copies()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """With `--dist loadgroup`, keep a module whose tests share a module-scoped fixture (live
    servers, a loaded demo) on one xdist worker, so that the fixture is made once; and make
    `xdist_group` marks work again: pytest-xdist 3.8 writes the group into `item._nodeid`, which
    pytest 9 no longer reads (the id lives in `item._id`), so each worker made such a fixture."""
    _skip_own_sqlite_on_other_databases(items)
    if not getattr(config.option, "loadgroup", False):  # set on the workers of a loadgroup run
        return
    for item in items:
        marked = item.__dict__.get("_nodeid", "")
        group = marked.rpartition("@")[2] if "@" in marked else _module_fixture_group(item)
        if group:
            item._id = NodeId.parse(f"{item.nodeid}@{group}")


DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server"}


def _skip_own_sqlite_on_other_databases(items) -> None:
    """Tests marked `own_sqlite` start the platform in other processes, each on a copy of the
    migrated SQLite file; they never open the database DATABASE_URL names, so a PostgreSQL run
    would repeat the SQLite run's work exactly. Such a test may not also use the test database,
    or the mark would hide PostgreSQL from it."""
    from django.db import connection

    for item in items:
        if not item.get_closest_marker("own_sqlite"):
            continue
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker(
            "django_db"
        ):
            raise pytest.UsageError(f"{item.nodeid}: own_sqlite and the test database at once")
        if connection.vendor != "sqlite":
            item.add_marker(
                pytest.mark.skip(reason="own SQLite processes: the same as in the SQLite run")
            )


def _module_fixture_group(item) -> str:
    info = getattr(item, "_fixtureinfo", None)
    uses = [defs[-1] for defs in (info.name2fixturedefs.values() if info else ()) if defs]
    return item.nodeid.partition("::")[0] if any(d.scope == "module" for d in uses) else ""


# Tests move the clock by hours and days with a signed-in client; the idle timeout has its own
# tests (accounts/tests/test_sessions.py), which turn it on.
TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "GRIDGOV_LOCATOR_REFRESH_SECONDS": 0,
    "GRIDGOV_SESSION_IDLE_MINUTES": 0,
}


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _fresh_locator():
    """In-memory lookups must not outlive the rows a test made (flushes send no signals)."""
    locator.invalidate()
    forget_intake_caches()
    yield
    locator.invalidate()


def forget_intake_caches() -> None:
    services.forget_caches()
    deadlines.forget_rules()
    worktime.forget_overrides()


# The test server's threads and the test itself share one connection when the test database is
# SQLite in memory. Two statements at once on it fail ("database table is locked") or crash the
# worker, so the server answers one request at a time and the test takes the same lock when it
# writes while pages are open (browser_login).
LIVE_DB_LOCK = threading.RLock()


@pytest.fixture(autouse=True, scope="session")
def _one_request_at_a_time_on_a_shared_connection():
    from django.core.servers import basehttp
    from django.db import connection

    test_name = connection.settings_dict.get("TEST", {}).get("NAME") or ":memory:"
    if connection.vendor != "sqlite" or not connection.creation.is_in_memory_db(test_name):
        yield
        return
    run = basehttp.ServerHandler.run

    def run_alone(self, application):
        with LIVE_DB_LOCK:
            return run(self, application)

    basehttp.ServerHandler.run = run_alone
    yield
    basehttp.ServerHandler.run = run


@pytest.fixture
def tree(db):
    return build_tree()


def make_user(username: str, role: str, scope: list[str], **extra):
    return create_user(
        actor=system_user(SETUP),
        username=username,
        password="pw-" + username,
        role=role,
        scope_codes=scope,
        full_name=username,
        **extra,
    )


@pytest.fixture
def users(tree):
    return make_users(tree)


def make_users(tree) -> dict:
    """admin (global), district operator, leader, street A and B operators, a grid member in A.
    Made in one batch (the service staff imports use): most tests take these users, and one
    user at a time cost a tenth of a second per test."""
    grid_a = tree.grids[0]
    specs = [
        UserSpec(name, role, [code], full_name=name, password="pw-" + name)
        for name, role, code in [
            ("admin", Role.ADMIN, DISTRICT),
            ("district", Role.DISTRICT_OPERATOR, DISTRICT),
            ("leader", Role.LEADER, DISTRICT),
            ("auditor", Role.AUDITOR, DISTRICT),
            ("op_a", Role.STREET_OPERATOR, STREET_A),
            ("op_b", Role.STREET_OPERATOR, STREET_B),
            ("member_a", Role.GRID_MEMBER, grid_a.code),
        ]
    ]
    specs[-1].assignments = [(grid_a.code, ForceType.GRID_MEMBER)]
    made = bulk_create_users(specs, shared_password="", actor=system_user(SETUP), note="tests")
    return {u.username: u for u in made}


def verified_device(user):
    """A confirmed TOTP device of the user, as after setting up two-factor sign-in."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="test", defaults={"confirmed": True}
    )
    return device


def mark_verified(client: Client, user) -> None:
    """Make a logged-in test client's session count as signed in with a second factor too."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from gridgov.accounts.twofactor import requires_two_factor

    if requires_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = verified_device(user).persistent_id
        session.save()


@pytest.fixture
def client_for():
    """A logged-in Django test client for a user (past two-factor sign-in when it applies)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        mark_verified(client, user)
        return client

    return make


@pytest.fixture
def english():
    """Run a test with English messages (the platform's default is zh-Hans)."""
    from django.utils import translation

    with translation.override("en"):
        yield


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def browser_page():
    """A Playwright page in Debian's Chromium (headless; never a downloaded browser). Playwright's
    wait_for_function evaluates strings, which the pages' Content-Security-Policy forbids: this
    page bypasses the policy (test_browser_security.py uses `strict_browser_page`)."""
    yield from _chromium_page(bypass_csp=True)


@pytest.fixture
def strict_browser_page():
    """A Playwright page that obeys the Content-Security-Policy like a user's browser."""
    yield from _chromium_page(bypass_csp=False)


def _chromium_page(bypass_csp: bool):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls in the test are
    # still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                # A microphone that plays a tone, allowed without asking (voice notes).
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
            ],
        )
        page = browser.new_page(
            viewport={"width": 1440, "height": 900}, locale="zh-CN", bypass_csp=bypass_csp
        )
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def browser_login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login page; when a one-time code is asked, the user gets a device
    (as if set up before) and the helper types its current code."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    if "/accounts/2fa/" in page.url:
        from urllib.parse import quote

        from django_otp.oath import totp
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from gridgov.accounts.models import User

        with LIVE_DB_LOCK:
            device = verified_device(User.objects.get(username=username))
            TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
        next_url = page.evaluate("new URLSearchParams(location.search).get('next') || '/'")
        page.goto(f"{base_url}/accounts/2fa/verify/?next={quote(next_url)}")
        page.fill("input[name=code]", f"{totp(device.bin_key):06d}")
        page.click("main button[type=submit]")
        page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture
def kept_connection():
    """For tests that call the WSGI application itself: it closes "old" connections around each
    request, and inside a test's transaction the connection counts as old (PostgreSQL); Django's
    test client unhooks this the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
