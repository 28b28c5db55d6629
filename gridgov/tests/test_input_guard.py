"""Input that must get a clear 4xx, never a 500, and write nothing: control characters and unpaired
surrogates in any text, deeply nested JSON, bodies of the wrong shape or content type, values
longer than their column (PostgreSQL refuses them where SQLite stores them), ids that are not
numbers in page forms."""

import json
import string
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gridgov.accounts.services import issue_token
from gridgov.areas.models import Area
from gridgov.cases import services as case_services
from gridgov.cases.models import Case
from gridgov.input_guard import MAX_JSON_DEPTH, bad_form, bad_json_text, bad_text, json_too_deep
from gridgov.registry import services as registry_services
from gridgov.registry.models import House, Person

FIXED = settings(max_examples=200, derandomize=True, deadline=None, database=None)
# Every code point, surrogates included, with the ones that matter drawn often.
ANY_CHARACTER = st.one_of(
    st.characters(codec=None, exclude_categories=()),
    st.sampled_from('\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f\\u"\ud800\udbff\udc00\udfff'),
)
ANY_TEXT = st.text(ANY_CHARACTER, max_size=30)


def _server_sees(text: str) -> str:
    return json.loads(json.dumps({"v": text}))["v"]


@FIXED
@given(ANY_TEXT)
@example("\\u0001")  # a backslash and "u0001" typed as text: no control character
@example("\\\ud800")
@example("\ud83d\ude00")  # a surrogate pair in JSON is one character, not two lone ones
def test_json_text_is_refused_exactly_when_the_server_would_see_a_bad_character(text):
    body = json.dumps({"v": text}).encode()
    assert bad_json_text(body) == bad_text(_server_sees(text))


@FIXED
@given(st.text(st.characters(codec="utf-8"), max_size=30))
def test_form_text_is_refused_exactly_when_it_holds_a_control_character(text):
    assert bad_form(urlencode({"v": text}).encode()) == bad_text(text)


def _nest(depth: int, kinds: list[bool], leaf: str):
    value = leaf
    for i in range(depth):
        value = [value] if kinds[i % len(kinds)] else {"k[{": value}
    return value


@FIXED
@given(
    st.integers(0, 2 * MAX_JSON_DEPTH),
    st.lists(st.booleans(), min_size=1, max_size=5),
    st.text(st.sampled_from('[]{}",\\x'), max_size=10),
)
def test_json_is_too_deep_exactly_beyond_the_limit(depth, kinds, leaf):
    assert json_too_deep(json.dumps(_nest(depth, kinds, leaf)).encode()) == (depth > MAX_JSON_DEPTH)


@FIXED
@given(st.text(string.printable.replace("\x0b", "").replace("\x0c", ""), max_size=40))
def test_printable_text_passes(text):
    assert not bad_text(text)
    assert not bad_json_text(json.dumps({"v": text}).encode())


@pytest.fixture
def api(client, users):
    token = issue_token(users["admin"])

    def send(method, url, body, content_type="application/json"):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if body is not None:
            kwargs.update(data=body, content_type=content_type)
        return getattr(client, method)(url, **kwargs)

    send.client, send.auth = client, f"Bearer {token}"
    return send


DEEP = "[" * 5000 + "]" * 5000
NEW_CASE = {"description": "路灯不亮", "address": "经八路1号", "channel": "api"}


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        (
            '{"description": "a\\u0001b", "address": "x"}',
            "application/json",
            400,
            "invalid_character",
        ),
        (
            '{"description": "a\\ud800b", "address": "x"}',
            "application/json",
            400,
            "invalid_character",
        ),
        (
            '{"description": "ok", "address": "\\udc00"}',
            "application/json",
            400,
            "invalid_character",
        ),
        ('{"description": "a\x01b"}', "application/json", 400, "invalid_character"),
        ('{"description": ' + DEEP + "}", "application/json", 400, "too_deep"),
        ('{"description": ' + "[" * 40 + "]" * 40 + "}", "application/json", 400, "too_deep"),
        ("[]", "application/json", 422, "invalid"),
        ('"text"', "application/json", 422, "invalid"),
        ("{", "application/json", 400, "malformed"),
        (json.dumps(NEW_CASE), "text/plain", 415, "unsupported_media_type"),
        (json.dumps(NEW_CASE), "application/xml", 415, "unsupported_media_type"),
        (
            "description=x&address=y",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
        ),
        ({**NEW_CASE, "title": "题" * 101}, "application/json", 422, "invalid"),
        ({**NEW_CASE, "urgency": "sometime"}, "application/json", 422, "invalid"),
    ],
)
def test_bad_case_bodies_get_a_clear_4xx_and_write_nothing(api, body, content_type, status, code):
    if isinstance(body, dict):
        body = json.dumps(body)
    response = api("post", "/api/v1/cases", body, content_type)
    assert response.status_code == status
    answer = json.loads(response.content)
    assert answer["code"] == code and answer["message"]
    assert not Case.objects.exists()


