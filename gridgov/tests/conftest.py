"""Shows how many scope-matrix cases ran (also under pytest-xdist, where the workers' reports
come back to the controller)."""

MATRIX = "gridgov/tests/test_scope.py::"


def pytest_terminal_summary(terminalreporter):
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
