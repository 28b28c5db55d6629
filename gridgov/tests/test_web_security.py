"""Headers and pages every route shares: the Content-Security-Policy and no inline script on
every page of the URLconf, no-store on what shows personal data, error pages, hidden actions."""

import json
import logging
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from gridgov.accounts.permissions import Role
from gridgov.conftest import make_user
from gridgov.registry import services as registry


class ScriptFinder(HTMLParser):
    """Executable inline script: a <script> without src and without a nonce (JSON data blocks
    are not script), an on… event attribute, a javascript: link."""

    def __init__(self):
        super().__init__()
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        executable = a.get("type") != "application/json" and "nonce" not in a
        if tag == "script" and not a.get("src") and executable:
            self.inline.append(f"<script {a}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.inline.append(f"<{tag} {name}=…>")
            if name in ("href", "src", "action") and (value or "").strip().startswith(
                "javascript:"
            ):
                self.inline.append(f"<{tag} {name}={value}>")


def inline_scripts(html: str) -> list[str]:
    finder = ScriptFinder()
    finder.feed(html)
    return finder.inline


def test_the_finder_sees_inline_script():
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<select onchange="this.form.submit()"></select>')
    assert inline_scripts('<a href="javascript:history.back()">x</a>')
    assert not inline_scripts('<script id="x" type="application/json">{}</script>')
    assert not inline_scripts('<script src="/static/x.js"></script>')


def test_login_and_api_answers_carry_the_policy(client, db):
    assert "script-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
    assert "Content-Security-Policy" in client.get("/api/v1/me")


def test_tile_hosts_are_allowed_as_images(settings):
    from gridgov.security_headers import content_security_policy

    settings.GRIDGOV_TILE_URL = "https://t{s}.tianditu.gov.cn/vec_w/wmts?tk=x"
    assert "https://*.tianditu.gov.cn" in content_security_policy()


# --- no-store --------------------------------------------------------------------------------


@pytest.fixture
def person(tree, users):
    return registry.save_person(
        {
            "name": "张三",
            "id_number": "11010519491231002X",
            "phone": "13800138000",
            "registration": "registered",
        },
        actor=users["op_a"],
        area_code=tree.grids[0].code,
    )[0]


def test_revealed_data_and_exports_are_not_stored(person, users, client_for):
    client = client_for(users["district"])
    revealed = client.post(f"/registry/people/{person.pk}/", {"reason": "回访核实"})
    assert "13800138000" in revealed.content.decode()
    assert revealed["Cache-Control"] == "no-store"
    exported = client.post("/registry/people/export.xlsx?personal=1", {"reason": "上报民政局"})
    assert exported.status_code == 200 and exported["Cache-Control"] == "no-store"
    assert client.get("/registry/people/export.csv")["Cache-Control"] == "no-store"
    api = client.post(
        f"/api/v1/people/{person.pk}/reveal",
        json.dumps({"reason": "回访核实"}),
        content_type="application/json",
    )
    assert api.status_code == 200 and api["Cache-Control"] == "no-store"


def test_a_token_caller_gets_no_store(person, users, client):
    from gridgov.accounts.services import issue_token

    token = issue_token(users["district"])
    answer = client.get(f"/api/v1/people/{person.pk}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"


# --- errors ------------------------------------------------------------------------------------


def test_a_refusal_is_logged_without_a_traceback(users, client_for, caplog):
    caplog.set_level(logging.WARNING)
    refused = client_for(users["member_a"]).get("/accounts/users/")
    assert refused.status_code == 403
    missing = client_for(users["member_a"]).get("/registry/people/999999/")
    assert missing.status_code == 404
    api = client_for(users["member_a"]).get("/api/v1/users/999999/tokens")
    assert api.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 3
    assert {getattr(r, "status_code", None) for r in records} == {403, 404}
    assert all(r.exc_info is None and not r.exc_text for r in records), [
        (r.getMessage(), r.exc_info) for r in records
    ]


def test_error_pages_are_styled_translated_and_have_the_navigation(users, client_for, client):
    member = client_for(users["member_a"])
    forbidden = member.get("/accounts/users/").content.decode()
    assert 'id="error-403"' in forbidden and "不允许" in forbidden
    assert 'class="mainnav"' in forbidden and reverse("cases:queue") in forbidden
    missing = member.get("/no/such/page/").content.decode()
    assert 'id="error-404"' in missing and "未找到" in missing and 'class="mainnav"' in missing
    member.cookies["gridgov_language"] = "en"
    assert "Not found" in member.get("/no/such/page/").content.decode()
    assert 'id="error-404"' in client.get("/no/such/page/").content.decode()


def test_a_server_error_answers_the_styled_page(users, rf):
    from gridgov.errors import server_error

    request = rf.get("/x/")
    request.user = users["op_a"]
    page = server_error(request)
    assert page.status_code == 500 and 'id="error-500"' in page.content.decode()


# --- actions a role may not take are not shown ------------------------------------------------


def nav_keys(html: str) -> set[str]:
    nav = html.split('class="mainnav"', 1)[1].split("</nav>", 1)[0]
    return {name for name, url in NAV_URLS.items() if f'href="{url}"' in nav}


NAV_URLS = {
    "users": "/accounts/users/",
    "areas": "/areas/import/",
    "audit": "/audit/changes/",
    "report": "/cases/report/",
}


def test_the_navigation_shows_only_what_the_role_may_use(users, client_for, db):
    security = make_user("sec", Role.SECURITY_ADMIN, [])
    page = {
        name: client_for(u).get("/registry/people/").content.decode()
        for name, u in [*users.items(), ("security", security)]
    }
    assert nav_keys(page["admin"]) == {"users", "areas", "report"}
    assert nav_keys(page["auditor"]) == {"audit"}
    assert nav_keys(page["leader"]) == set()
    assert nav_keys(page["member_a"]) == {"report"}
    assert nav_keys(page["security"]) == {"users"}


def test_export_edit_and_reveal_buttons_follow_the_role(person, users, client_for):
    people = {k: client_for(users[k]).get("/registry/people/").content.decode() for k in users}
    export = reverse("registry:export_people", args=["xlsx"])
    assert export in people["district"] and export in people["leader"]
    assert export not in people["member_a"] and export not in people["auditor"]
    assert "personal=1" in people["district"] and "personal=1" not in people["op_a"]
    new = reverse("registry:person_new")
    assert new in people["op_a"] and new not in people["leader"]
    assert reverse("registry:import") not in people["auditor"]
    edit = reverse("registry:person_edit", args=[person.pk])
    for who, shown in (("district", True), ("leader", False), ("auditor", False)):
        html = client_for(users[who]).get(f"/registry/people/{person.pk}/").content.decode()
        assert (edit in html) is shown, who
        assert ('id="reveal-form"' in html) is (who == "district"), who


def test_report_and_hotline_buttons_follow_the_role(users, client_for):
    queue = {k: client_for(users[k]).get("/cases/").content.decode() for k in users}
    report, hotline = reverse("cases:report"), reverse("cases:hotline")
    assert f'href="{report}"' in queue["member_a"] and f'href="{hotline}"' not in queue["member_a"]
    assert f'href="{hotline}"' in queue["op_a"]
    for who in ("leader", "auditor"):
        assert report not in queue[who] and hotline not in queue[who], who


def test_area_editing_is_offered_only_to_area_managers(tree, users, client_for):
    code = tree.grids[0].code
    edit = reverse("areas:edit", args=[code])
    assert edit in client_for(users["op_a"]).get(f"/areas/{code}/card/").content.decode()
    assert edit not in client_for(users["member_a"]).get(f"/areas/{code}/card/").content.decode()
    assert edit not in client_for(users["leader"]).get(f"/areas/{code}/card/").content.decode()
