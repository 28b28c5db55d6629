"""Every page of the URLconf (each GET route of the scope matrix, asked by the administrator in
the matrix's world) carries the Content-Security-Policy and has no inline script."""

import pytest

from gridgov.tests.scope import all_cases
from gridgov.tests.test_web_security import inline_scripts

PAGES = sorted(
    {
        c.route: c for c in all_cases() if c.method == "GET" and not c.route.startswith("api/")
    }.values(),
    key=lambda c: c.route,
)


def test_the_page_list_is_not_empty():
    assert len(PAGES) > 30, len(PAGES)


@pytest.mark.parametrize("case", PAGES, ids=[c.route for c in PAGES])
def test_every_page_has_the_policy_and_no_inline_script(case, world, db, client_for):
    response = client_for(world.users["admin"]).get(case.url(world))
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'", policy
    assert "'unsafe-inline'" not in directives["script-src"]
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    if "text/html" in response.get("Content-Type", ""):
        assert inline_scripts(response.content.decode()) == [], case.route
