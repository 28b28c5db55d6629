"""`GRIDGOV_ROLE=public`: only the citizen side answers; the same staff URLs answer on a core."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from gridgov.portal.role import public_middleware
from gridgov.portal.tests.test_relay import PUBLIC

PUBLIC_URLS = override_settings(
    ROOT_URLCONF="gridgov.portal.urls_public", MIDDLEWARE=public_middleware(settings.MIDDLEWARE)
)

# Staff and core URLs (page and API): none of them exists on a public instance.
STAFF = [
    ("GET", "/accounts/login/"),
    ("POST", "/accounts/login/"),
    ("GET", "/cases/"),
    ("GET", "/registry/people/"),
    ("GET", "/areas/console/"),
    ("GET", "/cockpit/"),
    ("GET", "/exchange/clients/"),
    ("GET", "/portal/moderation/"),
    ("GET", "/m/"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/people"),
    ("GET", "/api/v1/buildings"),
    ("POST", "/api/v1/auth/token"),
    ("GET", "/api/v1/docs"),
    ("POST", "/api/v1/portal/relay/reports"),
    ("POST", "/api/v1/portal/relay/status"),
    ("POST", "/api/v1/portal/relay/actions"),
    ("POST", "/api/v1/portal/relay/open311"),
]
CITIZEN = [
    "/",
    "/healthz",
    "/portal/",
    "/portal/report/",
    "/portal/reports/",
    "/portal/stats/",
    "/portal/grid/",
    "/api/v1/portal/reports",
    "/api/v1/portal/streets",
    "/open311/v2/discovery.json",  # Open311: relayed to the core like reports
    "/open311/v2/services.xml",
    "/open311/v2/requests.json",
]


def _ask(client: Client, method: str, url: str) -> int:
    if method == "POST":
        return client.post(url, "{}", content_type="application/json").status_code
    return client.get(url).status_code


@pytest.mark.parametrize("method,url", STAFF)
def test_staff_urls_are_not_on_a_public_instance(method, url, portal, users):
    core = _ask(Client(), method, url)
    assert core != 404, f"{url} should answer on a core instance"
    with PUBLIC, PUBLIC_URLS:
        assert _ask(Client(), method, url) == 404
        staff = Client()
        staff.force_login(users["admin"])  # even a session from elsewhere opens nothing
        assert _ask(staff, method, url) == 404


def test_the_citizen_side_answers_on_a_public_instance(portal):
    with PUBLIC, PUBLIC_URLS:
        client = Client()
        for url in CITIZEN:
            assert client.get(url).status_code == 200, url
        home = client.get("/").content.decode()
        assert "/accounts/login/" not in home
        assert client.get("/healthz").json() == {"status": "ok", "role": "public"}
    assert Client().get("/healthz").json() == {"status": "ok", "role": "core"}


def test_only_relay_jobs_run_on_a_public_instance():
    code = "from django.conf import settings; print(sorted(settings.GRIDGOV_PERIODIC_JOBS))"
    env = {**os.environ, "GRIDGOV_ROLE": "public", "DJANGO_SETTINGS_MODULE": "gridgov.settings"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert out.strip() == (
        "['audit.apply_retention', 'notify.send_outbox', 'portal.relay_files', 'portal.relay_pull',"
        " 'portal.relay_push']"
    )
