"""Deadlines of a case's stages from the time-limit rules (class, area class, stage)."""

import datetime
import time

from django.conf import settings

from gridgov.cases.models.taxonomy import Category, TimeLimit, TimeUnit
from gridgov.cases.worktime import deadline_after

_RULES: dict[tuple[int | None, str, str], tuple[int, str]] = {}
_LOADED = 0.0
RULES_TTL = 60.0


def _rules() -> dict:
    global _RULES, _LOADED
    if time.monotonic() - _LOADED > RULES_TTL:
        _RULES = {
            (r.category_id, r.area_class, r.stage): (r.amount, r.unit)
            for r in TimeLimit.objects.all()
        }
        _LOADED = time.monotonic()
    return _RULES


def forget_rules() -> None:
    global _LOADED
    _LOADED = 0.0


def limit_for(category: Category | None, area_class: str, stage: str) -> tuple[int, str]:
    """The most specific rule: the minor class, then its major class, then any class; within each,
    the area class before any area class. Without any rule: one working day."""
    rules = _rules()
    ids = []
    if category is not None:
        ids = [category.pk, category.parent_id]
    for category_id in [*ids, None]:
        for cls in (area_class, ""):
            found = rules.get((category_id, cls, stage))
            if found:
                return found
    return 1, TimeUnit.WORK_DAY


def stage_deadlines(
    start: datetime.datetime, category: Category | None, area_class: str, stage: str
) -> tuple[datetime.datetime, datetime.datetime]:
    """(deadline, red-card time): red when the deadline has passed by the limit again."""
    amount, unit = limit_for(category, area_class, stage)
    natural = bool(category and category.natural_time)
    deadline = deadline_after(start, amount, unit, natural)
    red = deadline_after(deadline, amount * settings.GRIDGOV_RED_CARD_FACTOR, unit, natural)
    return deadline, red
