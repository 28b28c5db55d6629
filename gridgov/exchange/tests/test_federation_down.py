"""Notices and tasks from the city down to the districts, in one process (the city and the
district share this test database, as in test_federation.py): the city's notice enters the
district's office as a notice from above, once, and is not sent down again; a city task waits
in the district's task list until its command center assigns it to an area's members."""

import base64
import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.areas.models import Area
from gridgov.exchange.models import FederationTask
from gridgov.exchange.services import federation
from gridgov.exchange.tests.test_federation import PARENT, STREET_A, STREET_B, members
from gridgov.notify.models import Outbox
from gridgov.office.models import Notice
from gridgov.office.services.notices import publish_notice
from gridgov.patrol.models import Task

__all__ = ["members"]  # the fixture


@pytest.fixture
def district(settings):
    for name, value in PARENT.items():
        setattr(settings, name, value)
    return federation.parent_config()


def _delivered(config, kind: str, member_area: str) -> list[str]:
    """Apply on the district the queued messages of `kind` for one member (as the sender would
    deliver them); their outcomes."""
    rows = Outbox.objects.filter(
        channel="federation", source=f"exchange.federation:{kind}"
    ).order_by("pk")
    outcomes = []
    for row in rows:
        if row.payload["body"]["data"]["area_code"] != member_area:
            continue
        raw = json.dumps(row.payload["body"]).encode()
        outcomes.append(federation.receive_down(config, row.payload["msg_id"], raw))
    return outcomes


def test_a_city_notice_enters_the_district_office_once(members, users, district):
    city_notice = publish_notice(
        acting_user=users["admin"],
        kind="notice",
        title="关于防汛工作的通知",
        body="各区做好防汛准备。",
        area=Area.objects.get(code="410105"),
        requires_ack=True,
    )
    assert federation.push_all()["notices"] == 2  # both members lie in the notice's area
    assert federation.push_all()["notices"] == 0
    assert _delivered(district, "notice", STREET_A) == ["applied"]
    assert _delivered(district, "notice", STREET_A) == ["duplicate"]
    received = Notice.objects.exclude(pk=city_notice.pk).get()
    assert received.title == "关于防汛工作的通知" and received.requires_ack
    assert received.area_code == "410105" and received.published_by.username == "system:exchange"
    assert "各区做好防汛准备。" in received.body
    assert received.recipient_count > 0  # the district's staff got it like its own notices
    # a notice received from above is not sent down again
    assert federation.push_all()["notices"] == 0


def test_a_city_notice_brings_its_attachments_checked_down(members, users, district, settings):
    from gridgov.office.files import check_files

    settings.GRIDGOV_FEDERATION_ATTACHMENT_BYTES = 1000
    plan = b"%PDF-1.4\n% flood plan\n" + b"0" * 300 + b"\n%%EOF\n"
    annex = b"%PDF-1.4\n% annex\n" + b"1" * 2000 + b"\n%%EOF\n"
    publish_notice(
        acting_user=users["admin"],
        kind="notice",
        title="防汛预案",
        body="见附件。",
        area=Area.objects.get(code="410105"),
        files=check_files([(plan, "防汛预案.pdf"), (annex, "附表.pdf")]),
    )
    federation.push_all()
    row = Outbox.objects.filter(source="exchange.federation:notice").order_by("pk").first()
    sent = row.payload["body"]["data"]["attachments"]
    assert [(a["name"], "content" in a) for a in sent] == [
        ("防汛预案.pdf", True),
        ("附表.pdf", False),
    ]

    # a changed attachment does not match its checksum: the notice is refused
    tampered = json.loads(json.dumps(row.payload["body"]))
    tampered["data"]["attachments"][0]["content"] = base64.b64encode(plan[:-1] + b"!").decode()
    with pytest.raises(ValidationError):
        federation.receive_down(district, "notice:t", json.dumps(tampered).encode())

    assert _delivered(district, "notice", STREET_A) == ["applied"]
    received = Notice.objects.get(published_by__username="system:exchange")
    files = list(received.files.all())
    assert [(f.name, f.content_type, f.size) for f in files] == [
        ("防汛预案.pdf", "application/pdf", len(plan))
    ]
    with files[0].file.open("rb") as handle:
        assert handle.read() == plan
    assert "附表.pdf" in received.body  # named, with where to ask for it


