"""Early-warning rules on hand-made histories: quiet weeks stay quiet, a spike fires at once."""

import datetime

import numpy as np
import pytest
from django.utils import timezone

from gridgov.cases.models import Case, Category
from gridgov.warnings import rules
from gridgov.warnings.models import Rule, RuleHit, RuleKind, State, Warning

pytestmark = pytest.mark.django_db
WEEK = datetime.timedelta(days=7)
RATE = 2.5  # reports of one class in one grid per week


def _history(grids, classes, start, weeks, rng, rate=RATE) -> list[Case]:
    cases = []
    for w in range(weeks):
        for grid in grids:
            for cls in classes:
                for _n in range(rng.poisson(rate)):
                    at = start + w * WEEK + datetime.timedelta(seconds=int(rng.integers(0, 604800)))
                    cases.append(_case(grid, cls, at))
    return cases


def _case(grid: str, cls: Category, at: datetime.datetime) -> Case:
    return Case(
        title=cls.name,
        category=cls,
        channel="grid_member",
        area_code=grid,
        level_code=grid[:9],
        created_at=at,
    )


@pytest.fixture
def spike_rule(taxonomy, tree, users):
    return Rule.objects.create(
        name="分类激增",
        kind=RuleKind.GRID_CLASS_SPIKE,
        area=tree.district,
        owner=users["district"],
        colour="yellow",
    )


@pytest.fixture
def classes(taxonomy):
    return list(Category.objects.filter(parent__isnull=False).order_by("code")[:4])


def test_twelve_quiet_weeks_raise_at_most_one_warning_a_week(spike_rule, tree, classes):
    rng = np.random.default_rng(7)
    grids = [g.code for g in tree.grids]
    now = timezone.now().replace(microsecond=0)
    start = now - 24 * WEEK
    Case.objects.bulk_create(_history(grids, classes, start, 24, rng), batch_size=2000)
    per_week = []
    for week in range(12, 0, -1):
        hits = rules.run_rule(spike_rule, now - (week - 1) * WEEK)
        per_week.append(len(hits))
    assert max(per_week) <= 1, per_week
    assert sum(per_week) <= 2, per_week


def test_a_fourfold_spike_of_ten_reports_fires_on_the_next_run(spike_rule, tree, classes):
    rng = np.random.default_rng(11)
    grids = [g.code for g in tree.grids]
    now = timezone.now().replace(microsecond=0)
    start = now - 13 * WEEK
    spiking, cls = grids[5], classes[2]
    quiet = [
        c
        for c in _history(grids, classes, start, 13, rng)
        if (c.area_code, c.category) != (spiking, cls)
    ]
    usual = [_case(spiking, cls, start + datetime.timedelta(hours=67 * i)) for i in range(30)]
    spike = [_case(spiking, cls, now - datetime.timedelta(hours=12 * i + 1)) for i in range(10)]
    Case.objects.bulk_create(quiet + usual + spike, batch_size=2000)
    hits = rules.run_rule(spike_rule, now)
    assert [h.subject for h in hits] == [f"{spiking}:{cls.pk}"]
    figures = hits[0].figures
    assert figures["observed"] == 10 and figures["p_value"] <= figures["threshold"]
    warning = Warning.objects.get(raised_by=hits[0])
    assert warning.state == State.DRAFT and warning.target_codes == [spiking]
    assert rules.run_rule(spike_rule, now + datetime.timedelta(hours=1)) == []  # once a window


def test_an_issuing_rule_issues_and_due_rules_run_weekly(spike_rule, tree, classes):
    spike_rule.outcome = "issue"
    spike_rule.save()
    grid = tree.grids[0].code
    now = timezone.now().replace(microsecond=0)
    Case.objects.bulk_create(
        [_case(grid, classes[0], now - datetime.timedelta(hours=i + 1)) for i in range(12)]
    )
    assert rules.run_due_rules(now) == {"raised": 1}
    assert RuleHit.objects.get().warning.state == State.ISSUED
    assert rules.run_due_rules(now + datetime.timedelta(days=1)) == {"raised": 0}  # not due yet
