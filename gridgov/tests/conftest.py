"""A closing line with the size of the API fuzz run, summed over xdist workers (each fuzz test
records its counts as user properties, which travel with the test reports)."""

FUZZ_KEYS = ("fuzz_operations", "fuzz_examples", "fuzz_server_errors")
_fuzz = dict.fromkeys(FUZZ_KEYS, 0)
_fuzz_tests = [0]


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    counted = False
    for name, value in report.user_properties:
        if name in _fuzz:
            _fuzz[name] += value
            counted = True
    _fuzz_tests[0] += counted


def pytest_terminal_summary(terminalreporter):
    if _fuzz_tests[0]:
        terminalreporter.write_line(
            f"fuzz: {_fuzz['fuzz_operations']} operations, {_fuzz['fuzz_examples']} examples, "
            f"{_fuzz['fuzz_server_errors']} server errors"
        )
