"""After the lines' demo data (loaded by name order: disputes, populations, then this), roll the
line figures up once through the roll-up job's own step, so the cockpit and assessment show them
at once rather than a minute after `make demo`."""

from gridgov.assessment.rollup import rebuild_line_tallies


def load(*, stdout, **options) -> None:
    rows = rebuild_line_tallies()
    stdout.write(f"  line figures rolled up: {rows} rows")
