"""A citizen not sure which category to choose: the description suggests one (the trained
classifier, or the categories' search words without a model), and a report sent without a
category is filed under the suggestion."""

import json

from django.test import Client

from gridgov.exchange.services import classify
from gridgov.exchange.tests.classify_helpers import closed_cases
from gridgov.portal import queries
from gridgov.portal.models import PortalReport
from gridgov.portal.tests.conftest import category, last_code
from gridgov.portal.tests.test_portal_pages import _report_page


def _alert(answer) -> str:
    html = answer.content.decode()
    start = html.find('role="alert"')
    return html[start : start + 500]


def _labels(found) -> list[str]:
    return [c.label for c in found]


def test_without_a_model_the_search_words_suggest(portal):
    assert _labels(queries.suggest_categories("楼下井盖丢了，很危险")) == ["井盖缺损"]
    assert queries.suggest_categories("今天天气不错") == []
    assert queries.suggest_categories("   ") == []


def test_the_trained_classifier_ranks_the_suggestions(portal, users):
    closed_cases()
    classify.train(actor=users["admin"])
    # No search word of the category is in the text: only the model can know it.
    found = queries.suggest_categories("半夜打桩声音太大睡不着")
    assert found and found[0].label == "施工扰民"


def test_the_api_answers_public_names_and_refuses_bad_text(portal):
    client = Client()
    answer = client.get("/api/v1/portal/suggest", {"text": "门口路灯坏了"})
    assert answer.status_code == 200
    found = json.loads(answer.content)
    assert found[0] == {"id": category("C0110").pk, "label": "路灯不亮", "icon": "💡"}
    assert client.get("/api/v1/portal/suggest", {"text": "x" * 1001}).status_code == 422
    assert client.get("/api/v1/portal/suggest").status_code == 422


def _confirmed_client(phone: str) -> Client:
    client = Client()
    client.post("/portal/code/", {"phone": phone})
    return client


def test_a_report_without_a_category_is_filed_by_its_description(portal):
    client = _confirmed_client("13800005678")
    data = _report_page(
        client, phone="13800005678", code=last_code("13800005678"), description="小区门口井盖丢了"
    )
    del data["category"]
    answer = client.post("/portal/report/", data)
    assert answer.status_code == 302, _alert(answer)
    made = PortalReport.objects.get()
    assert made.category.label == "井盖缺损"
    assert made.case.category.code == "C0102"
    page = client.get(answer["Location"]).content.decode()
    assert "井盖缺损" in page


def test_a_report_neither_chosen_nor_told_is_refused_and_nothing_made(portal):
    client = _confirmed_client("13800005679")
    data = _report_page(
        client, phone="13800005679", code=last_code("13800005679"), description="请尽快处理一下"
    )
    del data["category"]
    answer = client.post("/portal/report/", data)
    assert answer.status_code == 400
    assert (
        "description did not tell us" in answer.content.decode()
        or "描述" in answer.content.decode()
    )
    assert not PortalReport.objects.exists()
