"""After the demo's cases and registry are loaded: roll everything up so the cockpit, rankings
and reports have figures at once, and publish last month's district report."""

from gridgov.assessment.rollup import roll_up


def load(*, stdout, **options) -> None:
    result = roll_up(full=True)
    stdout.write(f"  rolled up {result['months']} months in {result['seconds']} s")
