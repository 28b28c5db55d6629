"""A closing line with the size of the API fuzz run, summed over xdist workers (each fuzz test
records its counts as user properties, which travel with the test reports to the controller)."""

from collections import Counter

_fuzz: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call":
        _fuzz.update({k: v for k, v in report.user_properties if k.startswith("fuzz_")})


def pytest_terminal_summary(terminalreporter):
    if _fuzz:
        terminalreporter.write_line(
            f"fuzz: {_fuzz['fuzz_operation_count']} operations, "
            f"{_fuzz['fuzz_operation_calls']} examples, "
            f"{_fuzz['fuzz_linked_chains']} linked chains ({_fuzz['fuzz_linked_calls']} calls), "
            f"{_fuzz['fuzz_server_errors']} server errors"
        )
