import json

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from gridgov.cases import services as case_services
from gridgov.cases.tests.conftest import POINT_A, POINT_B
from gridgov.office.models import Conversation, StaffMessage, UserMessage
from gridgov.office.services import messages as chat


def direct(office, a="member_a", b="community_a"):
    return chat.start_conversation(acting_user=office[a], others=[office[b]])


def test_one_to_one_and_unread_counts(office, client_for):
    conv = direct(office)
    assert direct(office, "community_a", "member_a") == conv  # the same pair, one conversation
    chat.send_message(conv, acting_user=office["member_a"], body="井盖已报")
    chat.send_message(conv, acting_user=office["member_a"], body="请查看")
    assert chat.unread_total(office["community_a"]) == 2
    assert chat.unread_total(office["member_a"]) == 0
    # One message row each, one flag row per reader.
    assert StaffMessage.objects.count() == 2 and UserMessage.objects.count() == 4
    client = client_for(office["community_a"])
    data = json.loads(client.get("/api/v1/office/unread").content)
    assert data["messages"] == 2 and data["conversations"] == {str(conv.pk): 2}
    # The top bar's badge shows it on every page.
    page = client.get("/office/")
    assert "data-unread-count>2</span>" in page.content.decode()
    # Opening the conversation reads it.
    client.get(f"/office/messages/{conv.pk}/")
    assert chat.unread_total(office["community_a"]) == 0


def test_unread_count_is_one_cheap_query(office):
    conv = direct(office)
    for i in range(30):
        chat.send_message(conv, acting_user=office["member_a"], body=f"第{i}条")
    with CaptureQueriesContext(connection) as ctx:
        assert chat.unread_total(office["community_a"]) == 30
    assert len(ctx.captured_queries) == 1
    if connection.vendor == "sqlite":
        sql = ctx.captured_queries[0]["sql"]
        with connection.cursor() as cursor:
            plan = " ".join(str(row) for row in cursor.execute("EXPLAIN QUERY PLAN " + sql))
        assert "office_unread" in plan  # the index of unread flags