def test_the_same_case_body_without_the_bad_part_is_taken(api):
    """Liveness of the test above: the endpoint does write when the input is fine."""
    response = api("post", "/api/v1/cases", json.dumps({**NEW_CASE, "title": "题" * 100}))
    assert response.status_code == 201
    assert Case.objects.count() == 1


def test_a_login_with_an_unpaired_surrogate_is_refused(api, db):
    response = api("post", "/api/v1/auth/token", '{"username": "\\udc80", "password": "x"}')
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "invalid_character"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("patch", "/api/v1/areas/410105001001", {"name": "名" * 101}),
        ("patch", "/api/v1/areas/410105001001", {"note": "注" * 501}),
        ("patch", "/api/v1/areas/410105001001", {"risk": "extreme"}),
        ("post", "/api/v1/areas/410105001001/retire", {"note": "注" * 501}),
        ("post", "/api/v1/areas/410105001001/move", {"parent_code": "4" * 21}),
        (
            "post",
            "/api/v1/areas",
            {"code": "410105001009", "name": "名" * 101, "level": "grid"},
        ),
        ("post", "/api/v1/people", {"name": "张三", "former_name": "曾" * 51}),
        ("post", "/api/v1/people", {"name": "张三", "employer": "单" * 101}),
        ("post", "/api/v1/people", {"name": "张三", "other_id_type": "library card"}),
        ("post", "/api/v1/people", {"name": "名" * 51}),
        ("post", "/api/v1/auth/token", {"username": "u", "password": "p", "name": "n" * 101}),
    ],
)
def test_values_longer_than_their_column_or_not_among_its_choices_get_422(
    api, tree, method, url, body
):
    before = list(Area.objects.values_list("code", "name", "note", "risk").order_by("code"))
    response = api(method, url, json.dumps(body))
    assert response.status_code == 422
    assert json.loads(response.content)["code"] == "invalid"
    assert list(Area.objects.values_list("code", "name", "note", "risk").order_by("code")) == before
    assert not Person.objects.exists()


def _a_house(users) -> House:
    building = registry_services.save_building(
        {
            "code": "B-1",
            "name": "1号楼",
            "address": "经八路1号",
            "units": 1,
            "floors": 1,
            "rooms_per_floor": 1,
            "lon": 113.605,
            "lat": 34.7175,
        },
        actor=users["admin"],
    )
    registry_services.generate_houses(building, actor=users["admin"])
    return House.objects.get()


def test_values_as_long_as_their_column_are_stored(api, tree, users):
    """Liveness, and on PostgreSQL the proof that each limit fits its column."""
    grid = "/api/v1/areas/410105001001"
    assert (
        api("patch", grid, json.dumps({"name": "名" * 100, "note": "注" * 500})).status_code == 200
    )
    assert Area.objects.get(code="410105001001").note == "注" * 500
    person = {
        "name": "名" * 50,
        "other_id_type": "passport",
        "other_id": "E" * 40,
        "former_name": "曾" * 50,
        "ethnicity": "族" * 20,
        "nationality": "国" * 40,
        "education": "学" * 20,
        "occupation": "职" * 50,
        "employer": "单" * 100,
        "marital_status": "婚" * 10,
        "political_status": "政" * 20,
        "house_code": _a_house(users).code,
    }
    response = api("post", "/api/v1/people", json.dumps(person))
    assert response.status_code == 201, response.content
    assert Person.objects.get().employer == "单" * 100
    answer = api(
        "post",
        "/api/v1/auth/token",
        json.dumps({"username": "leader", "password": "pw-leader", "name": "n" * 100}),
    )
    assert answer.status_code == 200


@pytest.mark.parametrize("query", ["area=a%00b", "area=a%1Bb", "status=%7F"])
def test_control_characters_in_api_queries_are_refused(api, query):
    response = api("get", f"/api/v1/cases?{query}", None)
    assert response.status_code == 400
    assert "NUL" in json.loads(response.content)["message"]


