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


def test_overdue_visits_fire_for_an_area_never_name_a_person(tree, users):
    from gridgov.registry.models import KeyPopulationTag, Person, Visit

    today = timezone.localdate()
    now = timezone.now()
    people, tags, visits = [], [], []
    for c in tree.communities:
        overdue_share = 0.8 if c.code == "410105002002" else 0.1
        for i in range(20):
            people.append(Person(name=f"居民{c.code}{i}", area_code=c.code))
    Person.objects.bulk_create(people)
    for p in Person.objects.all():
        tags.append(
            KeyPopulationTag(
                person=p,
                category="elderly_alone",
                visit_every_days=30,
                since=today - datetime.timedelta(days=200),
                area_code=p.area_code,
            )
        )
    KeyPopulationTag.objects.bulk_create(tags)
    for c in tree.communities:
        overdue_share = 0.8 if c.code == "410105002002" else 0.1
        mine = list(KeyPopulationTag.objects.filter(area_code=c.code).order_by("pk"))
        for i, tag in enumerate(mine):
            late = i < overdue_share * len(mine)
            when = now - datetime.timedelta(days=45 if late else 5)
            visits.append(Visit(person_id=tag.person_id, tag=tag, time=when, area_code=c.code))
    Visit.objects.bulk_create(visits)
    rule = Rule.objects.create(
        name="走访", kind=RuleKind.OVERDUE_VISITS, area=tree.district, owner=users["district"]
    )
    hits = rules.run_rule(rule, now)
    assert [h.subject for h in hits] == ["410105002002"]
    figures = hits[0].figures
    assert (figures["tags"], figures["overdue"]) == (20, 16)
    assert set(figures) == {
        "subject",
        "area_code",
        "tags",
        "overdue",
        "rate",
        "area_rate",
        "p_value",
        "threshold",
        "tests",
    }


def test_a_departments_rising_overdue_rate_fires(taxonomy, tree, users):
    from gridgov.accounts.services import create_department
    from gridgov.accounts.system import SETUP, system_user
    from gridgov.cases.models import Card

    now = timezone.now().replace(microsecond=0)
    depts = [
        create_department(
            actor=system_user(SETUP),
            code=f"410105-{x}",
            name=f"部门{x}",
            level="district",
            area=tree.district,
        )
        for x in ("A", "B")
    ]
    cases = []
    for dept, now_late in zip(depts, (10, 1), strict=True):
        for i in range(100):  # twelve usual weeks: 5 in 100 overdue
            at = now - WEEK - datetime.timedelta(hours=20 * i + 1)
            cases.append(
                (
                    Case(
                        title="x",
                        channel="hotline",
                        area_code="41010500100101",
                        level_code="410105",
                        created_at=at,
                        department=dept,
                    ),
                    i < 5,
                    at,
                )
            )
        for i in range(20):  # this week
            at = now - datetime.timedelta(hours=8 * i + 1)
            cases.append(
                (
                    Case(
                        title="x",
                        channel="hotline",
                        area_code="41010500100101",
                        level_code="410105",
                        created_at=at,
                        department=dept,
                    ),
                    i < now_late,
                    at,
                )
            )
    Case.objects.bulk_create([c for c, _l, _a in cases])
    Card.objects.bulk_create(
        [
            Card(
                case=c,
                kind="yellow",
                stage="handle",
                deadline=at,
                raised_at=at + datetime.timedelta(minutes=30),
                area_code=c.area_code,
                department=c.department,
            )
            for c, is_late, at in cases
            if is_late
        ]
    )
    rule = Rule.objects.create(
        name="部门", kind=RuleKind.DEPARTMENT_OVERDUE, area=tree.district, owner=users["district"]
    )
    hits = rules.run_rule(rule, now)
    assert [h.figures["department"] for h in hits] == ["部门A"]
    assert hits[0].figures["overdue"] == 10 and hits[0].figures["cases"] == 20
