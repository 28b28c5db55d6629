"""Federation with live instances: a city and two districts, each its own server and database
(gridgov/tests/instances.py). Escalation up and steps down, a warning down, a partition and
its catch-up, wrong signatures refused, and a district that cannot write into another's area."""

import base64
import hashlib
import hmac
import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from gridgov.exchange.federation_demo import D1, D2, federate
from gridgov.exchange.tests.test_federation_batch import hmac_sm3
from gridgov.tests.instances import Instances

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]

FAST = {"GRIDGOV_OUTBOX_RETRY_SECONDS": "0.05", "GRIDGOV_LOG_LEVEL": "ERROR"}


def signed(secret: str, msg_id: str, body: bytes, stamp: int | None = None) -> dict[str, str]:
    """Standard Webhooks headers, computed here independently of the platform's code."""
    stamp = int(time.time()) if stamp is None else stamp
    digest = hmac.new(secret.encode(), f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256)
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": "v1," + base64.b64encode(digest.digest()).decode(),
    }


def sm3_signed(secret: str, msg_id: str, body: bytes) -> dict[str, str]:
    stamp = int(time.time())
    mac = hmac_sm3(secret.encode(), f"{msg_id}.{stamp}.".encode() + body)
    return {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": "v1sm3," + base64.b64encode(mac).decode(),
    }


@pytest.fixture(scope="module")
def levels(tmp_path_factory):
    with Instances(tmp_path_factory.mktemp("federation"), base_env=FAST) as made:
        city, d1, d2, answer = federate(made)
        made.start_all(city, d1, d2)
        yield {"city": city, "d1": d1, "d2": d2, "members": answer["members"]}


def test_escalation_up_steps_down_and_a_warning(levels):
    city, d1, d2 = levels["city"], levels["d1"], levels["d2"]
    first = d1.json("federation", "report", "--description", "路灯不亮", "--sync")
    second = d1.json(
        "federation", "report", "--description", "下水道堵塞", "--escalate", "市水务局", "--sync"
    )
    assert second["sync"]["sent"] >= 2  # its fact and the escalation
    state = city.json("federation", "status")
    assert state["members"] == {D1: 2, D2: 0}
    escalated = [k for k, v in state["links"].items() if v["remote"] == str(second["case"])]
    assert len(escalated) == 1
    city_case = state["cases"][escalated[0]]
    assert city_case["channel"] == "federation"
    assert city_case["reporter"] == "张*"  # masked on its way up
    assert str(first["case"]) not in {v["remote"] for v in state["links"].values()}

    city.json("federation", "step", "--case", escalated[0], "--action", "accept")
    city.json("federation", "warn", "--headline", "暴雨橙色预警", "--colour", "orange", "--sync")
    with ThreadPoolExecutor(2) as pool:
        down, other = pool.map(lambda d: d.json("federation", "status"), (d1, d2))
    actions = [s["data"]["action"] for s in down["steps"] if s["case"] == second["case"]]
    assert actions == ["report", "accept"]
    assert down["links"][str(second["case"])]["remote"] == escalated[0]
    assert [w["headline"] for w in down["warnings"]] == ["暴雨橙色预警"]
    assert down["warnings"][0]["state"] == "issued"
    assert [w["headline"] for w in other["warnings"]] == ["暴雨橙色预警"]
    assert other["steps"] == []  # the other district sees nothing of the first one's cases


