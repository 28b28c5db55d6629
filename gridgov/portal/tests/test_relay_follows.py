"""Joining and following on a public instance reach the core (in one process, as in
test_relay.py: the same database plays both instances): once per UUID, over HTTP and by files
(a file applied once, whatever happens to the run), the core tells those followers by SMS and
the public instance no longer does, and its retention forgets who only followed."""

import datetime
import json
import shutil

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from gridgov.accounts.system import SETUP, system_user
from gridgov.exchange.models import ClientKind
from gridgov.exchange.services.clients import issue_client
from gridgov.notify.models import Outbox
from gridgov.portal import services, tasks
from gridgov.portal.models import (
    AreaSubscription,
    Citizen,
    Follower,
    FollowKind,
    RelayedFollow,
    RelayFile,
    RelayFollow,
    RelayOut,
    RelayState,
)
from gridgov.portal.retention import purge_relayed
from gridgov.portal.services import relay, relay_files, relay_follows
from gridgov.portal.tests import test_relay as relay_tests
from gridgov.portal.tests import test_relay_files as file_tests
from gridgov.portal.tests.conftest import confirmed
from gridgov.portal.tests.test_relay import PUBLIC, core_reports, public_report

core_key = relay_tests.core_key
core = relay_tests.core
trusted = file_tests.trusted
CO, SUB = "13800002102", "13800002103"
AREA = "410105001"


def _relayed(portal):
    local = public_report(portal)
    with PUBLIC:
        relay.push_pending(actor=portal)
    return local, core_reports().get()


def test_joins_and_follows_reach_the_core_once_and_the_core_tells_them(portal, core, users):
    local, made = _relayed(portal)
    co, sub = confirmed(CO, portal), confirmed(SUB, portal)
    with PUBLIC:
        services.join_report(local, co, actor=portal, note="我也看到了，电话13912345678")
        services.follow_report(local, sub, actor=portal)
        services.follow_report(local, local.citizen, actor=portal)  # its reporter: told here
    rows = list(RelayFollow.objects.order_by("pk"))
    assert [(r.kind, r.state) for r in rows] == [("join", "pending"), ("follow", "pending")]
    assert "13912345678" not in rows[0].note

    core.lose_answer = True  # done on the core, the answer lost: the retry is the same
    with PUBLIC:
        assert relay.push_pending(actor=portal).not_sent == 2
    RelayFollow.objects.update(next_attempt_at=timezone.now())
    core.lose_answer = False
    with PUBLIC:
        assert relay.push_pending(actor=portal).sent == 2
        assert relay.push_pending(actor=portal).sent == 0
    assert RelayedFollow.objects.count() == 2
    on_core = {
        f.citizen.phone: (f.kind, f.notify) for f in made.followers.select_related("citizen")
    }
    assert on_core[CO] == (FollowKind.CO_REPORTER, True)  # the core's co-reporters
    assert on_core[SUB] == (FollowKind.SUBSCRIBER, True)
    here = {f.citizen.phone: f.notify for f in local.followers.select_related("citizen")}
    assert here == {"13800002001": True, CO: False, SUB: False}  # the core tells them now

    # a step on the core: the core texts the co-reporter; the copy here texts only the reporter
    from gridgov.cases.models import Case
    from gridgov.cases.services import perform

    perform(Case.objects.get(pk=made.case_id), "accept", actor=users["op_a"])
    with PUBLIC:
        assert relay.pull_status(actor=portal) == 1
    from_core = Outbox.objects.filter(source=f"portal.report:{made.pk}")
    from_here = Outbox.objects.filter(source=f"portal.report:{local.pk}")
    assert set(from_core.values_list("destination", flat=True)) == {CO, SUB}
    assert set(from_here.values_list("destination", flat=True)) == {"13800002001"}


def send(key: str, body: dict):
    return Client().post(
        "/api/v1/portal/relay/follows",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_API_KEY=key,
    )


