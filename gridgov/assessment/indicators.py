"""The indicators (GB/T 30428.4 rates and the loop's counts) as data: each is a ratio of two
measures, or a plain count. Drill-down uses the same definitions: the cases behind a numerator
are the facts with that measure above zero."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    numerator: str
    denominator: str | None = None  # None: a count, not a rate
    lower_is_better: bool = False

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def value(self, totals: dict) -> float | None:
        """The rate (0–1) or the count; None when there is nothing to divide by."""
        top = totals.get(self.numerator, 0) or 0
        if self.denominator is None:
            return float(top)
        bottom = totals.get(self.denominator, 0) or 0
        return top / bottom if bottom else None


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in [
        Indicator("reports", _("Reports"), "reports"),
        Indicator("valid_reports", _("Valid reports"), "valid"),
        Indicator("valid_rate", _("Valid report rate"), "accepted", "judged"),
        Indicator("accept_on_time", _("On-time acceptance"), "accept_on_time", "accept_done"),
        Indicator("filing_rate", _("Filing rate"), "filed", "accepted"),
        Indicator("file_on_time", _("On-time filing"), "file_on_time", "file_done"),
        Indicator("filing_accuracy", _("Filing accuracy"), "voided", "filed"),
        Indicator("dispatch_on_time", _("On-time dispatch"), "dispatch_on_time", "dispatch_done"),
        Indicator("dispatch_accuracy", _("Dispatch accuracy"), "returned", "dispatch_done"),
        Indicator("handling_rate", _("Handling rate"), "handled", "dispatched"),
        Indicator("handle_on_time", _("On-time handling"), "handle_on_time", "handle_done"),
        Indicator("rework_rate", _("Rework rate"), "reworked", "handled", True),
        Indicator("verify_on_time", _("On-time verification"), "verify_on_time", "verify_done"),
        Indicator("closing_rate", _("Closing rate"), "closed", "valid"),
        Indicator("close_on_time", _("On-time closing"), "close_on_time", "close_done"),
        Indicator("public_rate", _("Public report rate"), "public_valid", "valid", True),
        Indicator("escalations", _("Escalations"), "escalations"),
        Indicator("yellow_cards", _("Yellow cards"), "yellow_cards"),
        Indicator("red_cards", _("Red cards"), "red_cards"),
        Indicator("satisfaction", _("Satisfaction"), "satisfaction_sum", "satisfaction_count"),
        Indicator("self_handled", _("Handled on the spot"), "self_handled"),
        Indicator("visits", _("Visits"), "visits"),
        Indicator("registry_updates", _("Registry updates"), "registry_updates"),
        Indicator(
            "whistle_on_time",
            _("On-time arrival when summoned (吹哨报到)"),
            "whistle_on_time",
            "whistle_calls",
        ),
        Indicator("tasks_on_time", _("Field tasks done on time"), "tasks_on_time", "tasks_due"),
        Indicator("visits_on_time", _("Due visits done on time"), "visits_on_time", "visits_due"),
        Indicator(
            "diary_quality",
            _("Work diary quality (reviewed)"),
            "diary_rating_sum",
            "diary_reviewed",
        ),
        # The business lines (gridgov.lines): figures of areas only.
        Indicator(
            "mediation_success_rate",
            _("Mediation success rate"),
            "mediation_success",
            "mediation_ended",
        ),
        Indicator("rectify_on_time", _("On-time rectification"), "rectify_on_time", "rectify_due"),
        Indicator(
            "special_visits_on_time",
            _("Special-population visits on time"),
            "special_visits_on_time",
            "special_visits_due",
        ),
    ]
}
# Figures of areas, never of a department or a person (the lines count per area, desk only).
AREA_ONLY = {"mediation_success_rate", "rectify_on_time", "special_visits_on_time"}
# Averages of 1–5 ratings rather than rates: scored (value − 1) / 4 × 100.
RATINGS = {"satisfaction", "diary_quality"}

# Shown as "1 − rate" in scores and tables: accuracy is what is not voided or returned.
ACCURACY = {"filing_accuracy", "dispatch_accuracy"}


def shown_value(indicator: Indicator, totals: dict) -> float | None:
    """The value as people read it: accuracy as 1 − the error rate, satisfaction as 1–5."""
    value = indicator.value(totals)
    if value is None:
        return None
    if indicator.code in ACCURACY:
        return 1 - value
    return value


def codes_for(unit_kind: str) -> list[str]:
    """The indicators shown for a kind of unit: the lines' figures for areas only."""
    return [c for c in INDICATORS if unit_kind == "area" or c not in AREA_ONLY]


def indicator_table(totals: dict, codes: list[str] | None = None) -> list[dict]:
    """[{code, label, value, numerator, denominator, is_rate}] for the given indicators."""
    rows = []
    for code in codes or list(INDICATORS):
        ind = INDICATORS[code]
        rows.append(
            {
                "code": code,
                "label": str(ind.label),
                "value": shown_value(ind, totals),
                "numerator": totals.get(ind.numerator, 0),
                "denominator": totals.get(ind.denominator, 0) if ind.denominator else None,
                "is_rate": ind.is_rate and code not in RATINGS,
            }
        )
    return rows
