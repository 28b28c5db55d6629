from fractions import Fraction

import pytest

from gridgov.assessment import queries
from gridgov.assessment.indicators import INDICATORS, shown_value
from gridgov.assessment.models import CaseFact, Tally
from gridgov.assessment.rollup import roll_up
from gridgov.assessment.tests.conftest import OCTOBER


@pytest.fixture
def rolled(october):
    roll_up()
    return october


def value(totals, code):
    return shown_value(INDICATORS[code], totals)


def test_street_a_in_october_worked_out_by_hand(rolled):
    t = queries.totals(rolled["district"], "area", "410105001", [OCTOBER])
    assert t["reports"] == 4
    assert value(t, "valid_reports") == 3  # 1, 3 and 4 (handled on the spot)
    assert value(t, "valid_rate") == pytest.approx(2 / 3)  # accepted 1 and 3 of judged 1, 2, 3
    assert value(t, "accept_on_time") == 1  # 1, 2 (rejection) and 3 all within minutes
    assert (t["accept_done"], t["accept_on_time"]) == (3, 3)
    assert value(t, "filing_rate") == 1
    assert (t["dispatch_done"], t["returned"]) == (3, 1)
    assert value(t, "dispatch_accuracy") == pytest.approx(2 / 3)
    assert value(t, "handling_rate") == 1  # both dispatched cases were handled
    assert (t["handle_done"], t["handle_on_time"]) == (3, 2)  # the first handling of 3 was late
    assert value(t, "handle_on_time") == pytest.approx(2 / 3)
    assert value(t, "rework_rate") == pytest.approx(1 / 2)
    assert (t["verify_done"], t["verify_on_time"]) == (3, 3)
    assert value(t, "closing_rate") == 1  # 1, 3, 4 closed of 3 valid
    assert (t["close_done"], t["close_on_time"]) == (2, 2)
    assert t["yellow_cards"] == 1 and t["red_cards"] == 0
    assert t["self_handled"] == 1
    assert value(t, "public_rate") == 0


def test_every_level_adds_up(rolled):
    district = queries.totals(rolled["district"], "area", "410105", [OCTOBER])
    street_b = queries.totals(rolled["district"], "area", "410105002", [OCTOBER])
    grid = queries.totals(rolled["district"], "area", "41010500100101", [OCTOBER])
    assert district["reports"] == 5 and street_b["reports"] == 1 and grid["reports"] == 4
    assert street_b["accepted"] == 1 and street_b["closed"] == 0
    assert CaseFact.objects.count() == 5


def test_departments_and_staff(rolled):
    squad = queries.totals(rolled["district"], "department", rolled["squad"].pk, [OCTOBER])
    assert (squad["reports"], squad["closed"], squad["handled"], squad["reworked"]) == (2, 2, 2, 1)
    assert not Tally.objects.filter(unit_kind="department", unit_key=str(rolled["water"].pk))
    member = queries.totals(rolled["district"], "staff", rolled["member_a"].pk, [OCTOBER])
    assert (member["reports"], member["valid"], member["self_handled"]) == (4, 3, 1)
    assert (member["verify_done"], member["verify_on_time"]) == (3, 3)
    clerk = queries.totals(rolled["district"], "staff", rolled["community"].pk, [OCTOBER])
    assert (clerk["accept_done"], clerk["file_done"], clerk["dispatch_done"]) == (3, 2, 3)


def test_composite_score_follows_the_schemes_weights(rolled):
    report = queries.unit_report(rolled["district"], "area", "410105001", OCTOBER)
    # area: (1 − public rate) 10 + reports band 20 (4 reports → 0) + closing 30 + on-time 40
    assert report["score"] == pytest.approx(
        float(Fraction(10 * 100 + 20 * 0 + 30 * 100 + 40 * 100, 100))
    )
    assert report["grade"] == "B"
    scheme = report["scheme"]
    scheme.items = [
        {"indicator": "handle_on_time", "weight": 50},
        {"indicator": "rework_rate", "weight": 50},
    ]
    scheme.save()
    again = queries.unit_report(rolled["district"], "area", "410105001", OCTOBER)
    assert again["score"] == pytest.approx(round((2 / 3 * 100 + 50) / 2, 1))


def test_drill_down_lists_the_cases_behind_a_rate(rolled):
    one, _two, three, four, _five = rolled["cases"]
    district = rolled["district"]
    below = queries.cases_behind(
        district, "area", "410105001", OCTOBER, "rework_rate", "denominator"
    )
    above = queries.cases_behind(district, "area", "410105001", OCTOBER, "rework_rate", "numerator")
    assert set(below) == {one, three} and set(above) == {three}
    valid = queries.cases_behind(
        district, "area", "410105001", OCTOBER, "closing_rate", "denominator"
    )
    assert set(valid) == {one, three, four}
    late = queries.cases_behind(
        district, "staff", rolled["handler"].pk, OCTOBER, "handle_on_time", "denominator"
    )
    assert set(late) == {one, three}


def test_roll_up_reads_only_new_entries(rolled):
    from gridgov.cases import services

    five = rolled["cases"][4]
    result = roll_up()
    assert result["cases"] == 0
    services.perform(five, "file", actor=rolled["community_b"])
    result = roll_up()
    assert result["cases"] == 1
    assert (
        queries.totals(
            rolled["district"], "area", "410105002", [five.created_at.strftime("%Y-%m")]
        )["filed"]
        == 1
    )


def test_another_street_sees_nothing_of_street_a(rolled):
    from django.http import Http404

    leader_b = rolled["leader_b"]
    with pytest.raises(Http404):
        queries.totals(leader_b, "area", "410105001", [OCTOBER])
    with pytest.raises(Http404):
        queries.cases_behind(leader_b, "area", "410105001", OCTOBER, "closing_rate", "numerator")
    ranking = queries.ranking(leader_b, "area", "community", OCTOBER)
    assert {r["key"][:9] for r in ranking["rows"]} <= {"410105002"}
    streets = queries.ranking(leader_b, "area", "street", OCTOBER)
    assert [r["key"] for r in streets["rows"]] == ["410105002"]


def test_the_roll_up_runs_as_a_periodic_job(october, settings):
    from gridgov.assessment.models import RollupState
    from gridgov.jobs.models import Job
    from gridgov.jobs.services import enqueue_due_periodic, run_pending

    assert "assessment.roll_up" in settings.GRIDGOV_PERIODIC_JOBS
    queued = enqueue_due_periodic()
    assert "assessment.roll_up" in {job.kind for job in queued}
    run_pending()
    job = Job.objects.get(kind="assessment.roll_up")
    assert job.status == "done" and job.result["cases"] == "all"
    assert RollupState.objects.get().rolled_at is not None
    assert queries.totals(october["district"], "area", "410105001", [OCTOBER])["reports"] == 4