def test_the_core_takes_follows_only_of_what_the_key_relayed(portal, core):
    local, made = _relayed(portal)
    _other, other_key = issue_client(
        system_user(SETUP), name="另一门户", kind=ClientKind.PUBLIC_PORTAL, area_codes=["410105"]
    )
    body = {"uuid": "0f8e3c52-9d64-4f3a-8b0e-2a6f1c9d7e11", "kind": "join",
            "report": str(local.relay.uuid), "phone": CO, "note": ""}  # fmt: skip
    assert send(other_key, body).status_code == 404  # another instance's report: unknown
    assert send("gg_wrong", body).status_code == 401
    assert send(core.key, {**body, "phone": "12"}).status_code == 400
    assert send(core.key, {**body, "kind": "spy"}).status_code == 400
    area = {**body, "kind": "area", "report": "", "area": "410106"}
    assert send(core.key, area).status_code == 403  # outside the client's areas
    assert not made.followers.filter(kind=FollowKind.CO_REPORTER).exists()
    done = send(core.key, body)
    assert done.status_code == 200 and done.json() == {"uuid": body["uuid"], "done": True}
    assert send(core.key, body).status_code == 200  # the same UUID: once
    assert made.followers.filter(kind=FollowKind.CO_REPORTER).count() == 1
    assert RelayedFollow.objects.count() == 1


def test_a_follow_of_a_report_the_core_refused_is_refused_with_it(portal, core):
    local = public_report(portal)
    RelayOut.objects.filter(report=local).update(state=RelayState.REFUSED)
    with PUBLIC:
        services.follow_report(local, confirmed(SUB, portal), actor=portal)
        assert relay.push_pending(actor=portal).sent == 0
    assert RelayFollow.objects.get().state == RelayState.REFUSED and core.calls == 0


def test_area_follows_and_their_end_reach_the_core(portal, core):
    citizen = confirmed(CO, portal)
    with PUBLIC:
        services.subscribe_area(citizen, AREA, actor=portal)
        from gridgov.portal.services.area_digest import unsubscribe_area

        unsubscribe_area(citizen, AREA, actor=portal)  # before it went: only the end waits
        assert list(RelayFollow.objects.values_list("kind", flat=True)) == ["area_stop"]
        services.subscribe_area(citizen, AREA, actor=portal)  # and again: the latest wins
        assert list(RelayFollow.objects.values_list("kind", flat=True)) == ["area"]
        AreaSubscription.objects.all().delete()  # (one database: see that the core makes it)
        assert relay.push_pending(actor=portal).sent == 1
    assert AreaSubscription.objects.filter(citizen=citizen, area_code=AREA).exists()
    with PUBLIC:
        unsubscribe_area(citizen, AREA, actor=portal)
        assert relay.push_pending(actor=portal).sent == 1
    kinds = list(RelayedFollow.objects.values_list("kind", "area_code"))
    assert kinds == [("area", AREA), ("area_stop", AREA)]
    assert not AreaSubscription.objects.exists()


def test_follows_go_by_files_once_even_when_a_run_is_killed(portal, trusted, tmp_path, monkeypatch):
    up, down = tmp_path / "up", tmp_path / "down"
    local = public_report(portal)
    co = confirmed(CO, portal)
    with PUBLIC:
        services.join_report(local, co, actor=portal)  # the report and its join in one file
        name = relay_files.export_up(up, actor=portal)["file"]

    def killed(*_a, **_k):
        raise RuntimeError("killed")

    with monkeypatch.context() as m:
        m.setattr(relay_follows, "receive_follow", killed)
        with pytest.raises(RuntimeError):
            relay_files.import_up(up, actor=portal)
    assert (up / name).exists() and not RelayFile.objects.exists()  # nothing of it applied
    assert not core_reports().exists() and not RelayedFollow.objects.exists()

    done = relay_files.import_up(up, actor=portal)
    assert (done["files"], done["items"], done["refused"]) == (1, 2, 0)
    made = core_reports().get()
    assert made.followers.filter(kind=FollowKind.CO_REPORTER, citizen=co).exists()
    # the file comes again (or a run was killed after its commit, before moving it): known
    shutil.copy(up / "imported" / name, up / name)
    again = relay_files.import_up(up, actor=portal)
    assert (again["files"], again["known_files"], again["items"]) == (0, 1, 0)
    assert not (up / name).exists() and RelayedFollow.objects.count() == 1

    relay_files.export_down(down, actor=portal)
    with PUBLIC:
        assert relay_files.import_down(down, actor=portal)["files"] == 1
    assert RelayFollow.objects.get().state == RelayState.SENT
    assert RelayOut.objects.get().state == RelayState.SENT
    assert not Follower.objects.get(report=local, citizen=co).notify


