"""Closing lines for the suite: how many scope-matrix cases ran, and the size of the API fuzz run
(both summed over pytest-xdist workers, whose reports come back to the controller; each fuzz test
records its counts as user properties, which travel with the reports)."""

from collections import Counter

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
