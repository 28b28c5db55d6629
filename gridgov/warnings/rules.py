"""Early-warning rules: rows of `Rule` that watch area-level rates and raise warnings.

Every rule tests many subjects at once (grids × classes, areas, departments) and keeps the chance
that a quiet week raises any warning at most `rule.alpha` by Bonferroni's correction: a subject
fires when its p-value is at most alpha / m, m being the number of subjects tested on the run.
Rules run once per `rule.every_days` (a week by default), so alpha is a weekly family-wise error
rate. docs/warnings.md gives the tests. No rule looks at a person: visits are counted per area,
cases per grid, class and department.
"""

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from scipy import stats

from gridgov.accounts.models import Department
from gridgov.areas.models import Area, Level
from gridgov.cases.models import Card, Case, Category
from gridgov.registry.models import KeyPopulationTag
from gridgov.warnings import services
from gridgov.warnings.models import Outcome, Rule, RuleHit, RuleKind, State
from gridgov.warnings.services import WarningInput

SPIKE_DEFAULTS = {"window_days": 7, "baseline_weeks": 12, "prior_weeks": 1, "min_reports": 5}
VISIT_DEFAULTS = {"level": Level.COMMUNITY, "min_tags": 10}
DEPARTMENT_DEFAULTS = {"window_days": 7, "baseline_weeks": 12, "min_cases": 10}


def _params(rule: Rule, defaults: dict) -> dict:
    merged = dict(defaults)
    merged.update({k: v for k, v in (rule.params or {}).items() if k in defaults})
    return merged


def spike_tests(rule: Rule, now: datetime.datetime) -> list[dict]:
    """Reports of one class in one grid this window against that grid's own usual rate.

    Baseline: the grid's reports of the class in the `baseline_weeks` before the window,
    smoothed towards the class's mean rate over all grids of the area by `prior_weeks` weeks of
    pseudo-observations: λ = (y + k·r̄) / (B + k) per week (scaled to the window). Test: the
    Poisson upper tail P(X ≥ x | λ). Family: every grid of the area × every class seen there.
    """
    p = _params(rule, SPIKE_DEFAULTS)
    window = datetime.timedelta(days=p["window_days"])
    weeks, k = p["baseline_weeks"], p["prior_weeks"]
    start = now - window
    base_start = start - weeks * window
    grids = list(
        Area.objects.active()
        .filter(level=Level.GRID, code__startswith=rule.area_code)
        .values_list("code", flat=True)
    )
    grid_set = set(grids)
    rows = (
        Case.objects.filter(
            area_code__startswith=rule.area_code,
            created_at__gte=base_start,
            created_at__lt=now,
            category__isnull=False,
        )
        .values("area_code", "category_id")
        .annotate(
            now_n=Count("pk", filter=Q(created_at__gte=start)),
            base_n=Count("pk", filter=Q(created_at__lt=start)),
        )
    )
    current: dict[tuple[str, int], int] = {}
    base: dict[tuple[str, int], int] = defaultdict(int)
    class_base: dict[int, int] = defaultdict(int)
    classes: set[int] = set()
    for row in rows:
        if row["area_code"] not in grid_set:
            continue
        key = (row["area_code"], row["category_id"])
        classes.add(row["category_id"])
        current[key] = row["now_n"]
        base[key] = row["base_n"]
        class_base[row["category_id"]] += row["base_n"]
    m = len(grids) * len(classes)
    if not m:
        return []
    threshold = rule.alpha / m
    found = []
    for (grid, cls), x in current.items():
        if x < p["min_reports"]:
            continue
        mean_rate = class_base[cls] / (weeks * len(grids))
        lam = (base[(grid, cls)] + k * mean_rate) / (weeks + k)
        p_value = float(stats.poisson.sf(x - 1, max(lam, 1e-9)))
        if p_value <= threshold:
            found.append(
                {
                    "subject": f"{grid}:{cls}",
                    "area_code": grid,
                    "category_id": cls,
                    "observed": x,
                    "expected": round(lam, 3),
                    "baseline_reports": base[(grid, cls)],
                    "baseline_weeks": weeks,
                    "p_value": p_value,
                    "threshold": threshold,
                    "tests": m,
                    "window_start": start.isoformat(),
                    "window_end": now.isoformat(),
                }
            )
    return found


