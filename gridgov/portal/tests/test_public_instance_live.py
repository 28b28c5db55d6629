"""A public instance and the core, each its own server and database (gridgov/tests/instances.py):
a citizen's report on the public instance reaches the core once, the core's steps come back to
its public pages, a report made while the core is down is relayed after it is back, and the
staff's URLs do not exist on the public instance; the reporter's rating and "not fixed" and an
Open311 POST (taken while the core is down) reach the core and their results come back; a
co-reporter reaches the core; on a phone in a browser, a citizen rates and says "not fixed"."""

import json
import time
import urllib.parse

import pytest

from gridgov.tests.instances import Instances

pytestmark = [pytest.mark.slow, pytest.mark.own_sqlite]

FAST = {"GRIDGOV_OUTBOX_RETRY_SECONDS": "0.05", "GRIDGOV_LOG_LEVEL": "ERROR"}
AREA = "410105"
POINT = ("113.65", "34.75")  # inside the small tree `portal_relay setup` loads
STAFF_URLS = ["/accounts/login/", "/cases/", "/registry/people/", "/api/v1/cases", "/m/"]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    with Instances(tmp_path_factory.mktemp("public"), base_env=FAST) as made:
        core = made.create("core")
        public = made.create("public", env={"GRIDGOV_ROLE": "public", "GRIDGOV_CORE_URL": core.url})
        core.json("portal_relay", "setup", "--area", AREA)
        public.env["GRIDGOV_CORE_KEY"] = core.json("portal_relay", "issue-key", "--area", AREA)[
            "key"
        ]
        public.json("portal_relay", "setup", "--area", AREA)
        made.start_all(core, public)
        yield core, public


def report(public, phone: str, text: str) -> str:
    made = public.json(
        "portal_relay", "report", "--phone", phone, "--description", text,
        "--lon", POINT[0], "--lat", POINT[1],
    )  # fmt: skip
    return made["number"]


def test_staff_urls_do_not_exist_on_the_public_instance(pair):
    core, public = pair
    for url in STAFF_URLS:
        assert public.get(url)[0] == 404, url
        assert core.get(url)[0] != 404, url
    status, body = public.get("/healthz")
    assert status == 200 and json.loads(body)["role"] == "public"
    assert public.get("/portal/")[0] == 200 and public.get("/")[0] == 200
    assert public.request("POST", "/api/v1/portal/relay/status", b"{}")[0] == 404


def test_a_report_reaches_the_core_once_and_its_steps_come_back(pair):
    core, public = pair
    number = report(public, "13800003001", "小区门口路灯不亮")
    assert public.json("portal_relay", "push")["sent"] == 1
    assert public.json("portal_relay", "push")["sent"] == 0  # the relay again: nothing to send
    here = public.json("portal_relay", "status")
    sent = next(r for r in here["outbox"] if r["number"] == number)
    assert sent["state"] == "sent"
    there = core.json("portal_relay", "status")
    assert there["cases"] == 1 and list(there["relayed"].values()) == [sent["core_number"]]

    # a retry of the same report (an answer lost on the way): the core gives back the same one
    body = {"uuid": next(iter(there["relayed"])), "category": "C0110", "description": "小区门口路灯不亮",
            "lon": float(POINT[0]), "lat": float(POINT[1]), "phone": "13800003001"}  # fmt: skip
    key = public.env["GRIDGOV_CORE_KEY"]
    headers = {"Content-Type": "application/json", "X-Api-Key": key}
    status, answer = core.request(
        "POST", "/api/v1/portal/relay/reports", json.dumps(body).encode(), headers
    )
    assert status == 200 and json.loads(answer)["number"] == sent["core_number"]
    assert core.json("portal_relay", "status")["cases"] == 1

    actions = ["publish", "accept", "file", "dispatch", "start", "feedback", "verify_pass", "close"]
    steps = [a for action in actions for a in ("--action", action)]
    done = core.json("portal_relay", "step", "--number", sent["core_number"], *steps)
    assert done["done"][-1] == "closed"
    assert public.json("portal_relay", "pull")["changed"] == 1
    status, answer = public.get(f"/api/v1/portal/reports/{number}")
    assert status == 200
    shown = json.loads(answer)
    assert shown["status"] == "closed"
    assert [s["step"] for s in shown["steps"]] == [
        "received", "accepted", "in_hand", "checking", "closed"
    ]  # fmt: skip
    status, page = public.get(f"/portal/r/{number}/")
    assert status == 200 and "13800003001" not in page.decode()
    assert "处置人员" not in page.decode() and "市政维修" not in page.decode()

    # another citizen saw it too: the core learns of its co-reporter (and tells them by SMS)
    public.json("portal_relay", "join", "--number", number, "--phone", "13800003011")
    assert public.json("portal_relay", "push")["sent"] == 1
    followers = core.json("portal_relay", "status")["followers"][sent["core_number"]]
    assert followers == ["co_reporter", "reporter"]


def test_a_report_made_while_the_core_is_down_is_relayed_after(pair):
    core, public = pair
    before = core.json("portal_relay", "status")["cases"]
    core.stop()
    try:
        number = report(public, "13800003002", "人行道井盖缺失")
        assert public.json("portal_relay", "push")["not_sent"] == 1
    finally:
        core.start()
    time.sleep(0.3)  # past the (test-sized) backoff
    assert public.json("portal_relay", "push")["sent"] == 1
    assert public.json("portal_relay", "push")["sent"] == 0  # nothing twice
    there = core.json("portal_relay", "status")
    assert there["cases"] == before + 1 and len(there["relayed"]) == before + 1
    assert public.get(f"/portal/r/{number}/")[0] == 404  # not moderated yet: only its reporter


