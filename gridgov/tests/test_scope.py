"""The scope matrix (see gridgov/tests/scope.py for the shape of a case).

Every case runs twice: as street A's user, who must get nothing of street B, and as a user who
may see street B (the administrator unless the case says otherwise), who must get exactly what
the first run says is hidden. The summary line "scope matrix: …" gives the counts.
"""

import pytest

from gridgov.tests.scope import (
    World,
    all_cases,
    ask,
    codes_in,
    read,
    routes,
    unscoped_routes,
)

CASES = all_cases()
IDS = [c.id for c in CASES]


def test_every_route_has_a_scope_case():
    table = routes()
    covered = {c.route for c in CASES} | set(unscoped_routes())
    missing = sorted(r for r in table if r not in covered and not r.startswith("static/"))
    assert not missing, (
        f"routes without a scope case (add them to <app>/tests/scope_cases.py): {missing}"
    )
    stale = sorted(c for c in covered if c not in table)
    assert not stale, f"scope cases for routes that do not exist: {stale}"


def test_every_method_a_view_accepts_has_a_case():
    """Keyed by (method, route): a POST-only view is asked with POST, a GET+POST page both ways,
    and no case asks with a method the view refuses anyway (a 405 proves nothing)."""
    table = routes()
    unscoped = unscoped_routes()
    declared = {(c.method, c.route) for c in CASES}
    missing = sorted(
        (m, r)
        for r, methods in table.items()
        if r not in unscoped and not r.startswith("static/")
        for m in methods
        if (m, r) not in declared
    )
    assert not missing, f"methods a view accepts without a scope case: {missing}"
    refused = sorted((m, r) for m, r in declared if r in table and m not in table[r])
    assert not refused, f"scope cases asking with a method the view does not accept: {refused}"


def _outside(world: World, as_user: str, codes: list[str]) -> list[str]:
    scope = world.users[as_user].scope_codes
    return [c for c in codes if not any(c.startswith(p) for p in scope)]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_street_a_gets_nothing_of_street_b(case, world, db, client_for):
    response = ask(client_for(world.users[case.as_user]), case, world)
    answer = read(response)
    assert answer.status in case.expected, (case.id, answer.status, answer.text[:300])
    for text in case.absent(world) if case.absent else []:
        assert text not in answer.text, (case.id, text)
    if answer.data is not None:
        outside = _outside(world, case.as_user, codes_in(answer.data, case.codes))
        assert not outside, (case.id, "objects outside the asker's scope", outside[:5])
    if case.leaks:
        assert not case.leaks(world, answer.data if answer.data is not None else answer.text), (
            case.id
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_case_is_live(case, world, db, client_for):
    """The same request by a user who may see street B shows what the outsider must not see:
    otherwise the case above could not fail."""
    if case.not_live:
        pytest.skip(f"not live: {case.not_live}")
    answer = read(ask(client_for(world.users[case.live_as]), case, world))
    assert answer.status < 500, (case.id, answer.status)
    proofs = 0
    if case.refused:
        assert answer.status not in (403, 404), (case.id, "refused to", case.live_as)
        proofs += 1
    if case.live_expect is not None:
        wanted = case.live_expect if isinstance(case.live_expect, tuple) else (case.live_expect,)
        assert answer.status in wanted, (case.id, answer.status, answer.text[:300])
        proofs += 1
    if case.absent and case.live_expect is None:  # a write that succeeds shows no page
        assert 200 <= answer.status < 300, (case.id, answer.status)
        missing = [t for t in case.absent(world) if t not in answer.text]
        assert not missing, (case.id, f"{case.live_as} does not see", missing)
        proofs += 1
    if case.leaks:
        assert case.leaks(world, answer.data if answer.data is not None else answer.text), (
            case.id,
            f"{case.live_as} sees no leak either",
        )
        proofs += 1
    if not proofs and answer.data is not None:
        outside = _outside(world, case.as_user, codes_in(answer.data, case.codes))
        assert outside, (case.id, f"{case.live_as} sees no area code outside the asker's scope")
        proofs += 1
    assert proofs, (
        f"{case.id}: nothing shows this case could fail; give it absent texts, leaks, "
        "live_expect for a refused write, or not_live with the reason"
    )
