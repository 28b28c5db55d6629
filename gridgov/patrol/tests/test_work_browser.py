"""A task assigned on the desk is completed on the phone and shows as done on the desk; a diary
entry written on the phone becomes a case (Chromium at 390×844 for the phone)."""

import datetime

import pytest
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.conftest import browser_login, screenshot
from gridgov.patrol.models import DiaryEntry, FieldVisit, Task, TaskStatus
from gridgov.patrol.services.work import TaskInput, assign_task
from gridgov.patrol.tests.work_fixtures import homes, staff  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_task_desk_to_phone_and_diary_to_case(
    live_server,
    users,
    staff,  # noqa: F811
    homes,  # noqa: F811
    browser_page,
):
    page = browser_page
    page.set_default_timeout(60_000)  # a loaded machine answers the first pages slowly
    base = live_server.url
    member = users["member_a"]

    # The community assigns a task on the desk.
    browser_login(page, base, "comm_a", "pw-comm_a")
    page.goto(f"{base}/patrol/tasks/new/")
    page.select_option("select[name=kind]", "check")
    page.fill("input[name=title]", "核查经八路井盖")
    due = timezone.localdate() + datetime.timedelta(days=2)
    page.fill("input[name=due]", due.isoformat())
    page.select_option("select[name=members]", [str(member.pk)])
    page.click("form.form button[type=submit]")
    page.wait_for_load_state("networkidle")
    task = Task.objects.get(title="核查经八路井盖")
    assert task.assignee == member and task.status == TaskStatus.OPEN

    # The member completes it on the phone.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, base, "member_a", "pw-member_a")
    page.goto(f"{base}/patrol/phone/tasks/")
    card = page.locator(f"[data-task='{task.pk}']")
    assert card.bounding_box()["height"] >= 44
    screenshot(page, "work-1-phone-tasks")
    card.click()
    page.fill("textarea[name=note]", "井盖已由市政更换")
    button = page.locator("form[data-position] button[type=submit]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    screenshot(page, "work-2-phone-task")
    button.click()
    page.wait_for_load_state("networkidle")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.note == "井盖已由市政更换"

    # A diary entry becomes a case in one step.
    page.goto(f"{base}/patrol/phone/diary/")
    page.fill("textarea[name=text]", "小区北门电动车飞线充电，存在火灾隐患")
    page.check("input[name=tags][value=hazard]")
    page.click(".m-voice-record")  # Chromium's fake microphone
    page.wait_for_timeout(1200)
    page.click(".m-voice-record")
    page.wait_for_selector(".m-voice-delete:not([hidden])")
    page.click("form[data-position] button[type=submit]")
    page.wait_for_load_state("networkidle")
    entry = DiaryEntry.objects.get(author=member)
    assert entry.tag_list == ["hazard"] and entry.voice_type == "audio/webm"
    page.click(f"[data-entry='{entry.pk}'] button[data-to-case]")
    page.wait_for_load_state("networkidle")
    entry.refresh_from_db()
    assert entry.made_case_id and Case.objects.filter(pk=entry.made_case_id).exists()
    assert page.locator(f"[data-entry='{entry.pk}'] [data-case]").count() == 1
    assert Case.objects.get(pk=entry.made_case_id).voice_notes.count() == 1
    screenshot(page, "work-3-phone-diary")

    # A visit task: the member records the visit with a voice note.
    visit = assign_task(
        staff,
        TaskInput(kind="visit", title="走访独居老人", due=task.due, person=homes["person_a"]),
        [member],
    )[0]
    page.goto(f"{base}/patrol/phone/tasks/{visit.pk}/")
    page.fill("textarea[name=note]", "老人身体尚好")
    page.click(".m-voice-record")  # Chromium's fake microphone
    page.wait_for_timeout(1200)
    page.click(".m-voice-record")
    page.wait_for_selector(".m-voice-delete:not([hidden])")
    page.click("form[data-position] button[type=submit]")  # through the outbox
    page.wait_for_selector("#m-visit-state:not([hidden])")
    assert page.is_hidden("#m-outbox-pill")  # online: sent at once, nothing waits
    evidence = FieldVisit.objects.get(task=visit)
    assert evidence.voice_type == "audio/webm" and evidence.voice.size > 0

    # The desk shows the task done.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1440, "height": 900})
    browser_login(page, base, "comm_a", "pw-comm_a")
    page.goto(f"{base}/patrol/tasks/?status=done")
    row = page.locator(f"tr[data-id='{task.pk}'] [data-status]")
    assert row.get_attribute("data-status") == "done"
    screenshot(page, "work-4-desk-done")