def test_rating_not_fixed_and_an_open311_post_reach_the_core(pair):
    core, public = pair
    phone = "13800003003"
    number = report(public, phone, "垃圾桶破损")
    assert public.json("portal_relay", "push")["sent"] == 1
    outbox = public.json("portal_relay", "status")["outbox"]
    core_number = next(r["core_number"] for r in outbox if r["number"] == number)
    actions = ["publish", "accept", "file", "dispatch", "start", "feedback", "verify_pass", "close"]
    core.json("portal_relay", "step", "--number", core_number,
              *[a for action in actions for a in ("--action", action)])  # fmt: skip
    public.json("portal_relay", "pull")

    # the reporter rates it, then says "not fixed": queued here, done once on the core
    public.json("portal_relay", "rate", "--number", number, "--phone", phone, "--score", "4")
    public.json("portal_relay", "not-fixed", "--number", number, "--phone", phone,
                "--note", "垃圾桶还是坏的")  # fmt: skip
    assert public.json("portal_relay", "push")["sent"] == 2
    assert public.json("portal_relay", "push")["sent"] == 0
    there = core.json("portal_relay", "status")["reports"][core_number]
    assert there["status"] == "checking" and there["satisfaction"] == 4
    status, answer = public.get(f"/api/v1/portal/reports/{number}")  # the result came back
    shown = json.loads(answer)
    assert status == 200 and shown["satisfaction"] == 4 and shown["status"] == "checking"
    assert shown["steps"][-1]["step"] == "reopened"

    # an Open311 client posts to the public instance while the core is down
    key = public.json("portal_relay", "issue-key", "--area", AREA, "--kind", "open311")["key"]
    form = urllib.parse.urlencode({"api_key": key, "service_code": "C0110", "lat": POINT[1],
                                   "long": POINT[0], "description": "井盖松动"}).encode()  # fmt: skip
    before = core.json("portal_relay", "status")["open311_cases"]
    core.stop()
    try:
        status, answer = public.request(
            "POST", "/open311/v2/requests.json", form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )  # fmt: skip
        assert status == 200, answer
        token = json.loads(answer)[0]["token"]
        assert json.loads(public.get(f"/open311/v2/tokens/{token}.json")[1]) == [{"token": token}]
        assert public.json("portal_relay", "push")["not_sent"] == 1
    finally:
        core.start()
    time.sleep(0.3)  # past the (test-sized) backoff
    assert public.json("portal_relay", "push")["sent"] == 1
    assert core.json("portal_relay", "status")["open311_cases"] == before + 1
    [found] = json.loads(public.get(f"/open311/v2/tokens/{token}.json")[1])
    request_id = found["service_request_id"]
    status, answer = core.get(f"/open311/v2/requests/{request_id}.json")
    assert status == 200 and json.loads(answer)[0]["service_code"] == "C0110"
    status, answer = public.get(f"/open311/v2/requests/{request_id}.xml")
    assert status == 200 and f"<service_request_id>{request_id}<" in answer.decode()


@pytest.mark.browser
def test_a_citizen_on_a_phone_rates_then_says_not_fixed_and_the_core_reopens(pair, browser_page):
    """On the public instance at 390×844: the citizen reports (the phone confirmed by the SMS
    code), staff close the case on the core, the citizen rates it and then says "not fixed";
    the core's case is back for verification."""
    from gridgov.conftest import screenshot

    core, public = pair
    phone = "13800003009"
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": float(POINT[0]), "latitude": float(POINT[1])})
    page.goto(f"{public.url}/portal/report/")
    page.fill("#cat-search", "路灯")
    page.click(".portal-choose label:not([hidden]) >> nth=0")
    page.fill("textarea[name=description]", "楼下路灯一直闪，晚上看不清路")
    page.click("#use-gps")
    page.wait_for_function("document.querySelector('input[name=lon]').value !== ''")
    page.fill("#phone", phone)
    page.click("#send-code")
    page.wait_for_function("document.getElementById('code-status').textContent !== ''")
    page.fill("#code", public.json("portal_relay", "codes", "--phone", phone)["codes"][0])
    page.check("input[name=consent]")
    page.click("#submit-report")
    page.wait_for_url("**/portal/r/**")
    number = page.inner_text("#report-number").strip()
    assert public.json("portal_relay", "push")["sent"] == 1
    outbox = public.json("portal_relay", "status")["outbox"]
    core_number = next(r["core_number"] for r in outbox if r["number"] == number)
    actions = ["accept", "file", "dispatch", "start", "feedback", "verify_pass", "close"]
    core.json("portal_relay", "step", "--number", core_number,
              *[a for action in actions for a in ("--action", action)])  # fmt: skip
    assert public.json("portal_relay", "pull")["changed"] == 1

    page.reload()
    page.check("#rate-form input[name=score][value='2']")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector(".relay-waiting")  # on its way to the district
    assert public.json("portal_relay", "push")["sent"] == 1
    assert core.json("portal_relay", "status")["reports"][core_number]["satisfaction"] == 2
    page.reload()
    page.fill("#notfixed-form textarea[name=note]", "还是一闪一闪的")
    page.click("#notfixed-form button[type=submit]")
    page.wait_for_selector(".relay-waiting")
    screenshot(page, "public-instance-not-fixed-phone")
    assert public.json("portal_relay", "push")["sent"] == 1
    there = core.json("portal_relay", "status")["reports"][core_number]
    assert there["status"] == "checking" and there["satisfaction"] == 2  # back for verification
    page.reload()
    page.wait_for_selector(".pstatus-big.pstatus-checking")
