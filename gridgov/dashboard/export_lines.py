"""The business lines' sheets of the cockpit's Excel export: the same counts as the cockpit's
lines and special-population panels (`queries.lines`, `queries.populations`), no names. The
special-population sheet is there only when the reader holds that right (the panel's data is
None otherwise)."""

from django.utils.translation import gettext as _

Sheet = tuple[str, list[str], list[list]]


def _on_time_rows(label: str, months: list[dict]) -> list[list]:
    return [[f"{label} {m['month']}", m["on_time"], m["due"], m["rate"]] for m in months]


def lines_sheets(lines: dict, populations: dict | None) -> list[Sheet]:
    """The lines' summary, disputes by kind and by stage, open hazards by grade, and (with the
    right) special populations by category and risk level."""
    summary = [
        [_("Disputes open"), lines["open_disputes"], None, None],
        [_("Escalated risk"), lines["flagged_disputes"], None, None],
        [_("Mediation success rate"), None, None, lines["mediation_success_rate"]],
        [_("Hazards open"), lines["open_hazards"], None, None],
        [_("Major hazards"), lines["major_hazards"], None, None],
        [_("Rectification overdue"), lines["overdue_rectifications"], None, None],
        *_on_time_rows(_("Rectified on time"), lines["rectification"]),
    ]
    if populations is not None:
        summary += [
            [_("Special populations under management"), populations["total"], None, None],
            [_("Lost contact"), populations["lost_contact"], None, None],
            [_("Visits overdue"), populations["visits_overdue"], None, None],
            *_on_time_rows(_("Visits on time"), populations["visits"]),
        ]
    sheets: list[Sheet] = [
        (
            _("Business lines"),
            [_("Item"), _("Count"), _("Due in the month"), _("Rate (0–1)")],
            summary,
        ),
        (
            _("Disputes by kind"),
            [_("Kind"), _("Number of disputes")],
            [[r["name"], r["count"]] for r in lines["disputes_by_kind"]],
        ),
        (
            _("Disputes by stage"),
            [_("Dispute stage"), _("Number of disputes")],
            [[r["name"], r["count"]] for r in lines["disputes_by_stage"]],
        ),
        (
            _("Open hazards by grade"),
            [_("Grade"), _("Number of hazards")],
            [[r["name"], r["count"]] for r in lines["open_hazards_by_grade"]],
        ),
    ]
    if populations is not None:
        levels = max([len(c["by_risk"]) for c in populations["categories"]] + [1])
        sheets.append(
            (
                _("Special populations"),
                [_("Population category"), _("Care or control group"), _("Total")]
                + [_("Risk level %(n)s") % {"n": n} for n in range(levels)],
                [
                    [c["name"], c["group_name"], c["total"]]
                    + [c["by_risk"][n] if n < len(c["by_risk"]) else 0 for n in range(levels)]
                    for c in populations["categories"]
                ],
            )
        )
    return sheets
