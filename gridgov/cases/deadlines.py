"""Deadlines of a case's stages from the time-limit rules (class, grade, area class, stage) and
the grade rules (natural time, the level that must hold the case)."""

import datetime
import time

from django.conf import settings

from gridgov.cases.models.taxonomy import Category, Grade, GradeRule, TimeLimit, TimeUnit
from gridgov.cases.worktime import deadline_after

_RULES: dict[tuple[int | None, str, str, str], tuple[int, str]] = {}
_GRADE_RULES: dict[tuple[int | None, str], GradeRule] = {}
_LOADED = 0.0
RULES_TTL = 60.0


def _rules() -> dict:
    global _RULES, _GRADE_RULES, _LOADED
    if time.monotonic() - _LOADED > RULES_TTL:
        _RULES = {
            (r.category_id, r.grade, r.area_class, r.stage): (r.amount, r.unit)
            for r in TimeLimit.objects.all()
        }
        _GRADE_RULES = {(r.category_id, r.grade): r for r in GradeRule.objects.all()}
        _LOADED = time.monotonic()
    return _RULES


def _class_ids(category: Category | None) -> list[int | None]:
    ids: list[int | None] = [category.pk, category.parent_id] if category is not None else []
    return [*ids, None]


def grade_rule(category: Category | None, grade: str) -> GradeRule | None:
    """The handling rule of a grade for the minor class, else its major class, else any class."""
    _rules()
    for category_id in _class_ids(category):
        found = _GRADE_RULES.get((category_id, grade))
        if found is not None:
            return found
    return None


def forget_rules() -> None:
    global _LOADED
    _LOADED = 0.0


def limit_for(
    category: Category | None, area_class: str, stage: str, grade: str = Grade.GENERAL
) -> tuple[int, str]:
    """The most specific rule: the minor class, then its major class, then any class; within each,
    the grade before any grade, then the area class before any area class. Without any rule: one
    working day."""
    rules = _rules()
    for category_id in _class_ids(category):
        for g in (grade, ""):
            for cls in (area_class, ""):
                found = rules.get((category_id, g, cls, stage))
                if found:
                    return found
    return 1, TimeUnit.WORK_DAY


def stage_deadlines(
    start: datetime.datetime,
    category: Category | None,
    area_class: str,
    stage: str,
    grade: str = Grade.GENERAL,
) -> tuple[datetime.datetime, datetime.datetime]:
    """(deadline, red-card time): red when the deadline has passed by the limit again."""
    amount, unit = limit_for(category, area_class, stage, grade)
    rule = grade_rule(category, grade)
    natural = bool(category and category.natural_time) or bool(rule and rule.natural_time)
    deadline = deadline_after(start, amount, unit, natural)
    red = deadline_after(deadline, amount * settings.GRIDGOV_RED_CARD_FACTOR, unit, natural)
    return deadline, red
