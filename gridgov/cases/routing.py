"""Which department a case goes to: routing rules first (most specific wins), then the nearest
department whose line of work is the category's default line, from the holding level upwards."""

from gridgov.accounts.models import Department
from gridgov.cases.models import Case, RoutingRule


def route(case: Case) -> Department | None:
    category_ids = [None]
    if case.category_id:
        category_ids = [case.category_id, case.category.parent_id, None]
    rules = [
        r
        for r in RoutingRule.objects.filter(
            category_id__in=[c for c in category_ids if c] or [0]
        ).select_related("department")
        | RoutingRule.objects.filter(category__isnull=True).select_related("department")
        if case.area_code.startswith(r.area_prefix)
        and r.department.active
        and case.level_code.startswith(r.department.area_code)
    ]
    if rules:

        def specificity(rule: RoutingRule) -> tuple[int, int]:
            rank = (
                category_ids.index(rule.category_id)
                if rule.category_id in category_ids
                else len(category_ids)
            )
            return (-len(rule.area_prefix), rank)

        return min(rules, key=specificity).department
    line = case.category.department_line if case.category_id else ""
    if not line:
        return None
    candidates = Department.objects.filter(line=line, active=True)
    best = None
    for department in candidates:
        if case.level_code.startswith(department.area_code) and (
            best is None or len(department.area_code) > len(best.area_code)
        ):
            best = department
    return best


def dispatch_choices(case: Case):
    """Departments the holding level may dispatch to: its own and those of the levels above."""
    prefixes = [case.level_code[:w] for w in (4, 6, 9, 12) if w <= len(case.level_code)]
    return Department.objects.filter(active=True, area_code__in=prefixes).order_by("-level", "code")
