"""Every sight of key-population membership is in the access log: the list, a person's tags,
people filtered by tag (page, API and export)."""

import json

import pytest

from gridgov.audit.models import AccessLog
from gridgov.registry import services as registry


@pytest.fixture
def tagged(tree, users):
    person, _created = registry.save_person(
        {"name": "钱七", "id_number": "410105198001010017", "registration": "registered"},
        actor=users["op_a"],
        area_code=tree.grids[0].code,
    )
    registry.tag_key_population(person, actor=users["op_a"], category="correction")
    return person


def test_the_key_population_list_is_logged(tagged, users, client_for):
    page = client_for(users["op_a"]).get("/registry/key-populations/")
    assert "钱七" in page.content.decode()
    entry = AccessLog.objects.get()
    assert entry.actor == users["op_a"] and entry.fields == ["key_population"]
    assert entry.record_count == 1 and entry.area_code == tagged.area_code


def test_a_persons_tags_are_logged_when_shown(tagged, users, client_for):
    page = client_for(users["op_a"]).get(f"/registry/people/{tagged.pk}/").content.decode()
    assert "社区矫正" in page
    entry = AccessLog.objects.get()
    assert (entry.subject_type, entry.subject_id) == ("registry.person", str(tagged.pk))
    # A role that may not see tags sees none, and nothing is logged for it.
    client_for(users["member_a"]).get(f"/registry/people/{tagged.pk}/")
    assert AccessLog.objects.count() == 1


def test_people_filtered_by_tag_are_logged_on_the_page_and_in_the_api(tagged, users, client_for):
    client = client_for(users["op_a"])
    assert "钱七" in client.get("/registry/people/?tag=correction").content.decode()
    answer = json.loads(client.get("/api/v1/people?tag=any").content)
    assert [p["name"] for p in answer["items"]] == ["钱七"]
    client.get("/registry/people/export.csv?tag=any")
    # The page, the API, the export's tag sight, and the export itself.
    assert AccessLog.objects.count() == 4
    assert AccessLog.objects.filter(purpose="export").count() == 1
    assert set(AccessLog.objects.values_list("record_count", flat=True)) == {1}
    # An unfiltered list shows no tags and writes nothing.
    client.get("/registry/people/")
    assert AccessLog.objects.count() == 4


def test_key_populations_search_by_name_and_show_the_next_visit_due(
    tagged, tree, users, client_for
):
    import datetime

    import time_machine
    from django.utils import timezone

    other, _created = registry.save_person(
        {"name": "孙八", "id_number": "410105198001010033", "registration": "registered"},
        actor=users["op_a"],
        area_code=tree.grids[0].code,
    )
    registry.tag_key_population(other, actor=users["op_a"], category="correction")
    tz = timezone.get_default_timezone()
    with time_machine.travel(datetime.datetime(2026, 10, 5, 9, 0, tzinfo=tz)):
        registry.record_visit(tagged, actor=users["op_a"], note="")
    client = client_for(users["op_a"])
    with time_machine.travel(datetime.datetime(2026, 10, 20, 9, 0, tzinfo=tz)):
        response = client.get("/registry/key-populations/", {"q": "钱"})
    rows = list(response.context["page"])
    assert [t.person.name for t in rows] == ["钱七"]
    interval = rows[0].visit_every_days
    assert rows[0].next_visit == datetime.date(2026, 10, 5) + datetime.timedelta(days=interval)
    html = response.content.decode()
    assert f'data-due="{rows[0].next_visit:%Y-%m-%d}"' in html and "孙八" not in html
    assert rows[0].grid_name == tree.grids[0].name
