import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gridgov.accounts.system import CLASSIFIER, system_user
from gridgov.cases.models import Case, CaseEvent
from gridgov.cases.tests.conftest import taxonomy  # noqa: F401 (fixture)
from gridgov.exchange.models import ClassifierModel, Suggestion, SuggestionState
from gridgov.exchange.services import classify
from gridgov.exchange.tests.classify_helpers import closed_cases, sms_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("taxonomy")]


@pytest.fixture
def trained(users):
    closed_cases()
    classify.set_threshold(0.0, actor=users["admin"])
    return classify.train(actor=users["admin"])


def test_tokens_mix_words_and_bigrams():
    got = classify.tokens("路灯不亮，请修！")
    assert "w:请" in got and "b:路灯" in got and not any("，" in t for t in got)


def test_train_stores_weights_without_pickle_and_evaluates(trained):
    assert (
        trained.active
        and trained.texts == 24
        and set(trained.classes)
        == {
            "C0110",
            "E0102",
            "E0301",
            "E0504",
        }
    )
    assert bytes(trained.coef[:2]) == b"PK"  # an .npz archive
    split = trained.metrics["time_split"]
    assert split["train"] < 24 and split["model"]["n"] == 24 - split["train"]
    for method in ("model", "majority", "keyword"):
        assert 0 <= split[method]["top1"] <= split[method]["top3"] <= 1
    hand = trained.metrics["handwritten"]
    assert hand["model"]["n"] == 84 and hand["skipped"] == 420 - 84
    assert hand["model"]["top1"] > hand["majority"]["top1"]
    assert set(hand["model"]["classes"]) == set(trained.classes)
    # a fresh process loads the model from the database
    classify._LOADED.clear()
    assert classify.suggest_text("晚上路灯都不亮了")[0][0] == "C0110"


def test_time_split_trains_on_earlier_months(users):
    closed_cases()
    rows = classify.closed_cases()
    train, test, label = classify.time_split(rows)
    assert max(r[0] for r in train) < min(r[0] for r in test)
    assert "2026-" in label


def test_training_needs_an_administrator_and_enough_cases(users):
    with pytest.raises(PermissionDenied):
        classify.train(actor=users["op_a"])
    with pytest.raises(ValidationError):
        classify.train(actor=users["admin"])


def test_suggestion_accepted_by_the_operator(trained, users):
    case = sms_case("我家门口的路灯晚上不亮")
    suggestion = classify.suggest_for_case(case, actor=users["op_a"])
    assert suggestion.state == SuggestionState.OPEN and suggestion.category.code == "C0110"
    assert len(suggestion.top) == 3 and suggestion.area_code == case.area_code
    with pytest.raises(PermissionDenied):
        classify.decide(suggestion, actor=users["op_b"])
    classify.decide(suggestion, actor=users["op_a"])
    case.refresh_from_db()
    assert case.category.code == "C0110"
    event = CaseEvent.objects.get(case=case, action="categorize")
    assert event.data["auto"] is False and event.actor == users["op_a"]
    with pytest.raises(ValidationError):
        classify.decide(suggestion, actor=users["op_a"])


def test_operator_changes_the_suggestion(trained, users):
    from gridgov.cases.models import Category

    case = sms_case("路边很多垃圾没人管")
    suggestion = classify.suggest_for_case(case, actor=users["op_a"])
    other = Category.objects.get(code="E0103")
    done = classify.decide(suggestion, actor=users["op_a"], category=other)
    assert done.state == SuggestionState.CHANGED and done.chosen == other
    assert Case.objects.get(pk=case.pk).category == other


def test_above_the_threshold_it_is_applied_automatically(trained, users):
    classify.set_threshold(0.2, actor=users["admin"])
    case = sms_case("路灯不亮")
    suggestion = classify.suggest_for_case(case, actor=system_user(CLASSIFIER))
    assert suggestion.state == SuggestionState.AUTO
    event = CaseEvent.objects.get(case=case, action="categorize")
    assert event.actor.username == CLASSIFIER and event.data["auto"] is True
    assert "自动" in event.note or "automatically" in event.note


def test_the_job_suggests_for_waiting_cases_once(trained, users):
    a, b = sms_case("路灯坏了"), sms_case("乱停车")
    assert classify.suggest_waiting() == 2
    assert classify.suggest_waiting() == 0
    assert Suggestion.objects.filter(case__in=[a, b]).count() == 2


def test_threshold_is_checked(users):
    with pytest.raises(ValidationError):
        classify.set_threshold(1.5, actor=users["admin"])
    with pytest.raises(PermissionDenied):
        classify.set_threshold(0.5, actor=users["op_a"])


def test_a_new_model_replaces_the_active_one(trained, users):
    second = classify.train(actor=system_user(CLASSIFIER))
    assert list(ClassifierModel.objects.filter(active=True)) == [second]