def test_polling_answers_304_when_nothing_changed(office, client_for):
    conv = direct(office)
    first = chat.send_message(conv, acting_user=office["member_a"], body="在吗")
    client = client_for(office["community_a"])
    url = f"/api/v1/office/conversations/{conv.pk}/messages"
    response = client.get(url, {"after": 0})
    assert response.status_code == 200
    data = json.loads(response.content)
    assert [m["body"] for m in data["messages"]] == ["在吗"] and data["last_id"] == first.pk
    etag = response["ETag"]
    again = client.get(url, {"after": data["last_id"]}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    chat.send_message(conv, acting_user=office["member_a"], body="收到请回复")
    new = client.get(url, {"after": data["last_id"]}, headers={"If-None-Match": etag})
    assert new.status_code == 200
    assert [m["body"] for m in json.loads(new.content)["messages"]] == ["收到请回复"]
    # The unread poll too.
    unread = client.get("/api/v1/office/unread")
    same = client.get("/api/v1/office/unread", headers={"If-None-Match": unread["ETag"]})
    assert same.status_code == 304
    client.post(f"/api/v1/office/conversations/{conv.pk}/read", {}, content_type="application/json")
    changed = client.get("/api/v1/office/unread", headers={"If-None-Match": unread["ETag"]})
    assert changed.status_code == 200 and json.loads(changed.content)["messages"] == 0


def test_a_street_never_reaches_another_street(office):
    with pytest.raises(ValidationError):
        chat.start_conversation(acting_user=office["member_a"], others=[office["member_b"]])
    # The district reaches both streets; a grid member reaches the levels above it.
    reach = set(chat.reachable_users(office["member_a"]).values_list("username", flat=True))
    assert {"community_a", "op_a", "district"} <= reach
    assert not reach & {"member_b", "op_b", "community_b"}
    conv = direct(office)
    chat.send_message(conv, acting_user=office["member_a"], body="私聊")
    with pytest.raises(Http404):
        chat.get_conversation_for_user(office["op_b"], conv.pk)
    with pytest.raises(Http404):
        chat.send_message(conv, acting_user=office["op_b"], body="插话")


def test_area_channel_follows_scope(office):
    street_a = office["street_a"]
    conv = chat.area_channel(street_a, acting_user=office["op_a"])
    chat.send_message(conv, acting_user=office["op_a"], body="全体注意")
    readers = set(
        UserMessage.objects.filter(message__conversation=conv).values_list(
            "user__username", flat=True
        )
    )
    assert readers == {"op_a", "member_a", "community_a"}
    # Street B's staff may not open street A's channel; the district may.
    with pytest.raises(Http404):
        chat.area_channel(street_a, acting_user=office["member_b"])
    assert chat.get_conversation_for_user(office["district"], conv.pk) == conv
    # A new member of street A's staff reads it at once (membership follows the scope).
    from gridgov.accounts.permissions import Role
    from gridgov.conftest import make_user

    newcomer = make_user("newcomer", Role.GRID_MEMBER, ["41010500100102"])
    assert chat.get_conversation_for_user(newcomer, conv.pk) == conv
    chat.send_message(conv, acting_user=office["op_a"], body="欢迎新同事")
    assert chat.unread_total(newcomer) == 1


def test_groups(office):
    conv = chat.start_conversation(
        acting_user=office["op_a"],
        others=[office["member_a"], office["community_a"]],
        title="甲街道值班",
    )
    assert conv.kind == "group" and conv.members.count() == 3
    chat.send_message(conv, acting_user=office["community_a"], body="今晚我值班")
    assert chat.unread_total(office["op_a"]) == 1 and chat.unread_total(office["member_a"]) == 1


@pytest.fixture
def shared_cases(office, taxonomy):
    case_a, _ = case_services.report_case(
        actor=office["member_a"], channel="grid_member", description="甲街道井盖", category="C0101",
        lon=POINT_A[0], lat=POINT_A[1],
    )  # fmt: skip
    case_b, _ = case_services.report_case(
        actor=office["member_b"], channel="grid_member", description="乙街道井盖", category="C0101",
        lon=POINT_B[0], lat=POINT_B[1],
    )  # fmt: skip
    return case_a, case_b


def test_a_shared_case_shows_only_to_readers_who_may_see_it(office, shared_cases, client_for):
    _case_a, case_b = shared_cases
    conv = chat.start_conversation(
        acting_user=office["district"], others=[office["op_a"], office["op_b"]], title="区街联络"
    )
    chat.send_message(
        conv, acting_user=office["district"], body="看这个", share=("case", case_b.pk)
    )
    # The sender may share only what they see.
    with pytest.raises(ValidationError):
        chat.send_message(conv, acting_user=office["op_a"], share=("case", case_b.pk))
    url = f"/api/v1/office/conversations/{conv.pk}/messages"
    seen_b = json.loads(client_for(office["op_b"]).get(url).content)["messages"][0]["share"]
    assert seen_b["available"] and seen_b["url"] == f"/cases/{case_b.pk}/"
    seen_a = json.loads(client_for(office["op_a"]).get(url).content)["messages"][0]["share"]
    assert seen_a == {
        "kind": "case",
        "kind_label": seen_a["kind_label"],
        "available": False,
        "label": seen_a["label"],
        "url": "",
    }
    assert case_b.number not in seen_a["label"]
    page = client_for(office["op_a"]).get(f"/office/messages/{conv.pk}/").content.decode()
    assert case_b.number not in page and "乙街道井盖" not in page


def test_send_from_the_page_with_a_photo(office, client_for, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gridgov.cases.tests.conftest import jpeg

    settings.MEDIA_ROOT = tmp_path
    conv = direct(office)
    client = client_for(office["member_a"])
    response = client.post(
        f"/office/messages/{conv.pk}/send/",
        {"body": "现场照片", "files": [SimpleUploadedFile("p.jpg", jpeg())]},
    )
    assert response.status_code == 302
    message = StaffMessage.objects.get()
    item = message.files.get()
    assert item.is_image
    assert (
        client_for(office["community_a"]).get(f"/office/files/{item.pk}/thumbnail/").status_code
        == 200
    )
    assert (
        client_for(office["member_b"]).get(f"/office/files/{item.pk}/thumbnail/").status_code == 404
    )
    # An empty message is refused and nothing is stored.
    client.post(f"/office/messages/{conv.pk}/send/", {"body": "  "})
    assert StaffMessage.objects.count() == 1


def test_the_api_starts_and_sends(office, client_for):
    client = client_for(office["member_a"])
    response = client.post(
        "/api/v1/office/conversations",
        {"members": [office["community_a"].pk]},
        content_type="application/json",
    )
    assert response.status_code == 201
    conv_id = json.loads(response.content)["id"]
    sent = client.post(
        f"/api/v1/office/conversations/{conv_id}/messages",
        {"body": "你好"},
        content_type="application/json",
    )
    assert sent.status_code == 201 and json.loads(sent.content)["mine"] is True
    refused = client.post(
        "/api/v1/office/conversations",
        {"members": [office["member_b"].pk]},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert Conversation.objects.count() == 1


def test_shares_of_unknown_kinds_or_missing_records(office):
    from gridgov.office import shares

    assert not shares.resolve(office["admin"], "warning", 1).available  # none exists (or no part)
    assert not shares.resolve(office["admin"], "spaceship", 1).available
    conv = direct(office)
    with pytest.raises(ValidationError):
        chat.send_message(conv, acting_user=office["member_a"], share=("spaceship", 1))
    with pytest.raises(ValidationError):
        chat.send_message(conv, acting_user=office["member_a"], share=("person", 999))
    assert not StaffMessage.objects.exists()


def test_a_poll_with_nothing_new_is_a_few_small_queries(office, client_for):
    conv = direct(office)
    chat.send_message(conv, acting_user=office["member_a"], body="在吗")
    client = client_for(office["community_a"])
    url = f"/api/v1/office/conversations/{conv.pk}/messages"
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 304
    app_queries = [q["sql"] for q in ctx.captured_queries if "office_" in q["sql"]]
    assert len(app_queries) == 2, app_queries  # the conversation and the membership
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]


def test_the_page_script_sends_in_the_background(office, client_for):
    conv = direct(office)
    client = client_for(office["member_a"])
    url = f"/office/messages/{conv.pk}/send/"
    ok = client.post(url, {"body": "后台发送"}, headers={"Accept": "application/json"})
    assert ok.status_code == 204
    bad = client.post(url, {"body": "x" * 5000}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and json.loads(bad.content)["message"]
    assert list(StaffMessage.objects.values_list("body", flat=True)) == ["后台发送"]
