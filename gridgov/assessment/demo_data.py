"""After the demo's cases and registry are loaded: roll everything up so the cockpit, rankings
and reports have figures at once, and publish (freeze) last month's district report, as the
district's leader does at the start of a month."""

from gridgov.accounts.models import User
from gridgov.areas.models import Area, Level
from gridgov.assessment import periods
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.services import publish_report


def load(*, stdout, **options) -> None:
    result = roll_up(full=True)
    stdout.write(f"  rolled up {result['months']} months in {result['seconds']} s")
    district = Area.objects.filter(level=Level.DISTRICT).order_by("code").first()
    leader = User.objects.filter(username="leader").first()
    if district is None or leader is None:
        return
    month = periods.last_complete_month()
    report = publish_report(leader, district.code, month)
    stdout.write(
        f"  published the {month} report of {district.name} (score {report.data['score']})"
    )