@pytest.mark.parametrize("body", ["username=a%00&password=x", "username=a%07&password=x"])
def test_control_characters_in_page_forms_are_refused(client, db, body):
    response = client.post(
        "/accounts/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [('{"description": "a\\u0001b"}', "application/json"), ("x", "text/plain")],
)
def test_a_call_without_credentials_is_a_401_whatever_its_body(client, db, body, content_type):
    response = client.post("/api/v1/cases", body, content_type=content_type)
    assert response.status_code == 401


def test_ordinary_text_passes(client, db):
    response = client.post(
        "/api/v1/auth/token",
        '{"username": "nobody", "password": "x\\ttab\\nline"}',
        content_type="application/json",
    )
    assert response.status_code in (401, 429)


@pytest.fixture
def case(users):
    made, _created = case_services.report_case(
        actor=users["admin"], channel="api", description="井盖缺失", lon=113.605, lat=34.7175
    )
    return made


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("dispatch", "department", "abc"),
        ("dispatch", "department", "99999999999999999999999"),
        ("decide", "request", "abc"),
        ("decide", "request", "1e5"),
        ("merge", "target", "abc"),
        ("merge", "target", "99999999999999999999999"),
        ("request_extension", "hours", "abc"),
        ("supervise", "note", "注" * 501),
    ],
)
def test_page_actions_with_ids_that_are_not_numbers_answer_with_a_message(
    client_for, users, case, action, field, value
):
    client = client_for(users["admin"])
    before = case.events.count()
    response = client.post(
        f"/cases/{case.pk}/do/{action}/",
        {field: value, "hours": "8"} if field != "hours" else {field: value},
    )
    assert response.status_code == 302
    assert case.events.count() == before
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert [m.level_tag for m in page.context["messages"]] == ["error"]


HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("get", f"/api/v1/cases/{HUGE}", None),
        ("get", f"/api/v1/people/{HUGE}", None),
        ("get", f"/api/v1/jobs/{HUGE}", None),
        ("post", "/api/v1/people/1/merge", {"duplicate": int(HUGE)}),
        ("post", "/api/v1/cases/1/actions/merge", {"target": int(HUGE)}),
        ("post", "/api/v1/cases/1/actions/decide", {"request": int(HUGE)}),
    ],
)
def test_numbers_beyond_any_record_number_are_not_found_or_refused(api, case, method, url, body):
    response = api(method, url, json.dumps(body) if body is not None else None)
    assert response.status_code in (400, 404, 422)
    assert json.loads(response.content)["code"] in ("not_found", "invalid")


def test_a_huge_record_number_in_a_page_form_is_a_form_error(client_for, users):
    house = _a_house(users)
    person, _created = registry_services.save_person(
        {
            "name": "张三",
            "other_id_type": "passport",
            "other_id": "E1",
            "registration": "registered",
        },
        actor=users["admin"],
        house=house,
    )
    response = client_for(users["admin"]).post(
        f"/registry/people/{person.pk}/merge/", {"other": HUGE}, follow=True
    )
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert Person.objects.get(pk=person.pk).name == "张三"


FEATURE = '{"type": "Feature", "properties": {"code": "410105001009", "name": "NAME"}, "geometry": GEOMETRY}'


@pytest.mark.parametrize(
    ("name", "geometry"),
    [
        ("格", "[" * 5000 + "]" * 5000),
        ("格", "[" * 100 + "]" * 100),
        ("\\ud800", '{"type": "Point", "coordinates": [113.6, 34.7]}'),
        ("a\\u0007", '{"type": "Point", "coordinates": [113.6, 34.7]}'),
    ],
)
def test_a_hostile_geojson_upload_is_a_problem_not_a_500(api, tree, name, geometry):
    feature = FEATURE.replace("NAME", name).replace("GEOMETRY", geometry)
    upload = SimpleUploadedFile(
        "areas.geojson", f'{{"type": "FeatureCollection", "features": [{feature}]}}'.encode()
    )
    response = api.client.post(
        "/api/v1/areas/import?commit=true", {"file": upload}, HTTP_AUTHORIZATION=api.auth
    )
    assert response.status_code == 400
    assert json.loads(response.content)["problems"]
    assert not Area.objects.filter(code="410105001009").exists()