def test_the_periodic_job_relays_files_between_configured_folders(portal, trusted, tmp_path):
    up, down = str(tmp_path / "up"), str(tmp_path / "down")
    assert tasks.relay_files(None) == {}  # no folders: nothing
    local = public_report(portal)
    public = override_settings(
        GRIDGOV_ROLE="public", GRIDGOV_RELAY_FILES_IN=down, GRIDGOV_RELAY_FILES_OUT=up
    )
    on_core = override_settings(GRIDGOV_RELAY_FILES_IN=up, GRIDGOV_RELAY_FILES_OUT=down)
    with public:
        assert tasks.relay_files(None)["exported"]["items"] == 1
    with on_core:
        assert tasks.relay_files(None)["imported"]["items"] == 1
    with public:
        assert tasks.relay_files(None)["imported"]["files"] == 1
    row = RelayOut.objects.get(report=local)
    assert row.state == RelayState.SENT and row.core_number == core_reports().get().number


def test_retention_forgets_who_only_followed_once_the_core_has_it(portal):
    local = public_report(portal)
    only, waiting, recent = (confirmed(p, portal) for p in (CO, SUB, "13800002104"))
    long_ago = timezone.now() - datetime.timedelta(days=40)
    for citizen, state, sent in (
        (only, RelayState.SENT, long_ago),
        (waiting, RelayState.PENDING, None),
        (recent, RelayState.SENT, timezone.now()),
        (local.citizen, RelayState.SENT, long_ago),  # also reported: kept
    ):
        RelayFollow.objects.create(
            kind="area", citizen=citizen, area_code=AREA, state=state, sent_at=sent,
            next_attempt_at=timezone.now(),
        )  # fmt: skip
    purge_relayed(timezone.now() - datetime.timedelta(days=30))
    left = set(Citizen.objects.values_list("pk", flat=True))
    assert left == {waiting.pk, recent.pk, local.citizen_id}
    assert RelayFollow.objects.count() == 2  # the old ones went with what they carried


def test_open311_on_the_public_instance_lists_its_portal_reports(portal, core, users, loop):
    from gridgov.cases.models import Case
    from gridgov.cases.services import perform
    from gridgov.exchange.tests.test_open311 import valid, xml_to_json

    _local, made = _relayed(portal)
    with PUBLIC:
        relay.pull_status(actor=portal)
        listed = Client().get("/open311/v2/requests.json").json()
    assert [(r["service_request_id"], r["status"]) for r in listed] == [(made.number, "open")]
    case = Case.objects.get(pk=made.case_id)
    op, handler = users["op_a"], loop["handler"]
    for action in ("accept", "file"):
        case = perform(case, action, actor=op)
    case = perform(case, "dispatch", actor=op, department=loop["squad"])
    case = perform(case, "start", actor=handler)
    case = perform(case, "feedback", actor=handler, note="已修复")
    case = perform(case, "verify_pass", actor=op)
    perform(case, "close", actor=op)
    with PUBLIC:
        relay.pull_status(actor=portal)  # the status comes back with the public steps
        c = Client()
        closed = c.get("/open311/v2/requests.json", {"status": "closed", "service_code": "C0110"})
        assert c.get("/open311/v2/requests.json", {"service_code": "C0111"}).json() == []
        one = c.get(f"/open311/v2/requests/{made.number}.json").json()
        xml = c.get(f"/open311/v2/requests/{made.number}.xml").content.decode()
    valid("requests.json", closed.json())
    valid("requests.json", one)
    assert [(r["service_request_id"], r["status"]) for r in closed.json()] == [
        (made.number, "closed")
    ]
    assert one == closed.json() and xml_to_json(xml) == ("service_requests", one)
    text = json.dumps(closed.json(), ensure_ascii=False)
    assert "13800002001" not in text and "路灯不亮" not in text  # the public view only
