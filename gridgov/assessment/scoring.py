"""Composite scores: a scheme's items, each scored 0–100, weighted. Undefined rates (nothing to
divide by) leave the score and its weight out, so a grid without cases is not marked down."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gridgov.assessment.indicators import AREA_ONLY, INDICATORS, RATINGS, shown_value

GRADES = ((90, "A"), (75, "B"), (60, "C"), (40, "D"))


def grade(score: float | None) -> str:
    if score is None:
        return ""
    for floor, letter in GRADES:
        if score >= floor:
            return letter
    return "E"


def band_score(value: float, bands: list, fewer_is_better: bool) -> float:
    """Bands are [threshold, score] pairs: the first whose threshold the value reaches (at least
    it, or at most it when fewer is better) gives the score; none reached gives 0."""
    for threshold, score in bands:
        if (value <= threshold) if fewer_is_better else (value >= threshold):
            return float(score)
    return 0.0


@dataclass
class ItemScore:
    indicator: str
    label: str
    weight: float
    value: float | None
    score: float | None


def score_items(items: list[dict], totals: dict) -> tuple[float | None, list[ItemScore]]:
    parts: list[ItemScore] = []
    weighted = weights = 0.0
    for item in items:
        ind = INDICATORS[item["indicator"]]
        value = shown_value(ind, totals)
        weight = float(item["weight"])
        if value is None:
            score = None
        elif item.get("bands"):
            score = band_score(value, item["bands"], bool(item.get("fewer_is_better")))
        elif ind.code in RATINGS:
            score = max(0.0, min(100.0, (value - 1) / 4 * 100))
        elif ind.lower_is_better:
            score = (1 - value) * 100
        else:
            score = value * 100
        if score is not None:
            weighted += weight * score
            weights += weight
        parts.append(ItemScore(ind.code, str(ind.label), weight, value, score))
    total = round(weighted / weights, 1) if weights else None
    return total, parts


def clean_items(items: list[dict], unit_kind: str = "area") -> list[dict]:
    """Validated scheme items, or a ValidationError that says which row is wrong and why. The
    business lines' figures score areas only (never a department or a person)."""
    cleaned = []
    if not items:
        raise ValidationError(_("A scheme needs at least one item."))
    for number, item in enumerate(items, start=1):
        code = item.get("indicator")
        if code not in INDICATORS:
            raise ValidationError(_("Row %(n)d: unknown indicator.") % {"n": number})
        if code in AREA_ONLY and unit_kind != "area":
            raise ValidationError(
                _("Row %(n)d: this figure is counted for areas only.") % {"n": number}
            )
        try:
            weight = float(item.get("weight"))
        except (TypeError, ValueError):
            raise ValidationError(
                _("Row %(n)d: the weight is not a number.") % {"n": number}
            ) from None
        if not 0 < weight <= 100:
            raise ValidationError(_("Row %(n)d: weights run from 0 to 100.") % {"n": number})
        bands = item.get("bands") or []
        if not INDICATORS[code].is_rate and not bands:
            raise ValidationError(
                _("Row %(n)d: a count is scored by bands (threshold:score, …).") % {"n": number}
            )
        try:
            bands = [[float(t), float(s)] for t, s in bands]
        except (TypeError, ValueError):
            raise ValidationError(
                _("Row %(n)d: bands are threshold:score pairs.") % {"n": number}
            ) from None
        entry = {"indicator": code, "weight": weight}
        if bands:
            entry["bands"] = bands
            entry["fewer_is_better"] = bool(item.get("fewer_is_better"))
        cleaned.append(entry)
    return cleaned


def parse_bands(text: str) -> list[list[float]]:
    """'2001:100, 1201:90, 0:0' → [[2001, 100], [1201, 90], [0, 0]]."""
    bands = []
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        threshold, _sep, score = part.replace("：", ":").partition(":")
        try:
            bands.append([float(threshold), float(score)])
        except ValueError:
            raise ValidationError(
                _("Bands are threshold:score pairs, e.g. 2001:100, 1201:90.")
            ) from None
    return bands


def format_bands(bands: list) -> str:
    return ", ".join(f"{t:g}:{s:g}" for t, s in bands)