def test_a_city_task_waits_for_the_district_command_center(members, users, district, client_for):
    due = timezone.now() + datetime.timedelta(days=2)
    answer = client_for(users["admin"]).post(
        "/api/v1/federation/tasks",
        json.dumps(
            {
                "area_codes": ["410105"],
                "kind": "patrol",
                "title": "巡查河道",
                "description": "汛前巡查",
                "due": due.isoformat(),
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"members": 2}
    assert _delivered(district, "task", STREET_A) == ["applied"]
    assert _delivered(district, "task", STREET_A) == ["duplicate"]
    waiting = FederationTask.objects.get()
    assert (waiting.status, waiting.area_code, waiting.title) == ("waiting", "410105", "巡查河道")
    assert not Task.objects.exists()
    listed = client_for(users["admin"]).get("/exchange/federation/")
    assert "巡查河道" in listed.content.decode()

    url = f"/api/v1/federation/tasks/{waiting.pk}/assign"
    body = json.dumps({"area_code": STREET_A})
    # a street's operator is not the district's command center
    outsider = client_for(users["op_b"]).post(url, body, content_type="application/json")
    assert outsider.status_code == 404
    done = client_for(users["district"]).post(url, body, content_type="application/json")
    assert done.status_code == 200, done.content
    assert done.json() == {"task_id": waiting.pk, "tasks": 1}
    task = Task.objects.get()
    assert (task.assignee, task.title, task.kind) == (users["member_a"], "巡查河道", "patrol")
    again = client_for(users["district"]).post(url, body, content_type="application/json")
    assert again.status_code == 400
    assert Task.objects.count() == 1


def test_the_command_center_assigns_a_task_from_the_federation_page(users, client_for):
    waiting = FederationTask.objects.create(
        peer="4101",
        remote_id="desk-1",
        area_code="410105",
        kind="patrol",
        title="巡查河道",
        due=timezone.now() + datetime.timedelta(days=2),
    )
    page = client_for(users["district"]).get("/exchange/federation/tasks/")
    row = page.context["tasks"][0]
    assert row.pk == waiting.pk
    assert (STREET_A, "经八路街道") in row.choices and len(row.choices) > 2  # streets … grids
    url = f"/exchange/federation/tasks/{waiting.pk}/assign/"
    # a street's operator is not the command center; an area outside the task's is refused
    assert client_for(users["op_b"]).post(url, {"area_code": STREET_B}).status_code == 404
    district = client_for(users["district"])
    assert district.post(url, {"area_code": "420101"}).status_code == 400
    done = district.post(url, {"area_code": STREET_A})
    assert done.status_code == 302 and done["Location"] == "/exchange/federation/tasks/"
    task = Task.objects.get()
    assert (task.assignee, task.title) == (users["member_a"], "巡查河道")
    waiting.refresh_from_db()
    assert (waiting.status, waiting.assigned_area) == ("assigned", STREET_A)
    shown = district.get("/exchange/federation/tasks/").context["tasks"][0]
    assert (shown.area_name, shown.choices) == ("经八路街道", [])
    # the member on the phone has no such page; nobody outside the district sees the task
    assert client_for(users["member_a"]).get("/exchange/federation/tasks/").status_code == 403
    assert client_for(users["op_b"]).get("/exchange/federation/tasks/").context["tasks"] == []
    assert district.post(url, {"area_code": STREET_A}).status_code == 400
    assert Task.objects.count() == 1


def test_who_may_send_a_task_down(members, users, client_for):
    body = {
        "area_codes": [STREET_B],
        "kind": "patrol",
        "title": "巡查",
        "due": "2026-12-05T10:00:00+08:00",
    }
    street_a = client_for(users["op_a"]).post(
        "/api/v1/federation/tasks", json.dumps(body), content_type="application/json"
    )
    assert street_a.status_code == 403
    unknown = client_for(users["admin"]).post(
        "/api/v1/federation/tasks",
        json.dumps({**body, "kind": "nonsense"}),
        content_type="application/json",
    )
    assert unknown.status_code == 400
    assert not Outbox.objects.filter(channel="federation").exists()