def _last_visits(tags) -> dict[int, datetime.datetime | None]:
    return dict(tags.annotate(last=Max("visits__time")).values_list("pk", "last"))


def overdue_visit_tests(rule: Rule, now: datetime.datetime) -> list[dict]:
    """Per area at `level`: the share of key-population tags whose visit is overdue, against the
    share over the rule's whole area (binomial upper tail). Counts only; no person is named."""
    p = _params(rule, VISIT_DEFAULTS)
    today = timezone.localdate(now)
    tags = KeyPopulationTag.objects.filter(area_code__startswith=rule.area_code).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )
    last = _last_visits(tags)
    width = _code_width(p["level"], rule.area_code)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for tag_id, code, every, since in tags.values_list(
        "pk", "area_code", "visit_every_days", "since"
    ):
        seen = last.get(tag_id)
        anchor = timezone.localdate(seen) if seen else since or today
        overdue = (today - anchor).days > every
        counts = totals[code[:width]]
        counts[0] += 1
        counts[1] += int(overdue)
    n_all = sum(c[0] for c in totals.values())
    k_all = sum(c[1] for c in totals.values())
    tested = {a: c for a, c in totals.items() if c[0] >= p["min_tags"]}
    if not n_all or not tested:
        return []
    p0 = (k_all + 1) / (n_all + 2)
    threshold = rule.alpha / len(tested)
    found = []
    for area, (n, k) in tested.items():
        p_value = float(stats.binom.sf(k - 1, n, p0)) if k else 1.0
        if p_value <= threshold:
            found.append(
                {
                    "subject": area,
                    "area_code": area,
                    "tags": n,
                    "overdue": k,
                    "rate": round(k / n, 4),
                    "area_rate": round(k_all / n_all, 4),
                    "p_value": p_value,
                    "threshold": threshold,
                    "tests": len(tested),
                }
            )
    return found


def _code_width(level: str, root: str) -> int:
    widths = {Level.CITY: 4, Level.DISTRICT: 6, Level.STREET: 9, Level.COMMUNITY: 12}
    return max(widths.get(level, 14), len(root))


