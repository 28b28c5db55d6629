"""Due visits opened and recorded in a basement: in Chromium at 390×844 the member loads the app,
goes offline, opens a due visit from the to-do list (its page never seen: the service worker
shows the kept visit page, drawn from the cached bundle), records it with the position, and once
the network is back exactly one visit exists and the due task is done. A special-population
visit goes the same way; neither visit page is ever kept."""

import pytest
from django.utils import timezone

from gridgov.conftest import browser_login, screenshot
from gridgov.lines.models import SpecialRecord, SpecialVisit
from gridgov.lines.tests import populations_world as pw
from gridgov.mobile.tests.test_browser_mobile import CACHED_PATHS, PHONE, until, wait_for_worker
from gridgov.patrol.models import FieldVisit, Task, TaskKind, TaskStatus
from gridgov.patrol.services import work
from gridgov.registry import services as registry

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_due_visit_opens_and_is_recorded_offline_once(
    live_server, tree, users, strict_browser_page
):
    world = pw.build(users)
    person = world["tenant_a"].person
    registry.tag_key_population(person, actor=users["admin"], category="elderly_alone")
    work.create_due_visits()
    task = Task.objects.get(kind=TaskKind.VISIT, person=person, assignee=users["member_a"])
    task_page = f"/patrol/phone/tasks/{task.pk}/"
    record = world["record_a"]
    SpecialRecord.objects.filter(pk=record.pk).update(next_visit_due=timezone.localdate())
    record_page = f"/lines/m/visits/{record.pk}/"

    page = strict_browser_page
    page.set_viewport_size(PHONE)
    page.context.grant_permissions(["geolocation"])
    lon, lat = pw.POINT_A
    page.context.set_geolocation({"longitude": lon, "latitude": lat, "accuracy": 12})
    browser_login(page, live_server.url, "member_a", "pw-member_a")
    page.goto(f"{live_server.url}/m/")
    wait_for_worker(page)
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    link = page.locator(f"#m-todo a[href='{task_page}']")
    assert link.inner_text().count("走访 甲**") == 1 and person.name not in link.inner_text()

    page.context.set_offline(True)
    link.click()  # a page the phone has never kept
    page.wait_for_selector("#m-visit-one:not([hidden])")
    assert page.evaluate("location.pathname") == task_page
    head = page.inner_text("#m-visit-head")
    house = world["house_a"]
    assert "甲**" in head and person.name not in head
    assert f"{house.unit}单元{house.room}室" in head and house.code not in head  # as people say it
    assert page.is_hidden("#m-visit-met")  # a household visit: no "met" question
    until(page, "document.getElementById('m-visit-position').textContent.includes('±12')")
    page.fill("#m-visit-form textarea[name=note]", "老人身体尚好，地下室信号差")
    screenshot(page, "mobile-visit-form")
    page.click("#m-visit-form button[type=submit]")
    page.wait_for_selector("#m-visit-state:not([hidden])")
    until(page, "document.getElementById('m-outbox-count').textContent === '1'")
    assert not FieldVisit.objects.exists()
    screenshot(page, "mobile-visit-offline")

    # the special-population visit, from the home page's copy: met or not, and the position
    page.goto(f"{live_server.url}/m/")
    page.locator(f"#m-todo a[href='{record_page}']").click()
    page.wait_for_selector("#m-visit-one:not([hidden])")
    assert page.evaluate("location.pathname") == record_page
    assert page.is_visible("#m-visit-met")
    until(page, "document.getElementById('m-visit-position').textContent.includes('±12')")
    assert record.category.name not in page.inner_text("body")
    page.fill("#m-visit-form textarea[name=note]", "服药规律")
    page.click("#m-visit-form button[type=submit]")
    until(page, "document.getElementById('m-outbox-count').textContent === '2'")

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    until(page, "document.getElementById('m-outbox-pill').hidden", 20)
    (evidence,) = FieldVisit.objects.select_related("visit")
    (special,) = SpecialVisit.objects.filter(record=record)
    assert special.met and special.note == "服药规律" and special.client_key
    assert (special.lon, special.lat, special.accuracy, special.far) == (lon, lat, 12, False)
    assert evidence.visit.note == "老人身体尚好，地下室信号差" and evidence.client_key
    assert (evidence.lon, evidence.lat, evidence.accuracy, evidence.far) == (lon, lat, 12, False)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and evidence.task_id == task.pk
    # another start of the app sends nothing twice; the visit has left the kept list
    page.evaluate("GridApp.send()")
    page.goto(f"{live_server.url}/m/visits/")
    page.wait_for_selector("#m-visits-list .m-empty")
    assert FieldVisit.objects.count() == 1 and SpecialVisit.objects.count() == 1
    screenshot(page, "mobile-visits-done")
    kept = page.evaluate(CACHED_PATHS)
    assert "/m/visits/" in kept and "/api/v1/phone/bundle" in kept
    assert not [p for p in kept if p.startswith(("/lines/", "/patrol/"))]