def test_the_city_cockpit_over_both_districts(levels):
    """The city's cockpit panel counts what both districts pushed, each case once, by name."""
    city, d2 = levels["city"], levels["d2"]
    d2.json("federation", "report", "--description", "井盖缺失", "--sync")
    state = city.json("federation", "status")
    panel = {m["area_code"]: m for m in state["cockpit"]["members"]}
    assert [(code, m["name"]) for code, m in panel.items()] == [(D2, "中原区"), (D1, "金水区")]
    final = {"closed", "rejected", "cancelled", "merged"}
    for code, member in panel.items():
        facts = [f.rsplit(":", 1)[1] for f in state["facts"] if f.startswith(f"{code}:")]
        assert sum(m["reports"] for m in member["trend"]) == len(facts) >= 1
        assert member["open"] == sum(1 for status in facts if status not in final)
        links = [k for k in state["links"].values() if k["peer"] == code and k["role"] == "member"]
        assert member["escalated"] == len(links)
    # the panel's API is for signed-in readers only
    assert city.get("/api/v1/cockpit/federation")[0] in (401, 403)


def test_partition_and_catch_up(levels):
    city, d1 = levels["city"], levels["d1"]
    before = city.json("federation", "status")["members"][D1]
    city.stop()
    try:
        offline = d1.json("federation", "report", "--description", "占道经营", "--sync")
        assert offline["sync"]["not_sent"] >= 1 and offline["sync"]["sent"] == 0
    finally:
        city.start()
    time.sleep(0.2)  # past the (test-sized) backoff
    caught = d1.json("federation", "sync")
    assert caught["sent"] >= 1 and caught["not_sent"] == 0
    after = city.json("federation", "status")
    assert after["members"][D1] == before + 1
    facts = [f for f in after["facts"] if f.startswith(f"{D1}:")]
    assert len(facts) == len({f.rsplit(":", 1)[0] for f in facts})  # each case once


def test_signatures_and_scope(levels):
    city, d1 = levels["city"], levels["d1"]
    d1_member, d2_member = levels["members"][D1], levels["members"][D2]
    fact = {
        "kind": "case.fact",
        "data": {
            "area_code": D1 + "00100101",
            "local_id": "9001",
            "version": 1,
            "month": "2026-12",
            "status": "reported",
            "measures": {"reports": 1},
        },
    }
    body = json.dumps(fact).encode()
    key = {"X-Api-Key": d1_member["key"]}

    wrong = signed("not-the-secret", "t-1", body)
    assert city.request("POST", "/api/v1/federation/up", body, {**key, **wrong})[0] == 401
    no_key = signed(d1_member["secret"], "t-2", body)
    assert city.request("POST", "/api/v1/federation/up", body, no_key)[0] == 401
    old = signed(d1_member["secret"], "t-3", body, stamp=int(time.time()) - 30 * 86400)
    assert city.request("POST", "/api/v1/federation/up", body, {**key, **old})[0] == 401

    good = signed(d1_member["secret"], "t-4", body)
    status, answer = city.request("POST", "/api/v1/federation/up", body, {**key, **good})
    assert (status, json.loads(answer)["status"]) == (200, "applied")
    status, answer = city.request("POST", "/api/v1/federation/up", body, {**key, **good})
    assert (status, json.loads(answer)["status"]) == (200, "duplicate")

    # District 2 signs with HMAC-SM3 (checked here by an HMAC over gmssl's SM3): correctly
    # signed, it cannot write into district 1's area; signed with HMAC-SHA256 it is refused.
    assert d2_member["signing"] == "hmac-sm3"
    other = {"X-Api-Key": d2_member["key"], **sm3_signed(d2_member["secret"], "t-5", body)}
    assert city.request("POST", "/api/v1/federation/up", body, other)[0] == 400
    sha = {"X-Api-Key": d2_member["key"], **signed(d2_member["secret"], "t-7", body)}
    assert city.request("POST", "/api/v1/federation/up", body, sha)[0] == 401
    # Nor can anyone send "down" to a district without its parent's secret.
    step = json.dumps({"kind": "warning", "data": {"identifier": "x"}}).encode()
    assert (
        d1.request("POST", "/api/v1/federation/down", step, signed("guess", "t-6", step))[0] == 401
    )
    state = city.json("federation", "status")
    assert state["refused"] >= 1
    assert not any(f.startswith(f"{D2}:9001:") for f in state["facts"])  # not held as D2's
