import json

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gridgov.tests.scope import World, all_cases, run_setups, unscoped_routes

CASES = all_cases()


def _routes(patterns, prefix: str = "") -> set[str]:
    found: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            found |= _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.add(prefix + str(p.pattern))
    return found


def test_every_route_has_a_scope_case():
    routes = _routes(get_resolver().url_patterns)
    covered = {c.route for c in CASES} | set(unscoped_routes())
    missing = sorted(r for r in routes if r not in covered and not r.startswith("static/"))
    assert not missing, (
        f"routes without a scope case (add them to <app>/tests/scope_cases.py): {missing}"
    )
    stale = sorted(c for c in covered if c not in routes)
    assert not stale, f"scope cases for routes that do not exist: {stale}"


@pytest.fixture
def world(tree, users):
    w = World(tree=tree, users=users)
    run_setups(w)
    return w


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_street_a_gets_nothing_of_street_b(case, world, client_for):
    client = client_for(world.users[case.as_user])
    url = case.url(world)
    data = case.data(world) if case.data else None
    if case.method == "GET":
        response = client.get(url, data)
    elif case.multipart:
        response = (
            client.generic(case.method, url, data) if data is None else client.post(url, data)
        )
    else:
        response = client.generic(
            case.method, url, json.dumps(data or {}), content_type="application/json"
        )
    expected = case.expect if isinstance(case.expect, tuple) else (case.expect,)
    assert response.status_code in expected, (
        case.id,
        url,
        response.status_code,
        response.content[:300],
    )
    if case.absent:
        body = response.content.decode("utf-8", errors="replace")
        for text in case.absent(world):
            assert text not in body, (case.id, text)
