"""A case to verify opens in the phone's frame and is verified there: the member sees what was
reported and done, takes the verify step, and stays in the phone app."""

import pytest

from gridgov.cases import services as cases
from gridgov.cases.models import Case, Status
from gridgov.mobile.queries import todo_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def handled(tree, users):
    grid = tree.grids[0]
    case, _created = cases.report_case(
        actor=users["op_a"],
        channel="grid_member",
        description="路灯不亮，已维修待核查",
        title="路灯不亮",
        lon=grid.label_lon,
        lat=grid.label_lat,
    )
    Case.objects.filter(pk=case.pk).update(status=Status.HANDLED)
    return case


def test_the_to_do_opens_a_case_to_verify_on_the_phone(handled, users):
    [item] = [i for i in todo_items(users["member_a"]) if i["kind"] == "verify"]
    assert item["url"] == f"/m/cases/{handled.pk}/"


def test_a_member_verifies_on_the_phone_and_stays_in_the_app(handled, users, client_for):
    client = client_for(users["member_a"])
    page = client.get(f"/m/cases/{handled.pk}/")
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-cache"
    html = page.content.decode()
    assert "路灯不亮，已维修待核查" in html and "m-tabs" in html
    assert 'id="m-step-verify_pass"' in html and 'id="m-step-verify_fail"' in html

    back = f"/m/cases/{handled.pk}/"
    refused = client.post(f"/cases/{handled.pk}/do/verify_fail/", {"note": "", "next": back})
    assert refused.status_code == 302 and refused["Location"] == back
    handled.refresh_from_db()
    assert handled.status == Status.HANDLED  # rework needs a reason

    done = client.post(f"/cases/{handled.pk}/do/verify_pass/", {"note": "已亮", "next": back})
    assert done.status_code == 302 and done["Location"] == back
    handled.refresh_from_db()
    assert handled.status == Status.VERIFIED
    after = client.get(back).content.decode()
    assert 'id="m-step-verify_pass"' not in after


@pytest.mark.parametrize("next_url", ["https://evil.example/m/", "//evil.example/m/", "/cases/"])
def test_the_step_goes_back_only_to_a_phone_page(handled, users, client_for, next_url):
    answer = client_for(users["member_a"]).post(
        f"/cases/{handled.pk}/do/verify_pass/", {"note": "", "next": next_url}
    )
    assert answer.status_code == 302 and answer["Location"] == f"/cases/{handled.pk}/"


def test_another_streets_case_is_not_found_on_the_phone(handled, users, client_for):
    assert client_for(users["op_b"]).get(f"/m/cases/{handled.pk}/").status_code == 404
    assert client_for(users["admin"]).get(f"/m/cases/{handled.pk}/").status_code == 200
