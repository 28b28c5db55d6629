"""Template filters for time limits: a deadline in a year with unknown holidays is an estimate."""

from django import template

from gridgov.cases import worktime

register = template.Library()


@register.filter
def is_estimate(deadline) -> bool:
    return deadline is not None and worktime.estimated(deadline)
