"""Assessment figures follow their area when it moves: case facts, tallies (an area's own tally
is keyed by its code), trends, snapshots and monthly reports, published ones included (they are
the same place's history)."""

from gridgov.accounts.models import User
from gridgov.areas.services import log_recoded, recode_prefix, recodes_areas
from gridgov.assessment.models import (
    AreaSnapshot,
    CaseFact,
    CategoryTally,
    DailyTally,
    MonthlyReport,
    Tally,
    UnitKind,
)


@recodes_areas
def recode_assessment(old: str, new: str, *, actor: User) -> set[type]:
    recode_prefix(Tally.objects.filter(unit_kind=UnitKind.AREA), "unit_key", old, new)
    for model in (CaseFact, Tally, DailyTally, CategoryTally, AreaSnapshot, MonthlyReport):
        count = recode_prefix(model.objects.all(), "area_code", old, new)
        if model is MonthlyReport:
            log_recoded(model, count, old, new, actor=actor)
    return {CaseFact, Tally, DailyTally, CategoryTally, AreaSnapshot, MonthlyReport}
