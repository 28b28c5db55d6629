"""Template filters for time limits: a deadline in a year with unknown holidays is an estimate."""

from django import template

from gridgov.cases import worktime

register = template.Library()


@register.filter
def is_estimate(deadline) -> bool:
    return deadline is not None and worktime.estimated(deadline)


@register.filter
def stage_label(stage: str) -> str:
    """The translated label of a loop stage key ("handle" → 处置); an unknown key shows as is."""
    from gridgov.cases.models.taxonomy import Stage

    return Stage(stage).label if stage in Stage.values else stage