def department_tests(rule: Rule, now: datetime.datetime) -> list[dict]:
    """Per department of the area: overdue cards per dispatched case in the window against the
    department's own rate over the baseline weeks (binomial upper tail, baseline smoothed by
    one overdue case in two)."""
    p = _params(rule, DEPARTMENT_DEFAULTS)
    window = datetime.timedelta(days=p["window_days"])
    start = now - window
    base_start = start - p["baseline_weeks"] * window
    departments = Department.objects.filter(area_code__startswith=rule.area_code, active=True)
    cases = dict(
        Case.objects.filter(department__in=departments, created_at__gte=base_start)
        .values("department_id")
        .annotate(now_n=Count("pk", filter=Q(created_at__gte=start, created_at__lt=now)))
        .values_list("department_id", "now_n")
    )
    base_cases = dict(
        Case.objects.filter(
            department__in=departments, created_at__gte=base_start, created_at__lt=start
        )
        .values("department_id")
        .annotate(n=Count("pk"))
        .values_list("department_id", "n")
    )
    cards = Card.objects.filter(department__in=departments, raised_at__gte=base_start)
    now_cards = dict(
        cards.filter(raised_at__gte=start, raised_at__lt=now)
        .values("department_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("department_id", "n")
    )
    base_cards = dict(
        cards.filter(raised_at__lt=start)
        .values("department_id")
        .annotate(n=Count("case_id", distinct=True))
        .values_list("department_id", "n")
    )
    tested = {d: n for d, n in cases.items() if n >= p["min_cases"]}
    if not tested:
        return []
    threshold = rule.alpha / len(tested)
    names = dict(departments.values_list("pk", "name"))
    codes = dict(departments.values_list("pk", "area_code"))
    found = []
    for dept, n in tested.items():
        x = min(now_cards.get(dept, 0), n)
        p0 = (base_cards.get(dept, 0) + 1) / (base_cases.get(dept, 0) + 2)
        p_value = float(stats.binom.sf(x - 1, n, p0)) if x else 1.0
        if p_value <= threshold:
            found.append(
                {
                    "subject": f"department:{dept}",
                    "area_code": codes[dept],
                    "department": names[dept],
                    "cases": n,
                    "overdue": x,
                    "rate": round(x / n, 4),
                    "baseline_rate": round(p0, 4),
                    "p_value": p_value,
                    "threshold": threshold,
                    "tests": len(tested),
                }
            )
    return found


TESTS = {
    RuleKind.GRID_CLASS_SPIKE: spike_tests,
    RuleKind.OVERDUE_VISITS: overdue_visit_tests,
    RuleKind.DEPARTMENT_OVERDUE: department_tests,
}


def _headline(rule: Rule, figures: dict) -> tuple[str, str]:
    if rule.kind == RuleKind.GRID_CLASS_SPIKE:
        category = Category.objects.filter(pk=figures["category_id"]).first()
        area = Area.objects.filter(code=figures["area_code"]).first()
        name = category.name if category else "?"
        return (
            _("%(n)d reports of %(class)s in %(grid)s this week (usually %(usual)s)")
            % {
                "n": figures["observed"],
                "class": name,
                "grid": area.name if area else figures["area_code"],
                "usual": figures["expected"],
            },
            _("Unusual number of reports"),
        )
    if rule.kind == RuleKind.OVERDUE_VISITS:
        area = Area.objects.filter(code=figures["area_code"]).first()
        return (
            _("%(area)s: %(k)d of %(n)d key-population visits overdue")
            % {
                "area": area.name if area else figures["area_code"],
                "k": figures["overdue"],
                "n": figures["tags"],
            },
            _("Overdue visits"),
        )
    return (
        _("%(dept)s: %(k)d of %(n)d cases overdue this week")
        % {"dept": figures["department"], "k": figures["overdue"], "n": figures["cases"]},
        _("Rising overdue rate"),
    )


def _already_raised(rule: Rule, subject: str, since: datetime.datetime) -> bool:
    return (
        RuleHit.objects.filter(rule=rule, subject=subject, run_at__gte=since)
        .exclude(warning__state=State.DISCARDED)
        .exists()
    )


@transaction.atomic
def run_rule(rule: Rule, now: datetime.datetime | None = None) -> list[RuleHit]:
    """Run one rule now: a hit for each subject that fires (once per window), each raising a
    warning (a draft, or issued when the rule says so) that links to its figures."""
    now = now or timezone.now()
    hits = []
    since = now - datetime.timedelta(days=max(rule.every_days, 1)) + datetime.timedelta(minutes=1)
    for figures in TESTS[rule.kind](rule, now):
        if _already_raised(rule, figures["subject"], since):
            continue
        hit = RuleHit.objects.create(
            rule=rule,
            run_at=now,
            subject=figures["subject"],
            area_code=figures["area_code"],
            figures=figures,
        )
        headline, event = _headline(rule, figures)
        data = WarningInput(
            event=event,
            colour=rule.colour,
            headline=headline[:160],
            description=_("Raised by the rule “%(rule)s”.") % {"rule": rule.name},
            target_codes=[figures["area_code"]],
        )
        warning = services.create_draft(acting_user=rule.owner, area_code=rule.area_code, data=data)
        warning.raised_by = hit
        warning.save(update_fields=["raised_by"])
        if rule.outcome == Outcome.ISSUE:
            warning = services.approve(warning, acting_user=rule.owner)
            warning = services.issue(warning, acting_user=rule.owner, now=now)
        hit.warning = warning
        hit.save(update_fields=["warning"])
        hits.append(hit)
    Rule.objects.filter(pk=rule.pk).update(last_run_at=now)
    return hits


def run_due_rules(now: datetime.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    raised = 0
    for rule in Rule.objects.filter(active=True).select_related("owner"):
        due = rule.last_run_at is None or rule.last_run_at + datetime.timedelta(
            days=rule.every_days
        ) <= now + datetime.timedelta(minutes=5)
        if due:
            raised += len(run_rule(rule, now))
    return {"raised": raised}
