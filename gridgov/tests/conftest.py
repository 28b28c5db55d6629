"""Closing lines for the suite: how many scope-matrix cases ran, and the size of the API fuzz run
(both summed over pytest-xdist workers, whose reports come back to the controller; each fuzz test
records its counts as user properties, which travel with the reports)."""

from collections import Counter

import pytest
from django.db import transaction
from django.test import override_settings

from gridgov.areas.locator import locator
from gridgov.areas.testing import build_tree
from gridgov.conftest import TEST_SETTINGS, forget_intake_caches, make_users
from gridgov.tests.scope import World, run_setups

MATRIX = "gridgov/tests/test_scope.py::"
_fuzz: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call":
        _fuzz.update({k: v for k, v in report.user_properties if k.startswith("fuzz_")})


def pytest_terminal_summary(terminalreporter):
    _matrix_summary(terminalreporter)
    if _fuzz:
        terminalreporter.write_line(
            f"fuzz: {_fuzz['fuzz_operation_count']} operations, "
            f"{_fuzz['fuzz_operation_calls']} examples, "
            f"{_fuzz['fuzz_linked_chains']} linked chains ({_fuzz['fuzz_linked_calls']} calls), "
            f"{_fuzz['fuzz_server_errors']} server errors"
        )


def _matrix_summary(terminalreporter):
    counts: dict[str, dict[str, int]] = {}
    for outcome in ("passed", "failed", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            if not nodeid.startswith(MATRIX) or getattr(report, "when", "call") not in (
                "call",
                "setup",
            ):
                continue
            if report.when == "setup" and outcome != "skipped":
                continue
            test = nodeid[len(MATRIX) :].partition("[")[0]
            counts.setdefault(test, {}).setdefault(outcome, 0)
            counts[test][outcome] += 1
    if not counts:
        return
    outsider = counts.get("test_street_a_gets_nothing_of_street_b", {})
    live = counts.get("test_the_case_is_live", {})
    terminalreporter.write_line(
        "scope matrix: {} cases asked by street A ({} failed); {} proved live by a user who may "
        "see street B ({} failed, {} not live by declaration)".format(
            sum(outsider.values()),
            outsider.get("failed", 0),
            live.get("passed", 0) + live.get("failed", 0),
            live.get("failed", 0),
            live.get("skipped", 0),
        )
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The scope matrix's world (the test tree, its users and what every part's `setup(world)`
    makes in street A and B), built once per module that asks for it, inside a transaction that
    stays open: each test's own transaction is a savepoint in it and is rolled back after the
    test, so every test starts from this same world (built per test, it was half the suite's
    time). The outer transaction is rolled back at the end of the module, so a module using it
    must not make the tree or users of its own."""
    with django_db_blocker.unblock(), override_settings(**TEST_SETTINGS), transaction.atomic():
        locator.invalidate()
        forget_intake_caches()
        tree = build_tree()
        built = World(tree=tree, users=make_users(tree))
        run_setups(built)
        yield built
        transaction.set_rollback(True)
    locator.invalidate()
    forget_intake_caches()
