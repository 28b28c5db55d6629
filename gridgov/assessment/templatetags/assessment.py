from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from gridgov.assessment import periods
from gridgov.assessment.indicators import INDICATORS
from gridgov.assessment.models import LINE_MEASURES

register = template.Library()

NO_CASES_BEHIND = {"registry_updates", "visits", *LINE_MEASURES}


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"


@register.simple_tag
def drill_link(report: dict, row: dict, part: str):
    """The count as a link to the cases behind it (numerator or denominator)."""
    ind = INDICATORS[row["code"]]
    count = row["numerator"] if part == "numerator" else row["denominator"]
    measure = ind.numerator if part == "numerator" else ind.denominator
    if not count or measure in NO_CASES_BEHIND or measure.startswith("satisfaction"):
        return f"{count:,}" if isinstance(count, int) else count
    query = urlencode(
        {
            "kind": report["unit_kind"],
            "unit": report["unit_key"],
            "period": report["period"],
            "indicator": row["code"],
            "part": part,
        }
    )
    return format_html(
        '<a href="{}?{}" class="drill">{}</a>', reverse("assessment:drill"), query, f"{count:,}"
    )


@register.inclusion_tag("assessment/_partial.html")
def partial_mark(period: str) -> dict:
    """A badge when the period still includes the running month: its figures are not final."""
    return {"running": periods.is_running(period)}


@register.simple_tag
def line_figure(row: dict, code: str):
    """A business line's rate in a ranking, with numerator / denominator beside it; "—" when
    nothing fell due (no rate, not 0%)."""
    top, bottom = row.get(f"{code}_counts") or (0, 0)
    return format_html(
        '{} <small class="muted">{}/{}</small>', percent(row.get(code)), f"{top:,}", f"{bottom:,}"
    )
